"""No Python file in calculators/, dashboard/ or pricing/ over 500 lines, no function over 60 (scripts/code_size.py).

``STILL_OVER`` lists what was over the limits when the check came in (with its size then): each is
to be split; anything else over a limit fails here.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("code_size", ROOT / "scripts" / "code_size.py")
code_size = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(code_size)

# place → lines when the check came in (files: path; functions: path name())
STILL_OVER: dict[str, int] = {}  # all split (issue 14)
_LINE = re.compile(r"^(?P<path>[^:]+?)(?::\d+ (?P<name>\S+\(\)))?: (?P<lines>\d+) lines")


def _found() -> dict[str, int]:
    out = {}
    for line in code_size.oversize():
        m = _LINE.match(line)
        place = m["path"] + (f" {m['name']}" if m["name"] else "")
        out[place] = max(out.get(place, 0), int(m["lines"]))
    return out


def test_nothing_new_goes_over_the_size_limits():
    new = {place: lines for place, lines in _found().items() if place not in STILL_OVER}
    assert not new, f"over {code_size.MAX_FILE_LINES} lines a file or {code_size.MAX_FUNCTION_LINES} a function: {new}"


def test_the_check_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (tmp_path / "calculators").mkdir()
    (tmp_path / "calculators" / "long.py").write_text(f"def long():\n{body}\n")
    for package in ("dashboard", "pricing"):
        (tmp_path / package).mkdir()
    assert code_size.oversize(tmp_path) == ["calculators/long.py:1 long(): 62 lines (limit 60)"]
