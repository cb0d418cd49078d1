"""Hostile input (issue 13): scenario files, YAML/JSON documents and share links as an attacker writes them.

Every case goes through the doors a user has: the scenario loader, the CLI (exit 0 or 2, the field
or line named, no traceback, a bounded message) and, for a sample, the page. Small cases live in
``tests/hostile/``; the large ones are generated here. Work is bounded by counting (events parsed,
values composed), never by a clock.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_scenario import scenario_documents

from calculators import document
from calculators.cli import MAX_SCENARIO_BYTES, main
from calculators.document import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_DOCUMENT_CHARS,
    MAX_INT_DIGITS,
    MAX_NODES,
    DocumentError,
    LongNumber,
    load_json,
    load_yaml,
)
from calculators.links import (
    LINK_UNREADABLE,
    MAX_NAMED_REPEATS,
    MAX_PARAMS,
    MAX_PAYLOAD_BYTES,
    MAX_PAYLOAD_CHARS,
    MAX_SNAPSHOT_MODELS,
    MAX_VALUE_CHARS,
    SHORT_KEYS,
    params_to_scenario,
    single_valued,
)
from calculators.portfolio_links import params_to_document
from calculators.portfolio_scenario import parse_portfolio
from calculators.scenario import (
    MAX_NAME_CHARS,
    MAX_PROBLEMS,
    MAX_TOKENS_PER_MONTH,
    MAX_TOKENS_PER_REQUEST,
    ScenarioError,
    load_scenario_text,
    parse_scenario,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((Path(__file__).resolve().parent / "hostile").glob("*.yaml"))
# The longest a CLI error or a page message may be: MAX_PROBLEMS problems of at most 300 characters,
# the "… and N more" line and a header.
MAX_MESSAGE = (MAX_PROBLEMS + 1) * 305 + 200


def expected(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def cli_file(tmp_path: Path, text: str | bytes, name: str = "hostile.yaml") -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return cli("evaluate", str(path))


def assert_refused(code: int, out: str, err: str, fragment: str) -> None:
    assert code == 2, err
    assert out == ""
    assert fragment in err, err
    assert "Traceback" not in err
    assert len(err) <= MAX_MESSAGE, len(err)


def payload(doc: dict) -> str:
    """A link's ``x`` parameter for ``doc`` (as links.py writes it)."""
    raw = json.dumps(doc, separators=(",", ":")).encode()
    return "1." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


# ----------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_file_is_refused_with_its_message(path):
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(path.read_text(encoding="utf-8"), source=path.name)
    assert expected(path) in str(info.value)
    assert path.name in str(info.value)
    assert len(str(info.value)) <= MAX_MESSAGE


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_file_exits_2_on_the_cli(path):
    assert_refused(*cli("evaluate", str(path)), expected(path))


# ------------------------------------------------------------------ generated large cases


def alias_bomb(levels: int, fan: int = 9) -> str:
    """``levels`` levels of ``fan``-fold list aliases under notes, the last one in a number field."""
    lines = ["notes:", "  l0: &l0 [" + ", ".join(["x"] * fan) + "]"]
    lines += [f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * fan) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\nworkload: {{requests_per_month: *l{levels}}}\n"


def int_list(count: int, digits: int = 9) -> str:
    return "notes: [" + ", ".join(str(10 ** (digits - 1) + i) for i in range(count)) + "]\n"


LARGE = {
    # name: (text, fragment of the message)
    "alias-bomb-9-levels": (alias_bomb(9), "more than 100,000 values (aliases counted in full)"),
    "deep-yaml-20000": ("notes: " + "[" * 20_000 + "]" * 20_000, f"nested deeper than {MAX_DEPTH} levels"),
    "deep-json-20000": ('{"notes": ' + "[" * 20_000 + "]" * 20_000 + "}", f"nested deeper than {MAX_DEPTH} levels"),
    "deep-block-mappings": ("".join(f"{' ' * i}k{i}:\n" for i in range(200)), f"nested deeper than {MAX_DEPTH} levels"),
    "int-5001-digits-in-notes": (
        "notes: " + "9" * 5001 + "\nworkload: {requests_per_month: -1}\n",
        "workload.requests_per_month",
    ),
    "int-5001-digits-in-a-field": ("workload: {requests_per_month: " + "9" * 5001 + "}", "got a 5,001-digit number"),
    "float-5001-digits": ("workload: {requests_per_month: " + "9" * 5001 + ".5}", "must be finite, got inf"),
    "1mb-flow-list": (int_list(120_000, digits=7)[: MAX_DOCUMENT_CHARS - 3] + "]\n", "more than 100,000 values"),
    "over-the-size-limit": ("notes: '" + "x" * MAX_DOCUMENT_CHARS + "'", f"larger than {MAX_SCENARIO_BYTES:,} bytes"),
    "1mb-name": ("name: '" + "n" * 900_000 + "'", "name: is longer than 200 characters (900,000)"),
    "many-unknown-keys": ("".join(f"k{i}: 1\n" for i in range(5000)), f"and {5000 - MAX_PROBLEMS:,} more problems"),
}


@pytest.mark.parametrize("name", LARGE)
def test_large_document_is_refused_with_a_bounded_message(tmp_path, name):
    text, fragment = LARGE[name]
    assert_refused(*cli_file(tmp_path, text), fragment)


def test_a_1mb_document_within_the_limits_loads():
    text = int_list(90_000)  # 990,007 characters, 90,002 values
    assert len(text) <= MAX_DOCUMENT_CHARS
    assert len(load_yaml(text)["notes"]) == 90_000


