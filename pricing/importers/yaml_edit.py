"""Vendor-file YAML: the canonical dump, and a line editor that keeps comments and layout."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from pricing.catalog import PRICE_FIELDS, as_date
from pricing.importers.records import LONG_CONTEXT_FIELDS

MODEL_KEY_ORDER = (
    "id",
    "name",
    "tier",
    "aliases",
    "status",
    "retires",
    "successor",
    "context_window",
    "max_output",
    "open_model",
    "latency",
    "prices",
)
PRICE_KEY_ORDER = (
    "from",
    "to",
    *PRICE_FIELDS,
    "batch_discount",
    "long_context",
    "source",
    "checked",
    "note",
    "audit_note",
)
VENDOR_KEY_ORDER = ("vendor", "name", "kind", "models")


# ------------------------------------------------------------------------- writing


class _BlockDumper(yaml.SafeDumper):
    """Block style with sequences indented under their key, as in pricing/README.md."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        # `from` and `checked` often share one date object; an anchor (&id001) there is
        # unreadable, and two rendered items with the same anchor name would not parse.
        return True


def _ordered(mapping: Mapping[str, Any], order: Sequence[str]) -> dict[str, Any]:
    first = {k: mapping[k] for k in order if k in mapping}
    return first | {k: v for k, v in mapping.items() if k not in first}


def _ordered_model(model: Mapping[str, Any]) -> dict[str, Any]:
    model = _ordered(model, MODEL_KEY_ORDER)
    if isinstance(model.get("prices"), list):
        model["prices"] = [ordered_entry(e) for e in model["prices"]]
    return model


def ordered_entry(entry: Any) -> Any:
    if not isinstance(entry, Mapping):
        return entry
    entry = _ordered(entry, PRICE_KEY_ORDER)
    if isinstance(entry.get("long_context"), Mapping):
        entry["long_context"] = _ordered(entry["long_context"], LONG_CONTEXT_FIELDS)
    return entry


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_BlockDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)


def dump_vendor_document(doc: Mapping[str, Any]) -> str:
    """A vendor file in canonical form: block style, catalog key order, a blank line between models.

    Parameters
    ----------
    doc : Mapping
        ``{vendor, name, kind, models: [...]}`` as in pricing/README.md.

    Returns
    -------
    str
        YAML text that :func:`yaml.safe_load` reads back to ``doc``.
    """
    doc = _ordered(doc, VENDOR_KEY_ORDER)
    if isinstance(doc.get("models"), list):
        doc["models"] = [_ordered_model(m) if isinstance(m, Mapping) else m for m in doc["models"]]
    header = "# Prices in US dollars per 1M tokens; format and rules: pricing/README.md\n"
    lines = _dump(doc).splitlines(keepends=True)
    out: list[str] = []
    for line in lines:
        if line.startswith("  - id:") and out and not out[-1].startswith("models:"):
            out.append("\n")
        out.append(line)
    return header + "".join(out)


def _render_item(value: Any, indent: int) -> list[str]:
    """``value`` as one block-sequence item (``- key: ...``) indented by ``indent`` spaces."""
    return [" " * indent + line + "\n" for line in _dump([value]).splitlines()]


_CONTENT_END = re.compile(r"^\s*(#.*)?$")
_KEY_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[A-Za-z_]\w*):(?P<rest>.*)$")


class _TextPatchError(Exception):
    """The file's layout is not one the line editor understands."""


def _is_content(line: str) -> bool:
    return not _CONTENT_END.match(line)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _sequence_items(lines: list[str], key_line: int, stop: int) -> tuple[int, list[tuple[int, int]]]:
    """Items of the block sequence under the key on ``key_line``: (dash indent, [(start, end)])."""
    parent = _indent_of(lines[key_line])
    items: list[tuple[int, int]] = []
    dash = None
    last_content = key_line
    for i in range(key_line + 1, stop):
        line = lines[i]
        if not _is_content(line):
            continue
        indent, text = _indent_of(line), line.strip()
        is_item = text == "-" or text.startswith("- ")
        if dash is None:
            if not is_item or indent < parent:
                break
            dash = indent
        if indent < dash or (indent == dash and not is_item):
            break
        if indent == dash:
            if items:
                items[-1] = (items[-1][0], last_content + 1)
            items.append((i, i + 1))
        last_content = i
    if items:
        items[-1] = (items[-1][0], last_content + 1)
    if dash is None:
        raise _TextPatchError("expected a block sequence")
    return dash, items


