"""Several imports of one format as one (a month per file, as warehouses export): monthly rows summed."""

from __future__ import annotations

import dataclasses

import pandas as pd

from calculators.usage.feature_rows import MAX_FEATURES, OTHER_FEATURES
from calculators.usage.importer import FEATURE_COLUMNS, MONTHLY_COLUMNS, UsageImport
from calculators.usage.normalize import MAX_PROBLEMS
from calculators.usage.reader import UsageImportError

_NUMBER_COLUMNS = ["input_tokens", "cached_input_tokens", "output_tokens", "requests", "cost_usd"]


def _sum_frames(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """Monthly frames summed by ``keys`` (unknown stays unknown: a sum of NA is NA), with the frames' dtypes."""
    summed = (
        pd.concat(frames, ignore_index=True)
        .groupby(keys, sort=True, dropna=False)
        .agg({"catalog_id": "first", **{c: (lambda s: s.sum(min_count=1)) for c in _NUMBER_COLUMNS}})
        .reset_index()
    )
    for column in ("input_tokens", "cached_input_tokens", "output_tokens", "requests"):
        summed[column] = summed[column].astype("Int64")
    summed["cost_usd"] = summed["cost_usd"].astype("Float64")
    for column in (*keys, "catalog_id"):
        summed[column] = summed[column].astype("string")
    return summed


def _merge_features(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Two files' per-feature totals, summed, again at most ``MAX_FEATURES`` features (top by spend, then the rest)."""
    both = pd.concat([a, b], ignore_index=True)
    cost = both["cost_usd"].fillna(0).astype(float)
    weight = cost if cost.sum() > 0 else (both["input_tokens"].fillna(0) + both["output_tokens"].fillna(0)).astype(float)
    totals = weight.groupby(both["feature"]).sum()
    ranked = sorted((f for f in totals.index if f != OTHER_FEATURES), key=lambda f: (-float(totals[f]), f))
    if len(totals) > MAX_FEATURES:
        kept = set(ranked[: MAX_FEATURES - 1])
        both["feature"] = both["feature"].where(both["feature"].isin(kept), OTHER_FEATURES)
    return (
        _sum_frames([both], ["month", "feature", "model"])
        .sort_values(["month", "feature", "model"], kind="stable")[FEATURE_COLUMNS]
        .reset_index(drop=True)
    )


def merge_imports(imports, catalog=None) -> UsageImport:
    """One import from several (a month per file, as warehouses export): monthly rows summed.

    ``imports`` may be a generator: each file is imported, folded in and dropped, so memory
    stays bounded by the largest file. The files must share one format; row counts add up,
    problems are prefixed with their file, the covered period is the union's span and the days
    with data per month are added (files are expected not to overlap in time).
    """
    merged: UsageImport | None = None
    names: list[str] = []
    for usage in imports:
        names.append(usage.filename)
        if merged is None:
            merged = dataclasses.replace(
                usage,
                feature_sources=dict(usage.feature_sources),
                problems=[f"{usage.filename}: {p}" for p in usage.problems],
                notes=[f"{usage.filename}: {n}" for n in usage.notes],
                skipped_by_reason=dict(usage.skipped_by_reason),
                days_with_data=dict(usage.days_with_data),
            )
            continue
        if usage.format != merged.format:
            raise UsageImportError(
                f"{usage.filename}: is a {usage.format_name}, but {names[0]} is a {merged.format_name}; merge files of one format"
            )
        merged.monthly = _sum_frames([merged.monthly, usage.monthly], ["month", "model"])[MONTHLY_COLUMNS]
        merged.rows_read += usage.rows_read
        merged.rows_skipped += usage.rows_skipped
        merged.rows_ignored += usage.rows_ignored
        for reason, count in usage.skipped_by_reason.items():
            merged.skipped_by_reason[reason] = merged.skipped_by_reason.get(reason, 0) + count
        merged.problems = (merged.problems + [f"{usage.filename}: {p}" for p in usage.problems])[:MAX_PROBLEMS]
        merged.notes += [f"{usage.filename}: {n}" for n in usage.notes]
        if usage.period is not None:
            merged.period = (
                usage.period
                if merged.period is None
                else (
                    min(merged.period[0], usage.period[0]),
                    max(merged.period[1], usage.period[1]),
                )
            )
        for month, days in usage.days_with_data.items():
            merged.days_with_data[month] = merged.days_with_data.get(month, 0) + days
        merged.monthly_rows = merged.monthly_rows and usage.monthly_rows
        merged.unresolved_models = sorted(set(merged.unresolved_models) | set(usage.unresolved_models))
        merged.other_charges = sorted(set(merged.other_charges) | set(usage.other_charges))
        if merged.features is not None and usage.features is not None:
            merged.features = _merge_features(merged.features, usage.features)
            merged.feature_sources = {**usage.feature_sources, **merged.feature_sources}
            kept = set(merged.features["feature"].tolist())
            merged.feature_sources = {k: v for k, v in merged.feature_sources.items() if k in kept}
        else:
            merged.features, merged.feature_sources = None, {}
    if merged is None:
        raise UsageImportError("no file to import")
    if len(names) > 1:
        merged.filename = f"{names[0]} and {len(names) - 1} more file(s)"
    return merged