class Counting:
    """Counts the parser events a load consumes: the work done, measured without a clock."""

    def __init__(self, monkeypatch):
        self.events = 0
        original = document._Parser.get_event

        def get_event(loader):
            self.events += 1
            return original(loader)

        monkeypatch.setattr(document._Limited, "get_event", get_event, raising=False)


@pytest.mark.parametrize(
    "text, most_events",
    [
        (alias_bomb(8), 200),  # 387 million values once expanded; refused after reading its 90 aliases
        (alias_bomb(12), 200),
        ("notes: " + "[" * 20_000 + "]" * 20_000, MAX_DEPTH + 5),  # refused at the 51st level, not the 20,000th
        (int_list(120_000, digits=7)[: MAX_DOCUMENT_CHARS - 3] + "]\n", MAX_NODES + 10),  # 1 MB: refused at value 100,001
    ],
    ids=["alias-bomb-8", "alias-bomb-12", "deep-20000", "1mb-list"],
)
def test_a_hostile_document_is_refused_after_bounded_work(monkeypatch, text, most_events):
    counter = Counting(monkeypatch)
    with pytest.raises(DocumentError):
        load_yaml(text)
    assert 0 < counter.events <= most_events


def test_the_cli_refuses_a_hostile_file_in_a_real_process(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(9))
    proc = subprocess.run(
        [sys.executable, "-m", "calculators", "evaluate", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr) < 400, proc.stderr


def test_the_cli_reads_a_bounded_prefix_of_an_endless_file():
    # /dev/zero has no size: reading stops after MAX_SCENARIO_BYTES + 1 bytes
    assert_refused(*cli("evaluate", "/dev/zero"), f"larger than {MAX_SCENARIO_BYTES:,} bytes")


# -------------------------------------------------------------------- document limits: edges


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def aliases(count: int) -> str:
    return "a: &a 1\nb: [" + ", ".join(["*a"] * count) + "]"


def values(count: int) -> str:
    return "[" + ", ".join(["1"] * (count - 1)) + "]"  # the list itself is one value


@pytest.mark.parametrize(
    "text, refused",
    [
        (nested(MAX_DEPTH - 1), None),
        (nested(MAX_DEPTH), None),
        (nested(MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH} levels"),
        (aliases(MAX_ALIASES - 1), None),
        (aliases(MAX_ALIASES), None),
        (aliases(MAX_ALIASES + 1), f"more than {MAX_ALIASES:,} aliases"),
        (values(MAX_NODES - 1), None),
        (values(MAX_NODES), None),
        (values(MAX_NODES + 1), f"more than {MAX_NODES:,} values"),
        ("x" * (MAX_DOCUMENT_CHARS - 1), None),
        ("x" * MAX_DOCUMENT_CHARS, None),
        ("x" * (MAX_DOCUMENT_CHARS + 1), f"has {MAX_DOCUMENT_CHARS + 1:,} characters"),
    ],
    ids=[f"{what}-{edge}" for what in ("depth", "aliases", "values", "chars") for edge in ("below", "at", "above")],
)
def test_document_limits_at_their_edges(text, refused):
    if refused is None:
        load_yaml(text)
        load_json(text) if text.startswith("[") and "*" not in text else None
    else:
        with pytest.raises(DocumentError, match=refused):
            load_yaml(text)


@pytest.mark.parametrize("depth, ok", [(MAX_DEPTH, True), (MAX_DEPTH + 1, False)])
def test_json_depth_limit_at_its_edge(depth, ok):
    if ok:
        assert load_json(nested(depth)) is not None
    else:
        with pytest.raises(DocumentError, match="nested deeper"):
            load_json(nested(depth))


@pytest.mark.parametrize(
    "digits, long",
    [(MAX_INT_DIGITS - 1, False), (MAX_INT_DIGITS, False), (MAX_INT_DIGITS + 1, True)],
    ids=["below", "at", "above"],
)
def test_integer_digits_limit_at_its_edge(digits, long):
    for loaded in (load_yaml(f"n: {'7' * digits}")["n"], load_json(f'{{"n": {"7" * digits}}}')["n"]):
        assert isinstance(loaded, LongNumber) is long
        assert loaded == (LongNumber("7" * digits) if long else int("7" * digits))


@pytest.mark.parametrize(
    "size", [MAX_SCENARIO_BYTES - 1, MAX_SCENARIO_BYTES, MAX_SCENARIO_BYTES + 1], ids=["below", "at", "above"]
)
def test_cli_file_size_limit_at_its_edge(tmp_path, size):
    head = "name: edge\nnotes: '"
    text = head + "x" * (size - len(head) - 2) + "'\n"
    assert len(text.encode()) == size
    code, out, err = cli_file(tmp_path, text)
    if size <= MAX_SCENARIO_BYTES:
        assert "larger than" not in err and "Traceback" not in err
    else:
        assert_refused(code, out, err, f"larger than {MAX_SCENARIO_BYTES:,} bytes")


@pytest.mark.parametrize("count", [MAX_PROBLEMS, MAX_PROBLEMS + 1], ids=["at", "above"])
def test_problem_list_is_capped(count):
    with pytest.raises(ScenarioError) as info:
        parse_scenario({f"k{i}": 1 for i in range(count)})
    assert len(info.value.problems) == min(count, MAX_PROBLEMS) + (count > MAX_PROBLEMS)
    assert ("1 more problems" in info.value.problems[-1]) is (count > MAX_PROBLEMS)


# ------------------------------------------------------------------ number fields: every bound

TOKENS = {"input_tokens": 0, "output_tokens": 0, "reasoning_tokens": 0}  # so one token field can reach its bound alone
CASCADE = {"first": "a", "second": "b"}


def range_doc(key: str, end: str, lowest: float, highest: float):
    """A range whose ``end`` is the value and whose other end is the input's widest bound (always valid)."""
    other = {"low": ("high", highest), "high": ("low", lowest)}[end]
    return lambda value: {"uncertainty": {key: {end: value, other[0]: other[1]}}}


# (field path as messages name it, lowest, highest, whole numbers only, document holding the value)
NUMBER_FIELDS = [
    (
        "workload.requests_per_month",
        0,
        1e15,
        False,
        lambda v: {"workload": {"requests_per_month": v, "input_tokens": 1, "output_tokens": 0}},
    ),
    *[
        (f"workload.{k}", 0, 1e7, False, lambda v, k=k: {"workload": TOKENS | {k: v, "requests_per_month": 1}})
        for k in ("input_tokens", "output_tokens", "reasoning_tokens")
    ],
    *[
        (f"workload.{k}", 0, 1, False, lambda v, k=k: {"workload": {k: v}})
        for k in ("cached_input_share", "cache_write_share", "batch_share")
    ],
    ("growth.monthly_rate", -0.99, 1, False, lambda v: {"growth": {"monthly_rate": v}}),
    ("growth.horizon_months", 1, 120, True, lambda v: {"growth": {"horizon_months": v}}),
    (
        "flagship_only.reasoning_tokens",
        0,
        1e7,
        False,
        lambda v: {"workload": TOKENS, "flagship_only": {"model": "a", "reasoning_tokens": v}},
    ),
    ("hybrid.routes[0].share", 0, 1, False, lambda v: {"hybrid": {"routes": [{"model": "a", "share": v}]}}),
    ("cascade.escalation_rate", 0, 1, False, lambda v: {"cascade": CASCADE | {"escalation_rate": v}}),
    ("self_hosted.gpus_per_replica", 1, 1024, True, lambda v: {"self_hosted": {"gpus_per_replica": v}}),
    ("self_hosted.gpu_hour_usd", 0, 1000, False, lambda v: {"self_hosted": {"gpu_hour_usd": v}}),
    ("self_hosted.prefill_tokens_per_s", 1e-6, 1e9, False, lambda v: {"self_hosted": {"prefill_tokens_per_s": v}}),
    ("self_hosted.decode_tokens_per_s", 1e-6, 1e9, False, lambda v: {"self_hosted": {"decode_tokens_per_s": v}}),
    ("self_hosted.utilization", 0.01, 1, False, lambda v: {"self_hosted": {"utilization": v}}),
    ("self_hosted.peak_to_average", 1, 100, False, lambda v: {"self_hosted": {"peak_to_average": v}}),
    ("self_hosted.min_replicas", 0, 10_000, True, lambda v: {"self_hosted": {"min_replicas": v}}),
    ("self_hosted.ops_usd_per_month", 0, 1e9, False, lambda v: {"self_hosted": {"ops_usd_per_month": v}}),
    ("self_hosted_mixed.small_share", 0, 1, False, lambda v: {"self_hosted_mixed": {"small_share": v}}),
    *[
        (f"price_overrides.m.{k}", 0, 10_000, False, lambda v, k=k: {"price_overrides": {"m": {k: v}}})
        for k in ("input", "output", "cached_input", "cache_write")
    ],
    ("price_overrides.m.batch_discount", 0, 0.99, False, lambda v: {"price_overrides": {"m": {"batch_discount": v}}}),
    ("uncertainty.draws", 100, 20_000, True, lambda v: {"uncertainty": {"draws": v}}),
    ("uncertainty.seed", 0, 2**32 - 1, True, lambda v: {"uncertainty": {"seed": v}}),
    *[
        (f"uncertainty.{k}.{end}", low, high, False, range_doc(k, end, low, high))
        for k, (low, high) in {
            "growth_rate": (-0.99, 1.0),
            "escalation_rate": (0.0, 1.0),
            "cached_input_share": (0.0, 1.0),
            "output_tokens": (0.0, 1e7),
            "reasoning_tokens": (0.0, 1e7),
            "gpu_hour_usd": (0.0, 1000.0),
            "utilization": (0.01, 1.0),
        }.items()
        for end in ("low", "high")
    ],
    ("quality.cost_per_error_usd", 0, 1e6, False, lambda v: {"quality": {"cost_per_error_usd": v}}),
    ("quality.cascade_miss_rate", 0, 1, False, lambda v: {"quality": {"cascade_miss_rate": v}}),
    ("quality.self_hosted_error_rate", 0, 1, False, lambda v: {"quality": {"self_hosted_error_rate": v}}),
    ("quality.error_rates.m", 0, 1, False, lambda v: {"quality": {"error_rates": {"m": v}}}),
]
FIELD_IDS = [f[0] for f in NUMBER_FIELDS]


def just_outside(low, high, integer):
    if integer:
        return low - 1, high + 1
    return math.nextafter(float(low), -math.inf), math.nextafter(float(high), math.inf)


@pytest.mark.parametrize("path, low, high, integer, make", NUMBER_FIELDS, ids=FIELD_IDS)
def test_every_number_field_at_below_and_above_its_bounds(path, low, high, integer, make):
    for inside in (low, high):
        scenario, problems = parse_scenario(make(inside), strict=False)
        assert problems == [], problems
    for outside in just_outside(low, high, integer):
        _, problems = parse_scenario(make(outside), strict=False)
        assert any(p.startswith(f"{path}: must be between") for p in problems), problems


@pytest.mark.parametrize("path, low, high, integer, make", NUMBER_FIELDS, ids=FIELD_IDS)
@pytest.mark.parametrize("digits", [310, 400, 4300, 5001])
def test_a_huge_integer_in_any_number_field_names_the_field(path, low, high, integer, make, digits):
    huge = 10 ** (digits - 1) if digits <= 4300 else LongNumber("9" * digits)
    _, problems = parse_scenario(make(huge), strict=False)
    assert any(p.startswith(f"{path}: must be between") and "-digit number" in p for p in problems), problems
    assert all(len(p) <= 300 for p in problems)


@pytest.mark.parametrize(
    "workload, ok",
    [
        ({"input_tokens": 9_999_999, "output_tokens": 0, "reasoning_tokens": 0}, True),
        ({"input_tokens": 5_000_000, "output_tokens": 3_000_000, "reasoning_tokens": 2_000_000}, True),
        ({"input_tokens": 5_000_000, "output_tokens": 3_000_000, "reasoning_tokens": 2_000_001}, False),
        ({"input_tokens": 10_000_000, "output_tokens": 10_000_000, "reasoning_tokens": 10_000_000}, False),
    ],
    ids=["below", "at", "above", "each-at-its-own-bound"],
)
def test_tokens_per_request_bound_is_on_the_sum(workload, ok):
    scenario, problems = parse_scenario({"workload": workload | {"requests_per_month": 1}}, strict=False)
    if ok:
        assert problems == [] and scenario.workload.tokens_per_request <= MAX_TOKENS_PER_REQUEST
    else:
        assert any(
            "input_tokens + output_tokens + reasoning_tokens" in p and "above the limit of 10,000,000" in p for p in problems
        )
        assert scenario.workload.tokens_per_request <= MAX_TOKENS_PER_REQUEST


@pytest.mark.parametrize(
    "slot, ok",
    [
        ({"flagship_only": {"model": "a", "reasoning_tokens": 9_997_499}}, True),
        ({"flagship_only": {"model": "a", "reasoning_tokens": 9_997_500}}, True),
        ({"flagship_only": {"model": "a", "reasoning_tokens": 9_997_501}}, False),
        ({"hybrid": {"routes": [{"model": "a", "share": 1, "reasoning_tokens": 9_997_501}]}}, False),
        ({"cascade": {"first": "a", "second": {"model": "b", "reasoning_tokens": 9_997_501}}}, False),
    ],
    ids=["below", "at", "above", "route-above", "cascade-above"],
)
def test_a_slots_own_reasoning_tokens_count_in_the_request_bound(slot, ok):
    # the default workload: 2,000 input + 500 output, so a slot has room for 9,997,500 reasoning tokens
    scenario, problems = parse_scenario(slot, strict=False)
    assert (problems == []) is ok, problems
    assert ok or any("this slot's reasoning_tokens = 10,000,001 tokens a request" in p for p in problems)


@pytest.mark.parametrize(
    "requests, message",
    [
        (1e15 / 1000 - 1, None),
        (1e15 / 1000, None),
        (
            1e15 / 1000 + 1,
            "1,000,000,000,001 requests x 1,000 tokens = 1.000000000001e+15 tokens a month, above the limit of 1e+15",
        ),
    ],
    ids=["below", "at", "above"],
)
def test_volume_bound_message_shows_the_difference(requests, message):
    # 1e12 requests x 1,000 tokens = 1e15 tokens, the limit exactly
    _, problems = parse_scenario(
        {"workload": {"requests_per_month": requests, "input_tokens": 1000, "output_tokens": 0}}, strict=False
    )
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems
    assert requests * 1000 <= MAX_TOKENS_PER_MONTH or message


@pytest.mark.parametrize(
    "doc, fragment",
    [
        ({"name": "x" * MAX_NAME_CHARS}, None),
        ({"name": "x" * (MAX_NAME_CHARS + 1)}, "name: is longer than 200 characters"),
        ({"hybrid": {"routes": [{"model": f"m{i}", "share": 1 / 12} for i in range(12)]}}, None),
        ({"hybrid": {"routes": [{"model": f"m{i}", "share": 1 / 13} for i in range(13)]}}, "has 13 routes; at most 12"),
        ({"price_overrides": {f"m{i}": {"input": 1} for i in range(50)}}, None),
        ({"price_overrides": {f"m{i}": {"input": 1} for i in range(51)}}, "has 51 models; at most 50"),
        ({"quality": {"error_rates": {f"m{i}": 0.1 for i in range(50)}}}, None),
        ({"quality": {"error_rates": {f"m{i}": 0.1 for i in range(51)}}}, "has 51 models; at most 50"),
        ({"version": 1}, None),
        ({"version": True}, "got true"),
        ({"version": 1.0}, "got 1.0"),
        ({"version": "1"}, "got '1'"),
    ],
    ids=["name-at", "name-above", "routes-at", "routes-above", "overrides-at", "overrides-above"]
    + ["rates-at", "rates-above", "version-1", "version-true", "version-1.0", "version-text"],
)
def test_count_and_type_bounds(doc, fragment):
    _, problems = parse_scenario(doc, strict=False)
    if fragment is None:
        assert problems == []
    else:
        assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize("version, shown_as", [("true", "true"), ("1.0", "1.0"), ("2.0", "2.0"), ("'1'", "'1'")])
def test_a_version_that_only_equals_1_or_2_is_refused_on_the_cli(tmp_path, version, shown_as):
    # True == 1 and 2.0 == 2 in Python: neither is a version
    assert_refused(
        *cli_file(tmp_path, f"version: {version}\nworkloads: []\n"),
        f"version 1 (one workload) or 2 (a portfolio), got {shown_as}",
    )


def _portfolio(**workload):
    return {
        "version": 2,
        "growth": {"horizon_months": 24},
        "workloads": [{"name": "w", "flagship_only": {"model": "a"}} | workload],
    }


PORTFOLIO_FIELDS = [
    ("budget_usd", 0, 1e12, False, lambda v: {**_portfolio(), "budget_usd": v}),
    ("workloads[0].budget_usd", 0, 1e12, False, lambda v: _portfolio(budget_usd=v)),
    ("workloads[0].fine_tune.one_time_usd", 0, 1e9, False, lambda v: _portfolio(fine_tune={"one_time_usd": v})),
    (
        "workloads[0].fine_tune.amortize_months",
        1,
        120,
        True,
        lambda v: _portfolio(fine_tune={"one_time_usd": 1, "amortize_months": v}),
    ),
    (
        "workloads[0].workload.requests_per_month",
        0,
        1e15,
        False,
        lambda v: _portfolio(workload={"requests_per_month": v, "input_tokens": 1, "output_tokens": 0}),
    ),
]


@pytest.mark.parametrize("path, low, high, integer, make", PORTFOLIO_FIELDS, ids=[f[0] for f in PORTFOLIO_FIELDS])
def test_portfolio_bounds(path, low, high, integer, make):
    for inside in (low, high):
        assert parse_portfolio(make(inside), strict=False)[1] == []
    for outside in (*just_outside(low, high, integer), 10**400, LongNumber("9" * 5001)):
        _, problems = parse_portfolio(make(outside), strict=False)
        assert any(p.startswith(f"{path}: must be between") for p in problems), problems


@pytest.mark.parametrize("count, ok", [(12, True), (13, False)], ids=["at", "above"])
def test_portfolio_workload_count_bound(count, ok):
    doc = {"version": 2, "workloads": [{"name": f"w{i}", "flagship_only": {"model": "a"}} for i in range(count)]}
    problems = parse_portfolio(doc, strict=False)[1]
    assert (problems == []) is ok
    assert ok or any("has 13 workloads; at most 12" in p for p in problems)


# ------------------------------------------------------------------------------ share links


@pytest.mark.parametrize("path, low, high, integer, make", NUMBER_FIELDS, ids=FIELD_IDS)
def test_a_link_with_a_400_digit_integer_in_any_field_opens_with_a_notice(catalog, path, low, high, integer, make):
    scenario, notices = params_to_scenario({"x": payload(make(10**399)), "fm": "gpt-5"}, catalog)
    assert any(n.startswith(f"link: {path}: must be between") for n in notices), notices
    assert not any(LINK_UNREADABLE in n for n in notices)
    assert scenario.flagship_only.model == "gpt-5"  # the valid parts are kept


@pytest.mark.parametrize("digits", [310, 4300, 4301, 5001])
def test_a_huge_integer_link_on_the_cli_exits_2_naming_the_field(digits):
    raw = '{"workload":{"requests_per_month":' + "9" * digits + "}}"
    x = "1." + base64.urlsafe_b64encode(zlib.compress(raw.encode())).decode().rstrip("=")
    assert_refused(*cli("evaluate", "?" + urlencode({"x": x})), "workload.requests_per_month")


def test_override_keys_differing_by_whitespace_in_a_link(catalog):
    x = payload({"price_overrides": {"gpt-5.1": {"input": 1}, "gpt-5.1 ": {"input": 2}}})
    scenario, notices = params_to_scenario({"x": x}, catalog)
    assert any("price_overrides.gpt-5.1: appears twice" in n for n in notices), notices
    assert scenario.overrides["gpt-5.1"].input == 1  # the first is kept
    assert_refused(*cli("evaluate", "?" + urlencode({"x": x})), "appears twice")


def test_a_price_snapshot_with_empty_entries_keeps_the_overrides(catalog):
    snapshot = {f"g{i}": {} for i in range(1800)} | {"gone-model": {"input": 2, "output": 8}}  # as many as 6,000 characters hold
    x = payload(
        {
            "_prices": snapshot,
            "hosted_open": {"model": "gone-model"},
            "hybrid": {"routes": [{"model": "g1", "share": 0.5}, {"model": "claude-opus-4-5", "share": 0.5}]},
            "price_overrides": {"claude-opus-4-5": {"input": 4}},
        }
    )
    assert len(x) <= MAX_PAYLOAD_CHARS
    scenario, notices = params_to_scenario({"x": x}, catalog)
    text = "\n".join(notices)
    assert "None" not in text and len(text) < 2000
    assert scenario.overrides["claude-opus-4-5"].input == 4  # the user's own override survives
    assert scenario.overrides["gone-model"].input == 2  # priced from the snapshot
    assert "g1" not in scenario.overrides  # an empty entry prices nothing...
    assert any("1 entries of the link's price snapshot" in n for n in notices)  # ...and says so
    assert not any("g7" in n for n in notices)  # entries of models the scenario does not use are not listed


@pytest.mark.parametrize(
    "count", [MAX_SNAPSHOT_MODELS - 1, MAX_SNAPSHOT_MODELS, MAX_SNAPSHOT_MODELS + 1], ids=["below", "at", "above"]
)
def test_price_snapshot_prices_at_most_the_models_a_scenario_can_use(catalog, count):
    gone = [f"gone-{i}" for i in range(count)]
    doc = {
        "hybrid": {"routes": [{"model": m, "share": 1 / 12} for m in gone[:12]]},
        "flagship_only": {"model": gone[12]},
        "cascade": {"first": gone[13], "second": gone[14]},
        "hosted_open": {"model": gone[15]},
        "self_hosted_mixed": {"flagship": gone[16]} | ({"overflow_model": gone[17]} if count > 17 else {}),
    }
    x = payload(doc | {"_prices": dict.fromkeys(gone, {"input": 1, "output": 2})})
    scenario, notices = params_to_scenario({"x": x}, catalog)
    priced = sum("is no longer in the price catalog" in n for n in notices)
    assert priced == min(count, MAX_SNAPSHOT_MODELS) == len(scenario.overrides)


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({f"utm{i}": "1" for i in range(MAX_PARAMS)}, None),
        ({f"utm{i}": "1" for i in range(MAX_PARAMS + 1)}, f"only the first {MAX_PARAMS} were read"),
        ({"n": "x" * MAX_VALUE_CHARS}, None),
        ({"n": "x" * (MAX_VALUE_CHARS + 1)}, "link parameter 'n' is too long"),
        ({"x": "1." + "A" * (MAX_PAYLOAD_CHARS - 2)}, "damaged"),  # read (and found not to be zlib)
        ({"x": "1." + "A" * (MAX_PAYLOAD_CHARS - 1)}, "link parameter 'x' is too long"),
    ],
    ids=["params-at", "params-above", "value-at", "value-above", "payload-at", "payload-above"],
)
def test_link_size_bounds(catalog, params, fragment):
    _, notices = params_to_scenario(params, catalog)
    if fragment is None:
        assert not any("only the first" in n or "too long" in n for n in notices)
    else:
        assert any(fragment in n for n in notices), notices


