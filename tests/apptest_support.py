"""What the AppTest modules share: the app's path and a runner. Their fixtures (``fresh_caches``, ``pinned_today``)
are in conftest.py; a module asks for them with ``pytestmark = pytest.mark.usefixtures(...)``."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import inputs
from dashboard.sidebar.scenario_files import PRESETS_BOX
from dashboard.sidebar.strategies import STRATEGY_SECTIONS
from dashboard.style import CHART_SCRIPT_KEY

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def shown_charts(at: AppTest) -> list:
    """The page's charts: its ECharts elements but the empty one drawn first to load their script."""
    return [chart for chart in at.get("echarts_chart") if chart.key != CHART_SCRIPT_KEY]


def view_key(at: AppTest, view: str) -> str:
    """The key of the widget showing ``view`` now: it carries a generation (``dashboard.inputs``), bumped
    whenever the page creates that widget anew). A widget that is no view (a tab's own control) keeps its key."""
    generation = at.session_state[inputs.GENERATION_KEY].get(view)
    return view if generation is None else f"{view}#{generation}"


def editor_key(at: AppTest, editor: str) -> str:
    """The key of a data editor now (its generation moves when its edits are folded in or a scenario loads)."""
    return f"{editor}#{at.session_state[inputs.GENERATION_KEY].get(editor, 0)}"


def run_app(query: dict | None = None, session: dict | None = None, *, strategies_open: bool = True) -> AppTest:
    """The app after one run, opened with these query parameters and session-state values.

    ``strategies_open``: every strategy's box and the presets opened, as after a user's clicks (a
    session's first page has them collapsed and undrawn), so their widgets can be driven.
    """
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    opened = {section.box_key: True for section in STRATEGY_SECTIONS} | {PRESETS_BOX: True} if strategies_open else {}
    for key, value in (opened | (session or {})).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at