def _find_key(lines: list[str], span: tuple[int, int], key: str) -> int | None:
    """Line of ``key`` among the direct keys of the mapping item spanning ``span``."""
    start, end = span
    first = _KEY_LINE.match(lines[start])
    column = len(first["lead"]) if first else _indent_of(next((ln for ln in lines[start + 1 : end] if _is_content(ln)), ""))
    for i in range(start, end):
        match = _KEY_LINE.match(lines[i])
        if match and match["key"] == key and len(match["lead"]) == column:
            return i
    return None


class VendorFileEdit:
    """Edits to one vendor file, kept both as data (the truth) and as patched lines."""

    def __init__(self, path: Path, text: str | None, doc: dict[str, Any]):
        self.path = path
        self.original = text
        self.doc = doc
        self.lines = None if text is None else text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"

    def _patch(self, action: Any) -> None:
        # Any layout surprise drops the line editor; render() then writes the canonical form.
        if self.lines is not None:
            try:
                action()
            except (_TextPatchError, IndexError, StopIteration):
                self.lines = None

    def _models_key(self) -> int:
        for i, line in enumerate(self.lines):
            if re.match(r"^models:\s*(#.*)?$", line):
                return i
        raise _TextPatchError("no block 'models:' key")

    def _model_span(self, index: int) -> tuple[int, int]:
        _, items = _sequence_items(self.lines, self._models_key(), len(self.lines))
        return items[index]

    def _entry_spans(self, model_index: int) -> tuple[int, list[tuple[int, int]]]:
        span = self._model_span(model_index)
        prices = _find_key(self.lines, span, "prices")
        if prices is None:
            raise _TextPatchError("no 'prices:' key")
        return _sequence_items(self.lines, prices, span[1])

    def change_price(self, model_id: str, effective: dt.date, values: Mapping[str, Any], meta: Mapping[str, Any]) -> None:
        """Close the entry in force on ``effective`` and insert the new one after it."""
        models = self.doc["models"]
        index = next(i for i, m in enumerate(models) if isinstance(m, Mapping) and m.get("id") == model_id)
        entries = models[index]["prices"]
        covering = next(
            (
                i
                for i, e in enumerate(entries)
                if as_date(e.get("from")) <= effective and (e.get("to") is None or effective < as_date(e.get("to")))
            ),
            None,
        )
        if covering is None:
            self._fill_gap(index, entries, effective, {**values, **meta})
        elif as_date(entries[covering].get("from")) == effective:
            # The entry already starts that day: correct it rather than add a zero-length one.
            self._correct(index, entries, covering, {**values, **meta})
        else:
            self._close_and_insert(index, entries, covering, effective, {**values, **meta})

    def _correct(self, index: int, entries: list[dict[str, Any]], covering: int, changes: Mapping[str, Any]) -> None:
        updated = ordered_entry({**entries[covering], **changes})
        entries[covering] = updated

        def replace_lines() -> None:
            dash, spans = self._entry_spans(index)
            start, end = spans[covering]
            self.lines[start:end] = _render_item(updated, dash)

        self._patch(replace_lines)

    def _close_and_insert(
        self, index: int, entries: list[dict[str, Any]], covering: int, effective: dt.date, changes: Mapping[str, Any]
    ) -> None:
        base = entries[covering]
        new = ordered_entry({**carried(base), **changes, "from": effective, "to": base.get("to")})
        base["to"] = effective
        entries.insert(covering + 1, new)

        def close_and_insert() -> None:
            dash, spans = self._entry_spans(index)
            start, end = spans[covering]
            end += self._set_to(start, end, effective)
            self.lines[end:end] = _render_item(new, dash)

        self._patch(close_and_insert)

    def _set_to(self, start: int, end: int, effective: dt.date) -> int:
        """Set ``to:`` of the entry on lines [start, end), keeping a trailing comment; lines added."""
        to_line = _find_key(self.lines, (start, end), "to")
        if to_line is None:
            from_line = _find_key(self.lines, (start, end), "from")
            if from_line is None:
                raise _TextPatchError("entry without 'from:'")
            column = len(_KEY_LINE.match(self.lines[from_line])["lead"])
            self.lines.insert(from_line + 1, " " * column + f"to: {effective.isoformat()}\n")
            return 1
        old_line = self.lines[to_line].rstrip("\n")
        match = re.match(r"^(?P<head>\s*(?:-\s+)?to:)[^#]*?(?P<comment>\s+#.*)?$", old_line)
        new_line = f"{match['head']} {effective.isoformat()}"
        if match["comment"]:
            # Keep a trailing comment in its column, as aligned comments are.
            column = old_line.index("#", len(match["head"]))
            new_line = new_line.ljust(column - 1) + " " + match["comment"].lstrip()
        self.lines[to_line] = new_line + "\n"
        return 0

    def _fill_gap(self, index: int, entries: list[dict[str, Any]], effective: dt.date, changes: Mapping[str, Any]) -> None:
        """No entry covers the day (before the first one or in a gap): fill up to the next start."""
        later = [i for i, e in enumerate(entries) if as_date(e.get("from")) > effective]
        position = min(later, key=lambda i: as_date(entries[i].get("from"))) if later else len(entries)
        end_date = as_date(entries[position].get("from")) if later else None
        new = ordered_entry({**changes, "from": effective, "to": end_date})
        entries.insert(position, new)

        def insert() -> None:
            dash, spans = self._entry_spans(index)
            at = spans[position][0] if position < len(spans) else spans[-1][1]
            self.lines[at:at] = _render_item(new, dash)

        self._patch(insert)

    def add_model(self, entry: Mapping[str, Any]) -> None:
        """Append a model to the ``models:`` list."""
        entry = _ordered_model(entry)
        self.doc.setdefault("models", []).append(entry)

        def append() -> None:
            dash, items = _sequence_items(self.lines, self._models_key(), len(self.lines))
            at = items[-1][1]
            gap = len(items) < 2 or not _is_content(self.lines[items[1][0] - 1])
            self.lines[at:at] = (["\n"] if gap else []) + _render_item(entry, dash)

        self._patch(append)

    def add_alias(self, model_id: str, name: str) -> None:
        """Append ``name`` to a model's ``aliases:`` list (created after ``tier:`` when missing)."""
        models = self.doc["models"]
        index = next(i for i, m in enumerate(models) if isinstance(m, Mapping) and m.get("id") == model_id)
        model = models[index]
        had_list = isinstance(model.get("aliases"), list) and bool(model["aliases"])
        model["aliases"] = [*(model.get("aliases") or []), name]
        if not had_list:
            models[index] = _ordered_model(model)

        def append() -> None:
            span = self._model_span(index)
            key_line = _find_key(self.lines, span, "aliases")
            if key_line is None or not had_list:
                raise _TextPatchError("no block 'aliases:' list to extend")
            dash, items = _sequence_items(self.lines, key_line, span[1])
            at = items[-1][1]
            self.lines[at:at] = _render_item(name, dash)

        self._patch(append)

    def render(self) -> tuple[str, str | None]:
        """The new file text and, when the line editor had to give up, a warning."""
        if self.lines is not None:
            text = "".join(self.lines)
            try:
                if yaml.safe_load(text) == self.doc:
                    return text, None
            except yaml.YAMLError:
                pass
        text = dump_vendor_document(self.doc)
        if self.original is None:
            return text, None
        return (
            text,
            f"{self.path.name}: could not edit in place; rewrote it in canonical form (comments are lost, review the diff)",
        )


def carried(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The price fields of an entry that a new entry inherits when the database is silent."""
    return {k: entry[k] for k in (*PRICE_FIELDS, "batch_discount", "long_context") if entry.get(k) is not None}