@pytest.mark.parametrize("size, ok", [(MAX_PAYLOAD_BYTES, True), (MAX_PAYLOAD_BYTES + 1, False)], ids=["at", "above"])
def test_link_decompressed_size_bound(catalog, size, ok):
    head = '{"notes_padding":"'
    raw = (head + "x" * (size - len(head) - 2) + '"}').encode()
    assert len(raw) == size
    x = "1." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    _, notices = params_to_scenario({"x": x}, catalog)
    assert any("expands beyond" in n for n in notices) is not ok
    if ok:
        assert any("notes_padding: unknown key" in n for n in notices)  # read, then reported by name


def test_a_deep_json_payload_is_refused_by_the_document_limits(catalog):
    raw = '{"notes": ' + "[" * 20_000 + "]" * 20_000 + "}"
    x = "1." + base64.urlsafe_b64encode(zlib.compress(raw.encode(), 9)).decode().rstrip("=")
    _, notices = params_to_scenario({"x": x}, catalog)
    assert any("cannot be read" in n and "nested deeper than 50 levels" in n for n in notices), notices


# ------------------------------------------------------------------------- a key given twice


@pytest.mark.parametrize(
    "text, refused",
    [
        (
            "workload:\n  requests_per_month: 1000\n  requests_per_month: 5000000\n",
            "key 'requests_per_month' is given twice (first at line 2)",
        ),
        ("growth: {monthly_rate: 0.05, monthly_rate: 0.5}\n", "key 'monthly_rate' is given twice (first at line 1)"),
        ('{"name": "a", "workload": {}, "name": "b"}', "key 'name' is given twice (first at line 1)"),  # JSON is YAML
        ("1: a\n1: b\n", "key 1 is given twice (first at line 1)"),  # a key that is not text, compared as its value
        ("a: {x: 1}\nb: {x: 1}\n", None),  # the same key in two mappings
        ("base: &b {x: 1}\nd:\n  <<: *b\n  x: 2\n", None),  # YAML's merge key overrides: its meaning is kept
        ("1: a\n'1': b\n", None),  # the integer 1 and the text '1' are two keys
    ],
    ids=["block", "flow", "json-as-yaml", "integer-key", "two-mappings", "merge-key", "int-and-text"],
)
def test_key_given_twice_in_a_yaml_mapping(text, refused):
    if refused is None:
        load_yaml(text)
    else:
        with pytest.raises(DocumentError, match=re.escape(refused)):
            load_yaml(text)


