"""Hostile links and scenario files through the page (Streamlit's AppTest): the page opens, names the
field, keeps the valid parts, and keeps working on the next rerun. The same inputs on the CLI and the
loader are in test_hostile.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apptest_support import run_app, view_key
from hypothesis import HealthCheck, given, settings
from streamlit.testing.v1 import AppTest
from test_hostile import MAX_MESSAGE, alias_bomb, hostile_documents, hostile_links, payload

from calculators.formatting import money
from calculators.links import LINK_UNREADABLE
from dashboard.sidebar.scenario_files import LOAD_ERROR_KEY

pytestmark = pytest.mark.usefixtures("fresh_caches")  # Streamlit caches are process-global

CORPUS = Path(__file__).resolve().parent / "hostile"
PAGE = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


def nested_lists(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning).replace("\\", "")


def assert_page_works(at: AppTest) -> None:
    """No exception, the page and its results drawn, and the same after another rerun (a link is read once)."""
    for _ in range(2):
        assert not at.exception, at.exception
        assert at.title[0].value == "Token Cost Forecaster"
        assert at.tabs or at.metric  # the results: cards and tabs (no strategy at all leaves the tabs)
        at.run()


@pytest.mark.parametrize(
    "doc, field",
    [
        ({"workload": {"requests_per_month": 10**400}}, "workload.requests_per_month"),
        ({"uncertainty": {"gpu_hour_usd": {"low": 1, "high": 10**310}}}, "uncertainty.gpu_hour_usd.high"),
        ({"price_overrides": {"gpt-5.1": {"input": 1}, "gpt-5.1 ": {"input": 2}}}, "price_overrides.gpt-5.1: appears twice"),
        ({"notes": nested_lists(60)}, "nested deeper than 50 levels"),
    ],
    ids=["400-digit-volume", "310-digit-range", "spaced-override-twins", "deep-payload"],
)
def test_a_hostile_link_opens_the_page_with_a_notice_and_keeps_the_valid_parts(doc, field):
    at = run_app(query={"x": payload(doc), "out": "800"})
    assert field in warnings(at)
    assert at.number_input(key=view_key(at, "out")).value == 800  # the valid part
    assert_page_works(at)


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.session_state["share"] = True  # the popover holding the uploader
    at.run()
    at.file_uploader(key="scenario_file").set_value((name, data, "application/x-yaml")).run()
    return at


def test_an_uploaded_alias_bomb_shows_a_short_message_and_changes_nothing():
    at = run_app()
    at.number_input(key=view_key(at, "rpm")).set_value(2_000_000.0).run()
    before = {m.label: m.value for m in at.metric}
    _upload(at, "bomb.yaml", alias_bomb(9).encode())
    errors = [e.value for e in at.error]
    assert any("more than 100,000 values" in e for e in errors), errors
    assert sum(map(len, errors)) <= MAX_MESSAGE
    assert len(json.dumps(at.session_state[LOAD_ERROR_KEY], default=str)) <= MAX_MESSAGE  # not 36 MB kept in the session
    assert {m.label: m.value for m in at.metric} == before
    assert at.number_input(key=view_key(at, "rpm")).value == 2_000_000
    assert money(0) not in before.values()
    assert_page_works(at)


def test_a_link_giving_a_parameter_twice_opens_with_the_last_value_and_says_so():
    # ?rpm=1000&rpm=5000000&out=800: the last volume, the other settings, one notice naming the parameter
    at = run_app(query={"rpm": ["1000", "5000000"], "out": "800"})
    assert at.number_input(key=view_key(at, "rpm")).value == 5_000_000
    assert at.number_input(key=view_key(at, "out")).value == 800
    assert "link parameter 'rpm' is given 2 times with different values; the last was read" in warnings(at)
    assert_page_works(at)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml"))[:6], ids=lambda p: p.stem)
def test_a_corpus_file_uploaded_shows_its_message(path):
    at = _upload(run_app(), path.name, path.read_bytes())
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    assert any(expected in e.value.replace("\\", "") for e in at.error), [e.value for e in at.error]
    assert_page_works(at)


@PAGE
@given(params=hostile_links())
def test_any_link_opens_a_working_page(params):
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert LINK_UNREADABLE not in warnings(at)
    assert len(warnings(at)) <= 64 * 400
    assert_page_works(at)


@PAGE
@given(text=hostile_documents())
def test_any_uploaded_document_leaves_a_working_page(text):
    at = _upload(run_app(), "fuzz.yaml", text.encode("utf-8", errors="surrogatepass"))
    assert sum(len(e.value) for e in at.error) <= 2 * MAX_MESSAGE
    assert_page_works(at)
