"""Sizes the code must keep: no Python file over 500 lines, no function over 60 lines.

    python scripts/code_size.py     # prints every file and function over its limit; exit 1 when any

Covers calculators/, dashboard/ and pricing/ (tests/test_code_size.py runs the same check).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("calculators", "dashboard", "pricing")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60


def oversize(root: Path = ROOT) -> list[str]:
    """``path: N lines`` for each file over MAX_FILE_LINES, ``path:line name(): N lines`` for each long function."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            rel = path.relative_to(root).as_posix()
            lines = text.count("\n") + (not text.endswith("\n") and bool(text))
            if lines > MAX_FILE_LINES:
                found.append(f"{rel}: {lines} lines (limit {MAX_FILE_LINES})")
            for node in ast.walk(ast.parse(text, filename=rel)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = node.end_lineno - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        found.append(f"{rel}:{node.lineno} {node.name}(): {length} lines (limit {MAX_FUNCTION_LINES})")
    return found


def main() -> int:
    found = oversize()
    for line in found:
        print(line)
    print(f"{len(found)} over the limits" if found else "every file and function within the limits")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