@pytest.mark.parametrize(
    "text, refused",
    [
        ('{"a": 1, "a": 2}', "key 'a' is given twice in one object"),
        ('{"workload": {"requests_per_month": 1000, "requests_per_month": 5000000}}', "key 'requests_per_month' is given twice"),
        ('{"a": {"x": 1}, "b": {"x": 1}}', None),
    ],
    ids=["top", "nested", "two-objects"],
)
def test_key_given_twice_in_a_json_object(text, refused):
    if refused is None:
        load_json(text)
    else:
        with pytest.raises(DocumentError, match=re.escape(refused)):
            load_json(text)


def test_key_given_twice_in_a_link_payload_is_not_read(catalog):
    # 1,000 then 5M requests in one payload: neither is taken; the link's defaults stay, with a notice
    raw = '{"workload": {"requests_per_month": 1000, "requests_per_month": 5000000}}'
    x = "1." + base64.urlsafe_b64encode(zlib.compress(raw.encode(), 9)).decode().rstrip("=")
    scenario, notices = params_to_scenario({"x": x}, catalog)
    default, _ = params_to_scenario({}, catalog)
    assert scenario.workload.requests_per_month == default.workload.requests_per_month
    assert any("key 'requests_per_month' is given twice" in n and "it was ignored" in n for n in notices), notices


