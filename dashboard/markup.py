"""Text that goes into ``st.markdown`` (and every widget label or message that renders Markdown)."""

from __future__ import annotations

import re

# Markdown syntax characters, plus "$" (Streamlit renders $...$ as LaTeX: "$1.2k to $3.4k" would
# become a formula), "<" ">" (kept literal) and ":" (so "http://..." in a name is not auto-linked).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: object) -> str:
    """``text`` shown literally by Streamlit's Markdown: no emphasis, links, images, HTML or LaTeX.

    Every syntax character gets a backslash: ``md("$5 [x](y)")`` is ``\\$5 \\[x\\]\\(y\\)``.
    """
    return _SPECIAL.sub(r"\\\1", str(text))
