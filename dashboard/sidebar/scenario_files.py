"""Sidebar, Presets and scenario files: load a preset or an uploaded YAML/JSON file into the page, and say why not.

Loading a whole scenario goes through ``inputs.load`` from a callback: the settings change and every widget is
created anew with them (``dashboard.inputs``); the URL follows at the end of the run."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

from calculators.portfolio_scenario import Portfolio, load_document_text
from calculators.scenario import (
    Scenario,
    ScenarioError,
    load_scenario_text,
)
from dashboard import inputs, portfolio_state
from dashboard.markup import md
from dashboard.widgets import _catalog

MAX_SCENARIO_MB = 1  # a scenario file is a few hundred bytes; anything large is not one


LOAD_ERROR_KEY = "_load_error"


LOADED_KEY = "_loaded_from"
PRESETS_BOX = "box_presets"  # the Presets expander's open state


def load_scenario(scenario: Scenario, origin: str) -> None:
    portfolio_state.leave(st.session_state)  # a version-1 scenario is a one-workload page
    inputs.load(scenario, _catalog())
    st.session_state[LOADED_KEY] = origin
    st.session_state.pop(LOAD_ERROR_KEY, None)


def _load_preset(path: str) -> None:
    try:
        scenario = load_scenario_text(Path(path).read_text(encoding="utf-8"), source=Path(path).name)
    except (OSError, UnicodeDecodeError, ScenarioError) as exc:
        st.session_state[LOAD_ERROR_KEY] = (Path(path).name, _problems(exc), "preset")
        return
    load_scenario(scenario, f"preset “{scenario.name}”")


def _load_upload() -> None:
    upload = st.session_state.get("scenario_file")
    if upload is None:
        return
    try:
        scenario = load_document_text(upload.getvalue().decode("utf-8"), source=upload.name)
    except UnicodeDecodeError:
        st.session_state[LOAD_ERROR_KEY] = (upload.name, ["(document): not a text file (expected UTF-8 YAML or JSON)"], "file")
        return
    except ScenarioError as exc:
        st.session_state[LOAD_ERROR_KEY] = (upload.name, exc.problems, "file")
        return
    if isinstance(scenario, Portfolio):  # version 2: the workload picker takes it
        from dashboard.workload_picker import load_document

        st.session_state.pop(LOAD_ERROR_KEY, None)
        st.session_state[LOADED_KEY] = f"file {upload.name}"
        load_document(scenario, f"file {upload.name}")
        return
    load_scenario(scenario, f"file {upload.name}")


def _problems(exc: Exception) -> list[str]:
    return list(getattr(exc, "problems", None) or [str(exc)])


def presets(folder: Path) -> None:
    files = sorted(folder.glob("*.y*ml"))
    if not files:
        st.caption("No presets in scenarios/.")
        return
    for path in files:
        name, note = _preset_label(str(path), path.stat().st_mtime)
        st.button(name, key=f"preset_{path.stem}", help=note or None, on_click=_load_preset, args=(str(path),), width="stretch")


@lru_cache(maxsize=64)
def _preset_label(path: str, mtime: float) -> tuple[str, str]:
    """A preset's name and its opening comment (the file's own explanation); keyed on mtime."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    comment = " ".join(line.lstrip("# ").strip() for line in text.splitlines()[:6] if line.startswith("#"))
    try:
        return load_scenario_text(text).name, comment
    except ScenarioError:
        return f"{Path(path).stem} (invalid file)", comment


def load_messages(where: str) -> None:
    """Why the last preset or file (``where``) did not load, or what was loaded."""
    if LOAD_ERROR_KEY in st.session_state:
        name, problems, origin = st.session_state[LOAD_ERROR_KEY]
        if origin == where:
            st.error(
                md(f"{name} was not loaded; your settings are unchanged. Fix:")
                + "\n"
                + "\n".join(f"- {md(p)}" for p in problems),
                icon=":material/error:",
            )
    elif LOADED_KEY in st.session_state and where == "preset":
        st.caption(md(f"Loaded {st.session_state[LOADED_KEY]}."))