@pytest.mark.parametrize(
    "query, code, err",
    [
        (
            "?rpm=1000&rpm=5000000",
            2,
            "error: invalid share link:\n  link parameter 'rpm' is given 2 times with different values; the last was read\n",
        ),
        ("?rpm=5000000&rpm=5000000", 0, ""),  # the same value twice says nothing new
    ],
    ids=["different-values", "same-value"],
)
def test_parameter_given_twice_on_the_cli(query, code, err):
    assert cli("evaluate", query)[0::2] == (code, err)


def test_parameter_given_twice_notices_are_capped():
    params = {f"k{i}": ["1", "2"] for i in range(MAX_PARAMS)}
    values, notices = single_valued(params)
    assert values == {f"k{i}": "2" for i in range(MAX_PARAMS)}
    assert len(notices) == MAX_NAMED_REPEATS + 1
    assert notices[-1] == f"... and {MAX_PARAMS - MAX_NAMED_REPEATS} more link parameters given more than once"


@pytest.mark.parametrize(
    "overrides, code, out_or_err",
    [
        # one override under a dated alias applies: 1M requests x (1,000 in x $1 + 100 out x $1) / 1M = $1,100
        ("{claude-opus-4-5-20251101: {input: 1, output: 1}}", 0, "Flagship only       $1.1k"),
        # two keys for one model ($1 and $100): not priced by whichever comes first
        (
            "{claude-opus-4-5: {input: 1, output: 1}, claude-opus-4-5-20251101: {input: 100, output: 100}}",
            2,
            "flagship_only: price_overrides: 'claude-opus-4-5' and 'claude-opus-4-5-20251101' name the same model "
            "(Claude Opus 4.5); keep one",
        ),
        (
            "{claude-opus-4-5: {input: 1, output: 1}, Claude-Opus-4-5: {input: 100, output: 100}}",
            2,
            "price_overrides: 'Claude-Opus-4-5' and 'claude-opus-4-5' name the same model (Claude Opus 4.5); keep one",  # sorted
        ),
    ],
    ids=["one-alias", "alias-twins", "case-twins"],
)
def test_override_keys_naming_one_model(tmp_path, overrides, code, out_or_err):
    text = (
        "version: 1\nworkload: {requests_per_month: 1000000, input_tokens: 1000, output_tokens: 100}\n"
        f"flagship_only: {{model: claude-opus-4-5}}\nprice_overrides: {overrides}\n"
    )
    got, out, err = cli_file(tmp_path, text)
    assert got == code, err
    assert out_or_err in (out if code == 0 else err)


