"""The supported usage exports, described as data.

Each exporter is one ``FormatSpec``: which header columns identify it, which columns hold
the time, the model, the token counts, the request count and the cost, and, for the few
quirks that a column mapping cannot say, a small hook. The reader and the normalizer in
``calculators.usage.importer`` are shared by every format; adding a format means adding
one entry to ``SPECS``.

Column references use a mini-syntax: ``"a|b"`` accepts either spelling (first present
wins), a trailing ``?`` marks the column optional. Header matching ignores case and
surrounding spaces.

The semantics of each exporter follow its provider's documentation and real exports (OpenAI
usage and cost dashboards, Anthropic Console, OpenRouter activity, LiteLLM proxy spend tables,
Helicone and Langfuse exports); the comment on each entry names the export.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PER_ROW = "per_row"  # requests: every row is one request (per-request exports)


@dataclass(frozen=True)
class Col:
    """A column reference: accepted spellings (first present wins) and whether it may be absent."""

    names: tuple[str, ...]
    optional: bool = False

    @property
    def label(self) -> str:
        return self.names[0]

    def find(self, header: Mapping[str, str]) -> str | None:
        """The actual header name for this column, or None. ``header`` maps lower-case → actual."""
        for name in self.names:
            actual = header.get(name.lower())
            if actual is not None:
                return actual
        return None


def col(spec: str) -> Col:
    """Parse ``"a|b?"`` into ``Col(("a", "b"), optional=True)``."""
    optional = spec.endswith("?")
    return Col(tuple(spec.rstrip("?").split("|")), optional)


def cols(*specs: str) -> tuple[Col, ...]:
    return tuple(col(s) for s in specs)


@dataclass(frozen=True)
class FeatureSource:
    """A column that names the product feature a row belongs to (a trace name, a tag, a team, an app...).

    ``pattern`` extracts the value from a JSON text column (a vectorized regex with a group ``v``,
    and optionally ``k``: then the value reads ``k=v``, e.g. a Helicone property ``Feature=chat``);
    empty: the cell itself. ``label`` names the source in messages (default: the column).
    """

    column: Col
    pattern: str = ""
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.column.label


def feature(spec: str, pattern: str = "", label: str = "") -> FeatureSource:
    """``feature("traceName")``: an optional column whose cell names the feature."""
    return FeatureSource(col(spec.rstrip("?") + "?"), pattern, label)


_FIRST_JSON_TAG = r'^\s*\[\s*"(?P<v>[^"]+)"'  # the first tag of a JSON array of strings


def _json_key(key: str) -> str:
    """The string value of ``key`` in a JSON object (also when its quotes are doubled, as Helicone's CSV writes them)."""
    return rf'"+{key}"+\s*:\s*"+(?P<v>[^"]+)"'


# A hook gets the columns it asked for (role → Arrow string array, None when absent) and the
# row count. A model hook returns the model array; a row check returns
# [(reason label, bad-row mask, raw values shown in the message)].
ModelHook = Callable[[pa.ChunkedArray | None, Mapping[str, pa.ChunkedArray | None], int], pa.ChunkedArray]
RowCheck = Callable[[Mapping[str, pa.ChunkedArray | None], int], list[tuple[str, np.ndarray, pa.ChunkedArray | None]]]


@dataclass(frozen=True)
class FormatSpec:
    """One export format: how to find it and how each of its columns maps to the normalized row.

    ``input`` columns are summed into *all* input tokens (cached and cache writes included),
    ``cached`` columns into cache reads, ``output`` into output tokens. ``reasoning`` is a
    column the exporter reports next to output: it is taken as already included in
    ``output`` unless a row shows otherwise (reasoning > output), then it is added.
    ``requests`` is a ``Col``, ``PER_ROW`` or None (the export has no request count).
    ``cached_json`` is a JSON text column from which cache reads are extracted by pattern
    ``cached_json_pattern`` (vectorized regex, first match).
    """

    id: str
    name: str
    time: Col
    model: Col
    input: tuple[Col, ...] = ()
    cached: tuple[Col, ...] = ()
    output: tuple[Col, ...] = ()
    reasoning: Col | None = None
    requests: Col | str | None = None
    cost: Col | None = None
    end_time: Col | None = None  # exclusive bucket end, used for the covered period
    identify: tuple[Col, ...] = ()  # columns only used to recognise the format
    extra: Mapping[str, Col] = field(default_factory=dict)  # columns the hooks read
    cached_json: Col | None = None
    cached_json_pattern: str = ""
    model_hook: ModelHook | None = None
    row_check: RowCheck | None = None
    notes: tuple[str, ...] = ()  # caveats reported with every import of this format
    # Columns that name the feature (workload) of a row, in priority order: a row's feature is the
    # first of them that is not empty. All optional: they never decide the format.
    features: tuple[FeatureSource, ...] = ()

    @property
    def cost_only(self) -> bool:
        return not self.input and not self.output

    def all_cols(self) -> list[Col]:
        found = [self.time, self.model, *self.input, *self.cached, *self.output, *self.identify]
        found += [c for c in (self.reasoning, self.cost, self.end_time, self.cached_json) if c is not None]
        if isinstance(self.requests, Col):
            found.append(self.requests)
        return found + list(self.extra.values()) + [f.column for f in self.features]

    def required(self) -> list[Col]:
        seen: list[Col] = []
        for c in self.all_cols():
            if not c.optional and c not in seen:
                seen.append(c)
        return seen

    def missing(self, header: Mapping[str, str]) -> list[str]:
        """Names of required columns absent from ``header`` (lower-case → actual)."""
        return [c.label for c in self.required() if c.find(header) is None]


# ------------------------------------------------------------------ per-format hooks


def _null_strings(n: int) -> pa.ChunkedArray:
    return pa.chunked_array([pa.nulls(n, pa.string())])


def _openai_line_item(model, extra, n):
    # Grouped by line item, `line_item` reads "<model>, <token kind>" (spelling UNVERIFIED);
    # ungrouped it is empty. Keep the model part; an ungrouped day is one spend line.
    if model is None:
        model = _null_strings(n)
    model = pc.replace_substring_regex(model, r"\s*,.*$", "")
    model = pc.if_else(pc.equal(pc.binary_length(pc.utf8_trim_whitespace(model)), 0), pa.scalar(None, pa.string()), model)
    return pc.fill_null(model, "(all line items)")


def _anthropic_cost_model(model, extra, n):
    # Non-token spend (web search) has model "--": label it by cost_type, keep the dollars.
    cost_type = extra.get("cost_type")
    label = (
        pc.binary_join_element_wise("(", pc.fill_null(cost_type, "other cost"), ")", "")
        if cost_type is not None
        else "(other cost)"
    )
    return pc.if_else(pc.equal(pc.utf8_trim_whitespace(model), "--"), label, model)


def _litellm_model(model, extra, n):
    # Failed or router-level calls can have an empty `model`; the model group names the deployment.
    group = extra.get("model_group")
    if group is None:
        return model
    return pc.coalesce(pc.if_else(pc.equal(pc.binary_length(model), 0), pa.scalar(None, pa.string()), model), group)


def _usd_only(extra, n):
    currency = extra.get("currency")
    if currency is None:
        return []
    norm = pc.utf8_lower(pc.utf8_trim_whitespace(currency))
    bad = pc.fill_null(pc.not_equal(norm, "usd"), False).to_numpy(zero_copy_only=False)
    return [("amount_currency is not USD", bad, currency)]


# ------------------------------------------------------------------ the formats

_CACHE_READ_KEYS = r"cache_read_input_tokens|cached_tokens|input_cached_tokens|input_cache_read|cache_read"

SPECS: tuple[FormatSpec, ...] = (
    FormatSpec(  # OpenAI usage dashboard CSV
        id="openai_usage",
        name="OpenAI usage export (completions_usage_*.csv)",
        time=col("start_time|start_time_iso"),
        end_time=col("end_time|end_time_iso?"),
        model=col("model"),
        input=cols("input_tokens"),  # already includes cached
        cached=cols("input_cached_tokens?"),
        output=cols("output_tokens?"),  # optional: embeddings_usage_*.csv has none
        requests=col("num_model_requests"),
        features=(feature("project_id"), feature("api_key_id")),
    ),
    FormatSpec(  # OpenAI cost dashboard CSV
        id="openai_cost",
        name="OpenAI cost export (cost_*.csv)",
        time=col("start_time|start_time_iso"),
        end_time=col("end_time|end_time_iso?"),
        model=col("line_item?"),
        cost=col("amount_value"),
        extra={"currency": col("amount_currency?")},
        model_hook=_openai_line_item,
        row_check=_usd_only,
        notes=("cost export: spend history only, no token counts",),
    ),
    FormatSpec(  # Anthropic Console usage CSV, 12- and 14-column variants and the older single cache-write column
        id="anthropic_usage",
        name="Anthropic Console usage export (claude_api_tokens_*.csv)",
        time=col("usage_date_utc"),
        model=col("model_version"),
        input=cols(
            "usage_input_tokens_no_cache",
            "usage_input_tokens_cache_write_5m?",
            "usage_input_tokens_cache_write_1h?",
            "usage_input_tokens_cache_write?",
            "usage_input_tokens_cache_read",
        ),
        cached=cols("usage_input_tokens_cache_read"),
        output=cols("usage_output_tokens"),
        requests=None,
        notes=("Anthropic usage exports have no request count: requests are unknown",),
        features=(feature("api_key"), feature("workspace")),  # the key's name ("Closer App"), then the workspace
    ),
    FormatSpec(  # Anthropic Console cost CSV, 11- and 12-column variants
        id="anthropic_cost",
        name="Anthropic Console cost export (claude_api_cost_*.csv)",
        time=col("usage_date_utc"),
        model=col("model"),
        cost=col("cost_usd"),
        identify=cols("token_type"),
        extra={"cost_type": col("cost_type?")},
        model_hook=_anthropic_cost_model,
        notes=("cost export: spend history only, no token counts",),
    ),
    FormatSpec(  # OpenRouter activity export, per generation
        id="openrouter_activity",
        name="OpenRouter activity export (one row per generation)",
        time=col("created_at"),
        model=col("model_permaslug"),
        input=cols("tokens_prompt"),  # includes cached
        cached=cols("tokens_cached?"),
        output=cols("tokens_completion"),
        reasoning=col("tokens_reasoning?"),
        requests=PER_ROW,
        cost=col("cost_total"),
        identify=cols("generation_id"),
        notes=("output_tokens = tokens_completion, which includes reasoning (OpenRouter bills reasoning as completion)",),
        features=(feature("app_name"), feature("api_key_name")),
    ),
    FormatSpec(  # OpenRouter grouped activity export (single source)
        id="openrouter_grouped",
        name="OpenRouter grouped activity export (day x model)",
        time=col("Date"),
        model=col("Slug"),
        input=cols("Prompt Tokens"),
        output=cols("Completion Tokens"),
        reasoning=col("Reasoning Tokens?"),
        requests=col("Requests"),
        cost=col("Usage"),
        notes=("OpenRouter grouped export has no cache column: cached_input_tokens is 0",),
    ),
    FormatSpec(  # LiteLLM proxy spend logs, per request
        id="litellm_spendlogs",
        name="LiteLLM_SpendLogs table dumped to CSV",
        time=col("startTime"),
        model=col("model"),
        input=cols("prompt_tokens"),
        output=cols("completion_tokens"),
        requests=PER_ROW,
        cost=col("spend"),
        identify=cols("request_id"),
        extra={"model_group": col("model_group?")},
        cached_json=col("metadata?"),
        cached_json_pattern=rf'"(?:{_CACHE_READ_KEYS})"\s*:\s*(?P<v>\d+)',
        model_hook=_litellm_model,
        notes=("LiteLLM: prompt_tokens taken as all input; cache reads read from the metadata JSON when present",),
        features=(
            feature("request_tags", _FIRST_JSON_TAG, "request_tags"),
            feature("metadata", _json_key("user_api_key_alias"), "key alias"),
            feature("metadata", _json_key("user_api_key_team_alias"), "team alias"),
            feature("team_id"),
            feature("end_user"),
        ),
    ),
    FormatSpec(  # LiteLLM proxy LiteLLM_Daily{User,Team,Tag,EndUser}Spend
        id="litellm_daily_spend",
        name="LiteLLM daily spend table (LiteLLM_Daily*Spend) dumped to CSV",
        time=col("date"),
        model=col("model"),
        input=cols("prompt_tokens"),
        cached=cols("cache_read_input_tokens?"),
        output=cols("completion_tokens"),
        requests=col("api_requests"),
        cost=col("spend"),
        extra={"model_group": col("model_group?")},
        model_hook=_litellm_model,
        notes=("LiteLLM: prompt_tokens taken as all input (OpenAI semantics, cache reads included)",),
        features=(feature("tag"), feature("team_id"), feature("end_user"), feature("user_id")),  # by table
    ),
    FormatSpec(  # Helicone export
        id="helicone",
        name="Helicone export CSV (npx @helicone/export)",
        time=col("request_created_at|response_created_at"),
        model=col("model"),
        input=cols("prompt_tokens"),
        output=cols("completion_tokens"),
        requests=PER_ROW,
        cost=col("cost|cost_usd?"),
        identify=cols("response_id"),
        notes=("Helicone CSV has no cache columns: cached_input_tokens is 0",),
        features=(  # custom properties: one that names a feature or app first, else the first one
            feature(
                "request_properties",
                r'(?i)"+Helicone-Property-(?P<k>feature|app|use-?case|workflow|task|endpoint|component)"+\s*:\s*"+(?P<v>[^"]+)"',
                "request_properties",
            ),
            feature("request_properties", r'"+Helicone-Property-(?P<k>[^"]+)"+\s*:\s*"+(?P<v>[^"]+)"', "request_properties"),
        ),
    ),
    FormatSpec(  # Langfuse v2 generations export
        id="langfuse_v2",
        name="Langfuse generations export (legacy v2)",
        time=col("startTime"),
        model=col("model"),
        input=cols("promptTokens"),
        output=cols("completionTokens"),
        requests=PER_ROW,
        cost=col("totalCost|totalCostInUSD|calculatedTotalCost?"),
        identify=cols("traceId"),
        notes=("Langfuse v2 export has no cache columns: cached_input_tokens is 0",),
        features=(feature("traceName"),),
    ),
    FormatSpec(  # Langfuse v3 batch export; column order varies by release, matching is by name
        id="langfuse_v3",
        name="Langfuse observations export (current, v3)",
        time=col("startTime"),
        model=col("model"),
        input=cols("inputUsage"),  # sum of all input* usage keys: includes cached
        output=cols("outputUsage"),
        requests=PER_ROW,
        cost=col("totalCost?"),
        identify=cols("traceId"),
        cached_json=col("usageDetails?"),
        cached_json_pattern=rf'"(?:{_CACHE_READ_KEYS})"\s*:\s*(?P<v>\d+)',
        features=(feature("traceName"), feature("traceTags", _FIRST_JSON_TAG, "traceTags")),
    ),
    FormatSpec(  # documented in this module's README section / calculators.usage docstring
        id="generic",
        name="Generic format (date, model, input_tokens, output_tokens[, cached_input_tokens, requests, cost_usd])",
        time=col("date|month"),
        model=col("model"),
        input=cols("input_tokens"),  # all input, cached included
        cached=cols("cached_input_tokens?"),
        output=cols("output_tokens"),
        requests=col("requests?"),
        cost=col("cost_usd?"),
        features=(feature("feature"),),
    ),
)

SPECS_BY_ID: dict[str, FormatSpec] = {s.id: s for s in SPECS}
FORMATS: dict[str, str] = {s.id: s.name for s in SPECS}

# Headers that are valid exports of an empty period (an OpenAI usage export of an empty period is "only the header").
EMPTY_PERIOD_HEADERS = {frozenset({"start_time", "end_time", "start_time_iso", "end_time_iso"})}


def header_index(columns: Sequence[str]) -> dict[str, str]:
    """Map lower-case, stripped names to the actual header names (first occurrence wins)."""
    index: dict[str, str] = {}
    for name in columns:
        index.setdefault(str(name).strip().lower(), name)
    return index


def detect_format(header_columns: Sequence[str]) -> str | None:
    """The format id whose required columns all appear in ``header_columns``, or None.

    When several formats match, the one with the most required columns wins (the most
    specific description of the file); ties go to the earlier entry of ``SPECS``.
    Matching ignores case, surrounding spaces and a UTF-8 byte-order mark.

    >>> detect_format(["date", "model", "input_tokens", "output_tokens"])
    'generic'
    >>> detect_format(["Date", "Slug", "Usage", "BYOK Usage", "Requests", "Prompt Tokens",
    ...                "Completion Tokens", "Reasoning Tokens"])
    'openrouter_grouped'
    >>> detect_format(["a", "b"]) is None
    True
    """
    index = header_index([str(c).lstrip("\ufeff") for c in header_columns])
    best: tuple[int, str] | None = None
    for spec in SPECS:
        if not spec.missing(index):
            score = len(spec.required())
            if best is None or score > best[0]:
                best = (score, spec.id)
    return None if best is None else best[1]


def near_miss(header_columns: Sequence[str]) -> tuple[FormatSpec, list[str]] | None:
    """The format the header most resembles and its missing columns, for error messages.

    A format qualifies when at least two and at least half of its required columns are present.
    """
    index = header_index(header_columns)
    best: tuple[float, FormatSpec, list[str]] | None = None
    for spec in SPECS:
        required = spec.required()
        missing = spec.missing(index)
        present = len(required) - len(missing)
        if missing and present >= 2 and present * 2 >= len(required):
            share = present / len(required)
            if best is None or share > best[0]:
                best = (share, spec, missing)
    return None if best is None else (best[1], best[2])


def describe_formats() -> str:
    """The formats by name (the generic one spells out its columns), for 'unknown header' messages."""
    return "; ".join(spec.name for spec in SPECS)
