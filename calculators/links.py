"""Share links: a scenario as URL query parameters, and back.

Layout of a version-1 link (every parameter optional; a missing one means the link default):

- short, readable keys for the scalar settings (``rpm=2000000&fm=gpt-5&esc=0.3``), the same keys
  the dashboard's widgets bind to with ``bind="query-params"``;
- ``off=hybrid.cascade``: strategies switched off;
- ``x=1.<base64url(zlib(JSON))>``: a compact, versioned payload for what has no short key
  (N-way routes, price overrides, per-slot reasoning tokens, extra sections) and a price
  snapshot of models that are not among the link defaults, so that a link naming a model the
  catalog no longer has still opens, priced as it was when the link was made.

The defaults are frozen per link version (``LINK_DEFAULTS``): changing the app's default
scenario never changes what an old link means. Decoding never raises: every problem (bad
encoding, truncation, wrong types, out-of-range numbers, unknown keys, oversized payloads)
becomes a notice, and the valid parts are kept.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from calculators.document import DocumentError, load_json, named
from calculators.scenario import MAX_PRICE_PER_MTOK, MAX_ROUTES, STRATEGIES, Scenario, parse_scenario, scenario_to_dict
from calculators.strategies import REGISTRY

LINK_VERSION = 1
MAX_PARAMS = 64
MAX_VALUE_CHARS = 300
MAX_PAYLOAD_CHARS = 6_000  # checked before decoding anything
MAX_PAYLOAD_BYTES = 64_000  # decompressed size, enforced while decompressing
# A snapshot prices the models the scenario uses that the link defaults do not: at most every route,
# both cascade slots, the flagship, the hosted open model and the two slots of the self-hosted + flagship mix.
MAX_SNAPSHOT_MODELS = MAX_ROUTES + 6
SNAPSHOT_FIELDS = ("input", "output", "cached_input")

# Frozen link-version-1 defaults. Never edit: add LINK_DEFAULTS for version 2 instead.
LINK_DEFAULTS: dict[int, dict] = {
    1: {
        "version": 1,
        "name": "Untitled scenario",
        "workload": {
            "requests_per_month": 1_000_000,
            "input_tokens": 2000,
            "output_tokens": 500,
            "reasoning_tokens": 0,
            "cached_input_share": 0.0,
            "cache_write_share": 0.0,
            "batch_share": 0.0,
        },
        "growth": {"monthly_rate": 0.05, "horizon_months": 24},
        "flagship_only": {"model": "claude-opus-4-5"},
        "hybrid": {"routes": [{"model": "claude-haiku-4-5", "share": 0.75}, {"model": "claude-opus-4-5", "share": 0.25}]},
        "cascade": {"first": {"model": "claude-haiku-4-5"}, "second": {"model": "claude-opus-4-5"}, "escalation_rate": 0.2},
        "hosted_open": {"model": "together-llama-3.3-70b"},
        "self_hosted": {
            "profile": "llama-3.3-70b-fp8-2xh100",
            "utilization": 0.6,
            "peak_to_average": 1.5,
            "min_replicas": 1,
            "ops_usd_per_month": 0,
        },
    }
}

# short key → (section, field). Model slots map to the slot's "model". A strategy's keys are its registry
# entry's link_keys (calculators/strategies.py): a new strategy names its own, an old link reads the same.
SHORT_KEYS: dict[str, tuple[str, str]] = {
    "rpm": ("workload", "requests_per_month"),
    "in": ("workload", "input_tokens"),
    "out": ("workload", "output_tokens"),
    "rsn": ("workload", "reasoning_tokens"),
    "cache": ("workload", "cached_input_share"),
    "cw": ("workload", "cache_write_share"),
    "batch": ("workload", "batch_share"),
    "oth": ("workload", "other_monthly_usd"),  # non-token charges, $ a month (absent: none)
    "vu": ("workload", "volume_unit"),  # "tokens": the volume counts blocks of 1,000 tokens (absent: requests)
    "g": ("growth", "monthly_rate"),
    "h": ("growth", "horizon_months"),
    "start": ("growth", "start_month"),
    **{short: (key, field) for key, strategy in REGISTRY.items() for short, field in strategy.link_keys.items()},
    "n": ("", "name"),
}
# (section, field) of each model slot a short key can name: the link carries the slot's model name alone
SLOT_FIELDS = frozenset((key, field) for key, strategy in REGISTRY.items() for field in strategy.section.slot_fields)
RESERVED = ("off", "x", "v")


def _get(doc: Mapping, section: str, key: str) -> Any:
    holder = doc if not section else doc.get(section)
    if not isinstance(holder, Mapping):
        return None
    value = holder.get(key)
    if isinstance(value, Mapping) and (section, key) in SLOT_FIELDS:
        # a slot without its own reasoning tokens is just its model name
        return value.get("model") if set(value) == {"model"} else None
    return value


def _set(doc: dict, section: str, key: str, value: Any) -> None:
    if not section:
        doc[key] = value
        return
    holder = doc.setdefault(section, {})
    if not isinstance(holder, dict):
        holder = doc[section] = {}
    if value == "":
        holder.pop(key, None)
        return
    if (section, key) in SLOT_FIELDS:
        value = {"model": value}
    holder[key] = value


def _short_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _encode_payload(doc: dict) -> str:
    raw = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    return f"{LINK_VERSION}.{packed}"


def _decode_payload(text: str) -> tuple[dict | None, str | None]:
    """The payload's document, or None and the reason it cannot be read."""
    if len(text) > MAX_PAYLOAD_CHARS:
        return None, f"the link's x payload is {len(text):,} characters, above the {MAX_PAYLOAD_CHARS:,} allowed; it was ignored"
    version, dot, body = text.partition(".")
    if not dot or version != str(LINK_VERSION):
        return None, f"the link's x payload has an unknown version {version[:10]!r}; it was ignored"
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_PAYLOAD_BYTES)
        if inflater.unconsumed_tail:
            return None, f"the link's x payload expands beyond {MAX_PAYLOAD_BYTES:,} bytes; it was ignored"
        if not inflater.eof:
            return None, "the link's x payload is truncated; it was ignored"
        doc = load_json(raw.decode("utf-8"))
    except DocumentError as exc:  # before ValueError, its base class
        return None, f"the link's x payload cannot be read ({exc}); it was ignored"
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError):
        return None, "the link's x payload is damaged (not valid base64/zlib/JSON); it was ignored"
    if not isinstance(doc, dict):
        return None, "the link's x payload is not a mapping; it was ignored"
    return doc, None