# ---------------------------------------------------------- generated documents and links (hypothesis)


class Raw(str):
    """YAML text written into a generated document as it is (an odd scalar, a tag, a nested bomb)."""


ODD_SCALARS = [
    *(Raw(t) for t in (".nan", ".inf", "-.inf", "0x1F", "0o17", "0b101", "1_000", "1e400", "~", "yes", "off", "=")),
    *(Raw(t) for t in ("2027-02-30", "2027-13-45", "2027-01-01 25:00:00", "!!binary aGVsbG8=", "!!set {a, b}")),
    *(Raw(t) for t in ("!!python/object/apply:os.system [x]", "!!str 5", "!!int '5'", "!!float x", "!!timestamp x")),
    *(Raw(t) for t in ('"\\N\\L\\P"', "'\u0085'", "9" * 5001, "1" * 400, "-" + "1" * 320, "1" * 400 + ".5")),
    Raw("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)),
    Raw("{<<: {a: 1}, b: 2}"),
    Raw("[" * 20_000 + "]" * 20_000),
]
KNOWN_KEYS = ["version", "name", "workload", "growth", "flagship_only", "hybrid", "cascade", "hosted_open"]
KNOWN_KEYS += ["self_hosted", "self_hosted_mixed", "price_overrides", "uncertainty", "quality", "notes", "model", "share"]
KNOWN_KEYS += [f[0].rsplit(".", 1)[-1] for f in NUMBER_FIELDS]

hostile_leaves = (
    st.sampled_from(ODD_SCALARS)
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | st.text(max_size=30)
    | st.booleans()
    | st.none()
)
hostile_values = st.recursive(
    hostile_leaves,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=12,
)


def _paths(tree, prefix=()):
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from _paths(value, (*prefix, i))


def _replace(tree, path, value):
    if not path:
        return value
    holder = tree
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return tree


@st.composite
def hostile_trees(draw):
    """A scenario document (valid, from ``scenario_documents``) with a few values replaced by hostile ones,
    keys added (unknown, or the same name with spaces around it) and sections dropped."""
    doc = draw(scenario_documents())
    doc["uncertainty"] = {"draws": 500, "growth_rate": {"low": 0.01, "high": 0.05}}
    doc["quality"] = {"cost_per_error_usd": 1, "error_rates": {"gpt-5": 0.05}}
    for _ in range(draw(st.integers(0, 4))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "add", "spaced-twin"]))
        target = doc
        for step in path:
            target = target[step]
        if action == "replace" or not isinstance(target, dict):
            doc = _replace(doc, path, draw(hostile_values))
            if not isinstance(doc, dict):
                break
        elif action == "add":
            target[draw(st.sampled_from(KNOWN_KEYS) | st.text(max_size=8))] = draw(hostile_values)
        elif target:
            key = draw(st.sampled_from(sorted(map(str, target))))
            target[f"{key} "] = draw(hostile_values)
    return doc


