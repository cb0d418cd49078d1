"""Colours and chart styling shared by every figure, so a strategy looks the same everywhere."""

from __future__ import annotations

STRATEGY_COLORS = {
    "flagship_only": "#7c3aed",
    "hybrid": "#2563eb",
    "cascade": "#0891b2",
    "hosted_open": "#16a34a",
    "self_hosted": "#ea580c",
    "self_hosted_mixed": "#db2777",
}
FALLBACK_COLOR = "#64748b"  # a strategy added to the engine before it gets a colour here

# Where the money goes inside a strategy (breakdown chart). Mid-tones that read on light and dark.
PART_COLORS = {
    "input": "#3b82f6",
    "cached_input": "#93c5fd",
    "cache_write": "#6366f1",
    "output": "#f59e0b",
    "reasoning": "#ef4444",
    "gpus": "#ea580c",
    "ops": "#a8a29e",
    "other": "#64748b",
}
PART_LABELS = {
    "input": "Input",
    "cached_input": "Cached input",
    "cache_write": "Cache write",
    "output": "Output",
    "reasoning": "Reasoning",
    "gpus": "GPUs",
    "ops": "Operations",
    "other": "Other charges (fixed)",
}

# Neutral marks (break-even points, "you are here", price-change markers): mid-grey is readable
# on both the light and the dark Streamlit theme.
NEUTRAL = "#94a3b8"
OVERRIDE_MARK = "✎"  # appended to a name whose prices are overridden in this scenario


def strategy_color(key: str) -> str:
    return STRATEGY_COLORS.get(key, FALLBACK_COLOR)