def scenario_to_params(scenario: Scenario, catalog=None) -> dict[str, str]:
    """Query parameters for a scenario, defaults left out (see the module docstring)."""
    defaults = LINK_DEFAULTS[LINK_VERSION]
    doc = scenario_to_dict(scenario)
    params: dict[str, str] = {}
    for short, (section, key) in SHORT_KEYS.items():
        value = _get(doc, section, key)
        default = _get(defaults, section, key)
        travels_whole = isinstance(doc.get(section), Mapping) and isinstance(doc[section].get(key), Mapping)
        if value == default or (value is None and (default is None or section not in doc or travels_whole)):
            continue
        params[short] = "" if value is None else _short_text(value)  # "" clears a default
    off = [key for key in STRATEGIES if key in defaults and key not in doc]
    if off:
        params["off"] = ".".join(off)
    payload: dict[str, Any] = {}
    for section, value in doc.items():
        if section in ("version", "name", "workload", "growth"):
            continue
        rest = _without_short_keys(section, value)
        default_rest = _without_short_keys(section, defaults.get(section)) if section in defaults else None
        if rest and rest != default_rest:
            payload[section] = rest
    snapshot = _price_snapshot(scenario, catalog) if catalog is not None else {}
    if snapshot:
        payload["_prices"] = snapshot
    if payload:
        params["x"] = _encode_payload(payload)
    return params


