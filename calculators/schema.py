"""The fields of a document (a scenario, its strategy sections, a portfolio): read typed and bounded, with
every problem recorded by its path (``hybrid.routes[1].share``), and written back in plain form.

``Reader`` is the one reader of the scenario parser (calculators/scenario.py), the strategy sections
(calculators/strategy_sections.py) and the portfolio document; ``plain`` and ``dataclass_doc`` are the
writer's side. Pure: no files, no UI.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from calculators.document import LongNumber, bounded, shown

MAX_NAME_CHARS = 200  # a scenario or model name
MAX_TOKENS_PER_REQUEST = 10_000_000  # the largest context windows are 10M tokens


class Reader:
    """Reads typed, bounded values out of nested mappings and records problems by path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(bounded(f"{path}: {message}"))

    def section(self, doc: Mapping, key: str, path: str, known: tuple[str, ...]) -> Mapping | None:
        value = doc.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.fail(path, f"must be a mapping, got {type(value).__name__}")
            return None
        self.unknown_keys(value, path, known)
        return value

    def fields_section(self, doc: Mapping, key: str, settings: type) -> Mapping | None:
        """``doc[key]`` as ``section`` reads it, whose known keys are the fields of the dataclass ``settings``."""
        return self.section(doc, key, key, tuple(f.name for f in fields(settings)))

    def unknown_keys(self, doc: Mapping, path: str, known: tuple[str, ...]) -> None:
        for key in doc:
            if key not in known:
                self.fail(join_path(path, key), f"unknown key (expected one of: {', '.join(known)})")

    def number(self, doc: Mapping, key: str, path: str, default: Any, low: float, high: float, *, integer: bool = False) -> Any:
        """``doc[key]`` as a number in [low, high] (an int when ``integer``), or ``default`` and a problem.

        Python ints are compared exactly, whatever their size (a 400-digit int is not a float: it
        must never reach ``math.isfinite``); texts holding a number are read as one (links)."""
        if key not in doc or doc[key] is None:
            return default
        value, where = doc[key], join_path(path, key)
        if isinstance(value, LongNumber):
            self.fail(where, f"must be between {number_text(low)} and {number_text(high)}, got {shown(value)}")
            return default
        if isinstance(value, str):
            try:
                value = float(value.strip().replace("_", ""))
            except ValueError:
                self.fail(where, f"must be a number, got {shown(doc[key])}")
                return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"must be a number, got {shown(value)}")
            return default
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(where, f"must be finite, got {shown(value)}")
            return default
        if integer and isinstance(value, float) and not value.is_integer():
            self.fail(where, f"must be a whole number, got {shown(value)}")
            return default
        if not low <= value <= high:
            self.fail(where, f"must be between {number_text(low)} and {number_text(high)}, got {shown(value)}")
            return default
        return int(value) if integer else float(value)

    def flag(self, doc: Mapping, key: str, path: str, default: bool) -> bool:
        value = doc.get(key, default)
        if not isinstance(value, bool):
            self.fail(join_path(path, key), f"must be true or false, got {shown(value)}")
            return default
        return value

    def text(self, doc: Mapping, key: str, path: str, default: Any, max_len: int = MAX_NAME_CHARS) -> Any:
        if key not in doc or doc[key] is None:
            return default
        value = doc[key]
        if not isinstance(value, str) or isinstance(value, LongNumber) or not value.strip():
            self.fail(join_path(path, key), f"must be a non-empty text, got {shown(value)}")
            return default
        if len(value) > max_len:
            self.fail(join_path(path, key), f"is longer than {max_len} characters ({len(value):,})")
            return default
        return value.strip()

    def choice(self, doc: Mapping, key: str, path: str, default: Any, options: tuple[str, ...]) -> Any:
        """One of ``options`` (a text), or ``default`` with a problem."""
        value = self.text(doc, key, path, default)
        if value is not default and value not in options:
            self.fail(join_path(path, key), f"must be one of {', '.join(options)}, got {value[:30]!r}")
            return default
        return value

    def model_names(self, raw: Mapping, path: str) -> dict[str, Any]:
        """A mapping keyed by model names (price overrides, error rates), names stripped.

        Two keys that are the same name once stripped (``"gpt-5.1"`` and ``"gpt-5.1 "``) are an error:
        which one was meant cannot be known, so the first is kept and the second reported."""
        out: dict[str, Any] = {}
        for model, value in raw.items():
            if not isinstance(model, str) or isinstance(model, LongNumber) or not model.strip() or len(model) > MAX_NAME_CHARS:
                self.fail(path, f"model name {shown(model)} is not a text of 1 to {MAX_NAME_CHARS} characters")
                continue
            name = model.strip()
            if name in out:
                self.fail(join_path(path, name), "appears twice (the names differ only in surrounding spaces); the first is kept")
                continue
            out[name] = value
        return out


def join_path(path: str, key: Any) -> str:
    """``path.key`` (``key`` alone at the top), the key cut short when it is long."""
    text = str(key) if isinstance(key, str | int | float) and not isinstance(key, LongNumber) else None
    key = text if text is not None and len(text) <= 60 and text.isprintable() else shown(key)  # repr escapes controls
    return f"{path}.{key}" if path else key


def number_text(value: float) -> str:
    return f"{value:g}"


def plain_count(value: float) -> str:
    """30,000,000 or 10,000,000.5: a count as a person writes it."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def digits_above(value: float, limit: float) -> str:
    """``value`` with enough digits that it reads as larger than ``limit`` (never "1e+15 above 1e+15")."""
    for digits in range(3, 18):
        text = f"{value:.{digits}g}"
        if text != f"{limit:.{digits}g}":
            return text
    return repr(value)


def plain(value: Any) -> Any:
    """Floats that hold whole numbers are written as integers, for readable files."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def dataclass_doc(obj: Any, default: Any, omit_defaults: bool) -> dict:
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if value is None or (omit_defaults and value == getattr(default, f.name)):
            continue
        out[f.name] = plain(value)
    return out
