"""The page's one state flow: the scenario's settings, the widgets that show them, and the URL.

Why it is built this way (issue 15): Streamlit's browser sends the value of *every* widget with
every change. When the server writes a widget's value (``st.session_state[key] = ...``), a
message the browser sent before that write arrived carries the old value back, and Streamlit
takes it for a user's change: a burst of slider steps could put an older value back on the
page, and a server-side URL write could put an older bound value back in the address bar.

So, three rules:

1. **One truth.** The settings live in one plain dict (``VALUES_KEY``), keyed as
   ``state.widget_values`` keys them. Only a widget's ``on_change`` callback (the user changed
   it) and a load (the link on a session's first run, the browser's back and forward, a preset,
   a file, a workload) write it.
2. **A widget is never written.** Each widget is a *view* of one setting, created with the
   value the truth gives it. Its key carries a generation; when the truth changes by any other
   way than through this view (a load, a companion view, a callback's side effect), the view
   is created anew under the next generation, so a stale browser value can only ever reach a
   widget the server no longer reads.
3. **One URL writer.** Nothing is bound to the URL; ``write_link`` writes the run's whole
   share link at the end of every run. The last run (the last input) writes the last URL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from calculators.scenario import Scenario
from dashboard import state as S
from pricing.catalog import Catalog

VALUES_KEY = "_values"  # setting -> value: the truth
SHOWN_KEY = "_shown"  # view -> the value its widget holds (as created, or as the user last set it)
GENERATION_KEY = "_generation"  # view or editor -> the generation in its widget key
EDITORS = (S.ROUTES_KEY, S.PRICES_KEY, S.RATES_KEY)  # data editors: their edits restart on a load

_MISSING = object()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b and type(a) is type(b)


def _identity(value: Any) -> Any:
    return value


# ------------------------------------------------------------------------------------ the truth


def loaded() -> bool:
    """True once a scenario has been loaded in this session."""
    return VALUES_KEY in st.session_state


def values() -> dict[str, Any]:
    """Every setting's value (read-only use: change a setting with ``set_value``)."""
    return st.session_state[VALUES_KEY]


def get(setting: str, default: Any = None) -> Any:
    return st.session_state[VALUES_KEY].get(setting, default)


def set_value(setting: str, value: Any) -> None:
    """Change a setting from a callback: every widget showing it is created anew with the new value."""
    st.session_state[VALUES_KEY][setting] = value


def load(scenario: Scenario, catalog: Catalog | None = None) -> None:
    """Put a whole scenario on the page (the first run, back/forward, a preset, a file, a workload):
    the settings become the scenario's, every view and editor is created anew."""
    st.session_state[VALUES_KEY] = S.widget_values(scenario, catalog)
    st.session_state[S.BASE_KEY] = scenario
    st.session_state[SHOWN_KEY] = {}  # no view shows these values yet: each gets a new generation
    for editor in EDITORS:
        reset_editor(editor)


def history_navigation() -> bool:
    """True when this run is the browser's back or forward button: the URL is the scenario again."""
    ctx = get_script_run_ctx()
    return bool(ctx and getattr(ctx, "is_history_navigation", False))


# ------------------------------------------------------------------------------------ the views


def _generations() -> dict[str, int]:
    return st.session_state.setdefault(GENERATION_KEY, {})


def _key(view: str) -> str:
    return f"{view}#{_generations().get(view, 0)}"


def view(
    name: str,
    setting: str | None = None,
    *,
    show: Callable[[Any], Any] = _identity,
    take: Callable[[Any], Any] = _identity,
    keep_none: bool = False,
    then: Callable[[], None] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """The value a widget shows and its ``key``/``on_change``/``args``: ``st.slider(..., value=v, **kw)``.

    ``name`` is the view (unique on the page); ``setting`` the setting it shows (default: ``name``);
    ``show`` turns the setting's value into the widget's, ``take`` the widget's back. ``None`` from
    the widget (an emptied number) leaves the setting alone unless ``keep_none``. ``then`` runs
    after the setting changed (in the callback).
    """
    setting = setting or name
    want = show(get(setting))
    shown = st.session_state.setdefault(SHOWN_KEY, {})
    if not _same(shown.get(name, _MISSING), want):
        generations = _generations()
        generations[name] = generations.get(name, 0) + 1  # a new widget: no stale value can reach it
        shown[name] = want
    key = _key(name)
    return want, {"key": key, "on_change": _taken, "args": (name, key, setting, take, keep_none, then)}


def _taken(name: str, key: str, setting: str, take: Callable[[Any], Any], keep_none: bool, then) -> None:
    """A view changed (the user did it): the setting follows; only this view keeps its widget.

    A widget the page has since replaced (an older generation) is ignored: the browser still sends
    the value it held until the new one arrives, and Streamlit, having forgotten the old widget's
    value, takes that echo for a change.
    """
    if key != _key(name):
        return
    reported = st.session_state.get(key)
    st.session_state[SHOWN_KEY][name] = reported
    if reported is None and not keep_none:
        return
    st.session_state[VALUES_KEY][setting] = take(reported)
    if then is not None:
        then()


# ---------------------------------------------------------------------------------- data editors


def editor_key(editor: str) -> str:
    """The key of a data editor: its edits live under it until the next ``reset_editor``."""
    return f"{editor}#{_generations().get(editor, 0)}"


def editor_edits(editor: str) -> Mapping[str, Any] | None:
    """The edits a data editor holds (``None`` before any)."""
    return st.session_state.get(editor_key(editor))


def reset_editor(editor: str) -> None:
    """Start a data editor afresh from its (new) base table: its old edits can no longer apply."""
    generations = _generations()
    generations[editor] = generations.get(editor, 0) + 1


# ---------------------------------------------------------------------------------------- the URL


def write_link(params: Mapping[str, str]) -> None:
    """Make the address bar say ``params`` (the run's whole share link): the page's one URL writer."""
    if st.query_params.to_dict() != dict(params):
        st.query_params.from_dict(dict(params))