def _flow(value, draw, anchors: list[str]) -> str:
    """``value`` as flow-style YAML, with anchors on some collections and aliases to earlier ones."""
    if anchors and draw(st.integers(0, 19)) == 0:
        return f"*{draw(st.sampled_from(anchors))}"
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        text = "[" + ", ".join(_flow(v, draw, anchors) for v in value) + "]"
    else:
        text = (
            "{"
            + ", ".join(
                f"{_flow(k, draw, []) if not isinstance(k, Raw) else k}: {_flow(v, draw, anchors)}" for k, v in value.items()
            )
            + "}"
        )
    if draw(st.integers(0, 5)) == 0:
        name = f"a{len(anchors)}"
        anchors.append(name)
        text = f"&{name} {text}"
    return text


@st.composite
def hostile_documents(draw) -> str:
    """The text of a scenario file: YAML (flow or block style) or JSON, built from ``hostile_trees``."""
    tree = draw(hostile_trees())
    style = draw(st.sampled_from(["flow", "flow", "block", "json"]))
    if style == "flow":
        return _flow(tree, draw, [])
    if style == "json":
        try:
            return json.dumps(tree, default=str)
        except (ValueError, TypeError):
            return _flow(tree, draw, [])
    try:
        return yaml.safe_dump(_plain(tree), allow_unicode=draw(st.booleans()), sort_keys=False)
    except (yaml.YAMLError, ValueError):
        return _flow(tree, draw, [])


