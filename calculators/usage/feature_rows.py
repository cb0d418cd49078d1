"""Per-row features (what each row of an export was for) and their bounded per-feature sums, in Arrow.

A format names its feature columns (``FormatSpec.features``); ``feature_of_rows`` gives each row
the first non-empty one. The per-(month, model, feature) sums are kept to at most
``FEATURE_TRACK_LIMIT`` features while reading and ``MAX_FEATURES`` in the result
(``fold_features``: the top by spend, then "(other features)"), so a million distinct end users
cost no more memory than a thousand, and every total is kept.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from calculators.usage.formats import FormatSpec

NO_FEATURE = "(no feature)"  # rows whose feature columns are all empty
OTHER_FEATURES = "(other features)"  # the features beyond MAX_FEATURES - 1, by spend, summed
MAX_FEATURES = 12  # distinct features kept (the portfolio's cap on workloads): the top 11 and "(other features)"
FEATURE_TRACK_LIMIT = 1_000  # while reading, features beyond the top 1,000 so far are folded into "(other features)"
MAX_FEATURE_CHARS = 100  # a feature value is cut to this many characters


def _blank(strings) -> np.ndarray:
    """Null or zero-length."""
    empty = pc.fill_null(pc.equal(pc.binary_length(strings), 0), True)
    return np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)


def feature_of_rows(spec: FormatSpec, column, n: int) -> tuple[pa.Array, pa.Array]:
    """Each row's feature (the first non-empty of the format's feature sources) and the index of that source.

    Values are trimmed and cut to ``MAX_FEATURE_CHARS``; a row with none gets ``NO_FEATURE`` and source -1.
    """
    feature = pa.nulls(n, pa.string())
    source = np.full(n, -1, dtype=np.int8)
    for i, spec_source in enumerate(spec.features):
        raw = column(f"feature.{i}")
        if raw is None:
            continue
        raw = raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw
        if not pa.types.is_string(raw.type):
            raw = pc.cast(raw, pa.string())
        value = raw
        if spec_source.pattern:
            found = pc.extract_regex(raw, spec_source.pattern)
            names = [found.type.field(k).name for k in range(found.type.num_fields)]
            value = pc.struct_field(found, [names.index("v")])
            if "k" in names:
                value = pc.binary_join_element_wise(pc.struct_field(found, [names.index("k")]), value, "=")
        value = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(value), 0, MAX_FEATURE_CHARS)
        take = (source == -1) & ~_blank(value)
        if take.any():
            feature = pc.if_else(pa.array(take), value, feature)
            source[take] = i
    return pc.fill_null(feature, NO_FEATURE), pa.array(source)


def regroup(table: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    """Partial sums summed again by ``keys`` (value columns keep their names; all-null stays null)."""
    values = [c for c in table.column_names if c not in keys]
    merged = table.group_by(list(keys)).aggregate([(c, "sum", pc.ScalarAggregateOptions(min_count=1)) for c in values])
    # The second aggregation appends "_sum" to every value column: drop it again.
    return merged.rename_columns([c if c in keys else c.removesuffix("_sum") for c in merged.column_names])


_FEATURE_KEYS = ("month", "model", "feature", "source")


def fold_features(table: pa.Table, limit: int) -> pa.Table:
    """``table``'s (month, model, feature, source) sums with at most ``limit`` features: the top
    ``limit - 1`` by spend and ``OTHER_FEATURES`` carrying the rest (every total is kept).

    Spend is the export's cost when it has one, else tokens (input + output). Used while reading
    (a bound on memory: a million distinct end users keep ``FEATURE_TRACK_LIMIT`` rows a month and
    model) and once at the end (``MAX_FEATURES``).
    """
    table = regroup(table, _FEATURE_KEYS)
    features = pc.unique(table.column("feature"))
    if len(features) <= limit:
        return table
    weight = _feature_weight(table)
    totals = pa.table({"feature": table.column("feature"), "w": weight}).group_by("feature").aggregate([("w", "sum")])
    totals = totals.filter(pc.not_equal(totals.column("feature"), OTHER_FEATURES))
    ranked = totals.sort_by([("w_sum", "descending"), ("feature", "ascending")])  # ties: by name, deterministic
    kept = ranked.column("feature").slice(0, limit - 1).combine_chunks()
    inside = pc.is_in(table.column("feature"), value_set=kept)
    table = table.set_column(
        table.column_names.index("feature"), "feature", pc.if_else(inside, table.column("feature"), OTHER_FEATURES)
    )
    table = table.set_column(
        table.column_names.index("source"), "source", pc.if_else(inside, table.column("source"), pa.scalar(-1, pa.int8()))
    )
    return regroup(table, _FEATURE_KEYS)


def _feature_weight(table: pa.Table) -> pa.Array:
    """What ranks features: each row's export cost when the export has a cost, else its tokens."""
    names = table.column_names
    if "cost_sum" in names and (pc.sum(table.column("cost_sum")).as_py() or 0) > 0:
        return pc.fill_null(table.column("cost_sum"), 0.0)
    tokens = pa.array(np.zeros(table.num_rows))
    for name in ("input_sum", "output_sum"):
        if name in names:
            tokens = pc.add(tokens, pc.cast(pc.fill_null(table.column(name), 0), pa.float64()))
    return tokens
