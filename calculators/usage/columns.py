"""Which header of an export plays which role (time, model, token, cost, feature columns), and how to read it."""

from __future__ import annotations

import csv

import pyarrow as pa

from calculators.usage.formats import SPECS_BY_ID, Col, FormatSpec, detect_format, header_index
from calculators.usage.reader import BadRows, Sniffed, UsageImportError


def column_map(spec: FormatSpec, columns: list[str]) -> dict[str, str | None]:
    """Role → actual header name (None when an optional column is absent)."""
    index = header_index(columns)
    roles: dict[str, Col | None] = {"time": spec.time, "model": spec.model, "end_time": spec.end_time, "cost": spec.cost}
    roles["cached_json"] = spec.cached_json
    roles["reasoning"] = spec.reasoning
    roles["requests"] = spec.requests if isinstance(spec.requests, Col) else None
    for group in ("input", "cached", "output"):
        for i, c in enumerate(getattr(spec, group)):
            roles[f"{group}.{i}"] = c
    for key, c in spec.extra.items():
        roles[f"extra.{key}"] = c
    for i, source in enumerate(spec.features):
        roles[f"feature.{i}"] = source.column
    return {role: (c.find(index) if c is not None else None) for role, c in roles.items()}


def column_types(colmap: dict[str, str | None], delimiter: str = ",") -> dict[str, pa.DataType]:
    """Arrow type per column to read: counts as int64, costs as float64, the rest as strings.

    A semicolon file reads every column as text: its numbers may use a decimal comma and a
    thousands dot, which Arrow would read as a decimal point (``1.000`` as 1).
    """
    types: dict[str, pa.DataType] = {}
    if delimiter == ";":
        return {actual: pa.string() for actual in colmap.values() if actual is not None}
    for role, actual in colmap.items():
        if actual is None:
            continue
        kind = role.split(".")[0]
        if kind in ("input", "cached", "output", "reasoning", "requests"):
            wanted = pa.int64()
        elif kind == "cost":
            wanted = pa.float64()
        else:
            wanted = pa.string()
        # A column used in two roles (e.g. Anthropic cache reads: input and cached) reads once.
        types[actual] = wanted if types.get(actual, wanted) == wanted else pa.string()
    return types


def check_mixed_formats(name: str, sniffed: Sniffed, bad_rows: BadRows, offset: int) -> None:
    """A second header of another layout inside the file means concatenated exports."""
    for row in bad_rows.kept:
        try:
            fields = next(csv.reader([row.text], delimiter=sniffed.delimiter), [])
        except csv.Error:
            continue
        other = detect_format([f.strip() for f in fields])
        if other is not None:
            where = f"row {sniffed.header_line + offset + row.number}" if row.number else "a later row"
            raise UsageImportError(
                f"{name}: mixed formats: the header on row {sniffed.header_line} is for the {sniffed.spec.name} "
                f"({len(sniffed.columns)} columns) but {where} is a header for the {SPECS_BY_ID[other].name} "
                f"({len(fields)} columns); upload each export as its own file"
            )