def _plain(tree):
    if isinstance(tree, Raw):
        return str(tree)
    if isinstance(tree, dict):
        return {_plain(k): _plain(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_plain(v) for v in tree]
    return tree


link_values = (
    st.sampled_from(["", "nan", "inf", "-inf", "1e400", "-0", "1_000", "0x10", "9" * 299, "1" * 300, "1" * 301, "\x00", "\u0085"])
    | st.text(max_size=12)
    | st.integers(min_value=-(10**300), max_value=10**300).map(str)
)


@st.composite
def hostile_links(draw) -> dict[str, str]:
    """Query parameters of a share link: short keys with hostile values, unknown keys, and a payload
    built from a hostile tree (huge integers, NaN, spaced twins of override keys, a junk price snapshot)."""
    params = draw(st.dictionaries(st.sampled_from([*SHORT_KEYS, "off", "v"]) | st.text(max_size=6), link_values, max_size=8))
    if draw(st.integers(0, 3)) == 0:  # a portfolio link (version 2): workloads built from hostile trees
        workloads = draw(st.lists(hostile_trees(), min_size=0, max_size=3))
        tree = {"version": 2, "name": "p", "workloads": [_plain(w) for w in workloads]}
        if draw(st.booleans()):
            tree["_prices"] = draw(st.dictionaries(st.text(max_size=8), hostile_values, max_size=5))
        raw = json.dumps(_plain(tree), default=str).encode()
        return {"v": "2", "p": "1." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")}
    if draw(st.booleans()):
        tree = draw(hostile_trees())
        if isinstance(tree, dict):
            tree["_prices"] = draw(st.dictionaries(st.text(max_size=8), hostile_values, max_size=5))
        raw = json.dumps(_plain(tree), default=str).encode()  # NaN and Infinity included: json.loads reads them
        params["x"] = draw(
            st.sampled_from(
                [
                    "1." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("="),
                    "1." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()[:-7],  # truncated
                    "2." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode(),
                ]
            )
        )
    return params


def assert_read_or_refused(text: str) -> None:
    try:
        load_scenario_text(text, source="fuzz.yaml")
    except ScenarioError as exc:
        assert len(str(exc)) <= MAX_MESSAGE


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=hostile_documents())
def test_any_document_is_read_or_refused_with_a_bounded_message(text):
    assert_read_or_refused(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=hostile_documents())
def test_any_document_on_the_cli_exits_0_or_2_without_a_traceback(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        code, _, err = cli("evaluate", str(path))
    assert code in (0, 2), err
    assert "Traceback" not in err and len(err) <= MAX_MESSAGE


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(params=hostile_links())
def test_any_link_opens_with_bounded_notices(catalog, params):
    scenario, notices = params_to_document(params, catalog)
    assert not any(LINK_UNREADABLE in n for n in notices), notices
    assert len(notices) <= MAX_PARAMS + MAX_PROBLEMS + MAX_SNAPSHOT_MODELS + 5
    assert all(len(n) <= 400 for n in notices), notices


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(params=hostile_links(), repeats=st.lists(st.tuples(st.sampled_from(sorted(SHORT_KEYS)), link_values), max_size=3))
def test_any_link_on_the_cli_exits_0_or_2_without_a_traceback(params, repeats):
    # repeats: parameters given a second time (a forged link may repeat a key)
    code, _, err = cli("evaluate", "?" + urlencode(params) + ("&" + urlencode(repeats) if repeats else ""))
    assert code in (0, 2), err
    assert "Traceback" not in err and len(err) <= MAX_MESSAGE