def _without_short_keys(section: str, value: Any) -> Any:
    """The part of a section that has no short key (what goes into the payload)."""
    if not isinstance(value, Mapping):
        return value
    short_fields = {k for s, k in SHORT_KEYS.values() if s == section}
    rest = {}
    for key, item in value.items():
        slot_with_reasoning = (section, key) in SLOT_FIELDS and isinstance(item, Mapping) and set(item) != {"model"}
        if key not in short_fields or slot_with_reasoning:
            rest[key] = item  # a slot with its own reasoning tokens travels whole
    return rest


def _price_snapshot(scenario: Scenario, catalog) -> dict:
    defaults = LINK_DEFAULTS[LINK_VERSION]
    default_models = set(parse_scenario(defaults, strict=False)[0].models_used())
    snapshot = {}
    for name in scenario.models_used():
        if name in default_models or name in scenario.overrides:
            continue
        model_id = catalog.resolve(name)
        if model_id is None:
            continue
        entry = catalog.models[model_id].price_on(scenario.growth.start_month)
        snapshot[name] = {"input": entry.input, "output": entry.output} | (
            {"cached_input": entry.cached_input} if entry.cached_input is not None else {}
        )
    return snapshot


def params_to_scenario(params: Mapping[str, Any], catalog=None) -> tuple[Scenario, list[str]]:
    """Decode query parameters; never raises. Returns the scenario and the notices.

    ``params`` maps each key to a string (or a list of strings for a repeated key, whose
    last value wins). Models the catalog does not know are priced from the link's snapshot.
    """
    try:
        return _read_params(params, catalog)
    except Exception as exc:  # the link boundary: a page opened by any link must open (the tests treat this as a bug)
        scenario, _ = parse_scenario(LINK_DEFAULTS[LINK_VERSION], strict=False)
        return scenario, [f"{LINK_UNREADABLE} ({type(exc).__name__}); the link defaults are shown"]


LINK_UNREADABLE = "the link could not be read"
MAX_NAMED_REPEATS = 5


def single_valued(params: Mapping[str, Sequence[str]]) -> tuple[dict[str, str], list[str]]:
    """One value per parameter of a query string read as lists (``?rpm=1&rpm=5``), and what was assumed.

    The app's links never repeat a key; a forged or hand-edited one may. Its last value is read, as
    a browser's ``URLSearchParams`` would, and a notice names the keys whose values differ.

    >>> single_valued({"rpm": ["1000", "5000"], "cache": ["0.2", "0.2"], "n": []})
    ({'rpm': '5000', 'cache': '0.2', 'n': ''}, ["link parameter 'rpm' is given 2 times with different values; the last was read"])
    """
    values = {str(key): str(items[-1]) if items else "" for key, items in params.items()}
    repeated = [(str(key), len(items)) for key, items in params.items() if len(set(items)) > 1]
    notices = [
        f"link parameter {key[:30]!r} is given {count} times with different values; the last was read"
        for key, count in repeated[:MAX_NAMED_REPEATS]
    ]
    if len(repeated) > MAX_NAMED_REPEATS:
        notices.append(f"... and {len(repeated) - MAX_NAMED_REPEATS} more link parameters given more than once")
    return values, notices


