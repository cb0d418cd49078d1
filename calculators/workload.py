"""The workload: requests a month, tokens a request, caching, batching and other charges, and its reader.

Part of the scenario document (``calculators.scenario`` re-exports it). Pure: no files, no UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from calculators.schema import MAX_TOKENS_PER_REQUEST, Reader, digits_above, plain_count

MAX_TOKENS_PER_MONTH = 1e15
MAX_OTHER_MONTHLY_USD = 1e9  # workload.other_monthly_usd: non-token charges a month
TOKEN_BLOCK = 1_000  # with volume_unit "tokens": the tokens one counted "request" stands for


@dataclass(frozen=True)
class Workload:
    requests_per_month: float = 50_000
    input_tokens: float = 2_000
    output_tokens: float = 500
    reasoning_tokens: float = 0
    cached_input_share: float = 0.0
    cache_write_share: float = 0.0
    batch_share: float = 0.0
    # Non-token charges (web search, tool calls, code execution): a fixed line in every strategy's
    # monthly cost, the same for all of them (so it moves no break-even). None: no such line.
    other_monthly_usd: float | None = None
    # None: requests. "tokens" (an export without request counts): requests_per_month counts blocks of TOKEN_BLOCK tokens
    volume_unit: str | None = None

    @property
    def tokens_per_request(self) -> float:
        return self.input_tokens + self.output_tokens + self.reasoning_tokens


def parse_workload(reader: Reader, doc: Mapping, d: Workload) -> Workload:
    known = tuple(f.name for f in fields(Workload))
    raw = reader.section(doc, "workload", "workload", known) or {}
    p = "workload"
    workload = Workload(
        requests_per_month=reader.number(raw, "requests_per_month", p, d.requests_per_month, 0, MAX_TOKENS_PER_MONTH),
        input_tokens=reader.number(raw, "input_tokens", p, d.input_tokens, 0, MAX_TOKENS_PER_REQUEST),
        output_tokens=reader.number(raw, "output_tokens", p, d.output_tokens, 0, MAX_TOKENS_PER_REQUEST),
        reasoning_tokens=reader.number(raw, "reasoning_tokens", p, d.reasoning_tokens, 0, MAX_TOKENS_PER_REQUEST),
        cached_input_share=reader.number(raw, "cached_input_share", p, d.cached_input_share, 0, 1),
        cache_write_share=reader.number(raw, "cache_write_share", p, d.cache_write_share, 0, 1),
        batch_share=reader.number(raw, "batch_share", p, d.batch_share, 0, 1),
        other_monthly_usd=reader.number(raw, "other_monthly_usd", p, d.other_monthly_usd, 0, MAX_OTHER_MONTHLY_USD),
        volume_unit=reader.choice(raw, "volume_unit", p, d.volume_unit, ("requests", "tokens")),
    )
    if workload.volume_unit == "requests":  # the default, stored as absent
        workload = replace(workload, volume_unit=None)
    if workload.cached_input_share + workload.cache_write_share > 1 + 1e-9:
        reader.fail("workload.cache_write_share", "cached_input_share + cache_write_share must not exceed 1")
        workload = replace(workload, cache_write_share=0.0)
    if workload.tokens_per_request > MAX_TOKENS_PER_REQUEST:
        reader.fail(
            "workload",
            f"input_tokens + output_tokens + reasoning_tokens = {plain_count(workload.tokens_per_request)} "
            f"tokens a request, above the limit of {MAX_TOKENS_PER_REQUEST:,}",
        )
        workload = replace(
            workload, input_tokens=d.input_tokens, output_tokens=d.output_tokens, reasoning_tokens=d.reasoning_tokens
        )
    tokens = workload.requests_per_month * workload.tokens_per_request
    if tokens > MAX_TOKENS_PER_MONTH:
        reader.fail(
            "workload.requests_per_month",
            f"{plain_count(workload.requests_per_month)} requests x {plain_count(workload.tokens_per_request)} tokens "
            f"= {digits_above(tokens, MAX_TOKENS_PER_MONTH)} tokens a month, above the limit of {MAX_TOKENS_PER_MONTH:.0e}",
        )
        workload = replace(workload, requests_per_month=d.requests_per_month)
    return workload
