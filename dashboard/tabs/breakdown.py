"""The Breakdown tab: where each strategy's money goes this month, per model or GPUs, stacked by part."""

from __future__ import annotations

from calculators.engine import Evaluation
from dashboard.figures.breakdown import breakdown_figure
from dashboard.tabs.common import assumptions_box, chart


def render_breakdown_tab(ev: Evaluation, catalog) -> None:
    chart(ev, "breakdown", breakdown_figure, "chart_breakdown")
    assumptions_box(ev, "breakdown", catalog, with_server=True)