def _read_params(params: Mapping[str, Any], catalog) -> tuple[Scenario, list[str]]:
    notices: list[str] = []
    items = list(params.items())
    if len(items) > MAX_PARAMS:
        notices.append(f"the link has {len(items)} parameters; only the first {MAX_PARAMS} were read")
        items = items[:MAX_PARAMS]
    version = LINK_VERSION
    flat: dict[str, str] = {}
    for key, value in items:
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        key, value = str(key), str(value)
        if len(value) > (MAX_PAYLOAD_CHARS if key == "x" else MAX_VALUE_CHARS):
            notices.append(f"link parameter {key[:30]!r} is too long and was ignored")
            continue
        flat[key] = value
    if "v" in flat and flat["v"] != str(LINK_VERSION):
        notices.append(f"link version {flat['v'][:10]!r} is not known; read as version {LINK_VERSION}")
    doc = copy.deepcopy(LINK_DEFAULTS[version])
    prices: dict = {}
    if "x" in flat:
        payload, problem = _decode_payload(flat["x"])
        if problem:
            notices.append(problem)
        else:
            prices = payload.pop("_prices", {})
            for section, value in payload.items():
                if isinstance(doc.get(section), dict) and isinstance(value, Mapping):
                    doc[section] = {**doc[section], **value}
                else:
                    doc[section] = value
    for key, value in flat.items():
        if key in RESERVED:
            continue
        if key not in SHORT_KEYS:
            notices.append(f"unknown link parameter {key[:30]!r} was ignored")
            continue
        section, field = SHORT_KEYS[key]
        _set(doc, section, field, value)
    if "off" in flat:
        for key in flat["off"].split("."):
            if key in STRATEGIES:
                doc.pop(key, None)
            elif key:
                notices.append(f"unknown strategy {key[:30]!r} in 'off' was ignored")
    fallback, _ = parse_scenario(LINK_DEFAULTS[version], strict=False)
    if catalog is not None and prices:
        try:
            used = set(parse_scenario(doc, strict=False, base=fallback)[0].models_used())
        except Exception:  # a document parse_scenario cannot read is reported by the call below
            used = set()
        notices += apply_snapshot(doc, prices, catalog, used, MAX_SNAPSHOT_MODELS)
    scenario, problems = parse_scenario(doc, strict=False, source="link", base=fallback)
    notices += [f"link: {p}" for p in problems]
    return scenario, notices


def apply_snapshot(doc: dict, prices: Any, catalog, used: set[str], limit: int) -> list[str]:
    """Price the models of a link that the catalog no longer has from the link's ``_prices`` snapshot.

    Only models in ``used`` (the ones the link's scenario uses), at most ``limit``, each with a finite
    input and output price in bounds; an entry of the link's own ``price_overrides`` wins, and an
    empty or broken entry never displaces it. Returns the notices (bounded: one a model, one for the rest)."""
    if not isinstance(prices, Mapping):
        return ["the link's price snapshot (_prices) is not a mapping; it was ignored"]
    overrides = doc.get("price_overrides", {})
    if not isinstance(overrides, dict):
        return []  # the parser reports the overrides themselves
    priced, skipped = [], 0
    for name, snap in prices.items():
        if not isinstance(name, str) or name not in used or catalog.resolve(name) is not None or name in overrides:
            continue
        entry = _snapshot_entry(snap)
        if entry is None or len(priced) >= limit:
            skipped += 1
            continue
        overrides[name] = entry
        priced.append(
            f"{named(name)} is no longer in the price catalog; it is priced as it was when the link was made "
            f"(${entry['input']:g} in / ${entry['output']:g} out per 1M tokens)"
        )
    if overrides and "price_overrides" not in doc:
        doc["price_overrides"] = overrides
    if skipped:
        priced.append(
            f"{skipped:,} entries of the link's price snapshot (_prices) have no valid input and output price; they were ignored"
        )
    return priced


def _snapshot_entry(snap: Any) -> dict | None:
    """A snapshot's prices when its input and output are finite numbers in bounds, else None."""
    if not isinstance(snap, Mapping):
        return None
    entry = {}
    for key in SNAPSHOT_FIELDS:
        value = snap.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= MAX_PRICE_PER_MTOK:
            entry[key] = float(value)
    return entry if {"input", "output"} <= set(entry) else None


def share_url(base: str | None, params: Mapping[str, str]) -> str:
    """``base?query`` (or a relative ``?query`` when the page URL is unknown)."""
    query = urlencode(params, safe=".-_~")
    return f"{base or ''}?{query}" if query else (base or "?")
