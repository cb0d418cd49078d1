"""Token cost formulas: what one request, or one batch of token counts, costs at one price.

All prices are US dollars per 1M tokens (``PriceEntry`` from ``pricing.catalog``); all
results are US dollars.
"""

from __future__ import annotations

from dataclasses import dataclass

from pricing.catalog import PriceEntry

PER_MILLION = 1_000_000.0


@dataclass(frozen=True)
class CostParts:
    """Dollars split by what they pay for."""

    input: float = 0.0  # uncached input
    cached_input: float = 0.0  # cache reads
    cache_write: float = 0.0
    output: float = 0.0  # visible output
    reasoning: float = 0.0  # hidden reasoning, billed at the output price

    @property
    def total(self) -> float:
        return self.input + self.cached_input + self.cache_write + self.output + self.reasoning

    def scaled(self, factor: float) -> CostParts:
        return CostParts(*(factor * v for v in self.as_tuple()))

    def plus(self, other: CostParts) -> CostParts:
        return CostParts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        return (self.input, self.cached_input, self.cache_write, self.output, self.reasoning)

    def as_dict(self) -> dict[str, float]:
        return dict(zip(("input", "cached_input", "cache_write", "output", "reasoning"), self.as_tuple(), strict=True))


def effective_rates(entry: PriceEntry, input_tokens: float) -> tuple[float, float, float, float]:
    """($/1M input, $/1M cached input, $/1M cache write, $/1M output) for a request of this size.

    A request whose input exceeds the entry's long-context threshold is billed wholly at the
    long-context tier (the rule of Gemini Pro, Claude Sonnet 4.5 1M and GPT-5.4+).
    A missing cached price bills cache reads as input; a missing write price bills cache
    writes as input (no surcharge).

    >>> from pricing import load_catalog
    >>> import datetime as dt
    >>> pro = load_catalog().model("gemini-3-pro-preview").price_on(dt.date(2026, 1, 1))
    >>> effective_rates(pro, 100_000), effective_rates(pro, 250_000)
    ((2.0, 0.2, 2.0, 12.0), (4.0, 0.4, 4.0, 18.0))
    """
    tier = entry.long_context
    if tier is not None and input_tokens > tier.threshold:
        p_in, p_out = tier.input, tier.output
        p_cached = tier.cached_input if tier.cached_input is not None else entry.cached_input
        p_write = tier.cache_write if tier.cache_write is not None else entry.cache_write
    else:
        p_in, p_out, p_cached, p_write = entry.input, entry.output, entry.cached_input, entry.cache_write
    return p_in, (p_in if p_cached is None else p_cached), (p_in if p_write is None else p_write), p_out


def request_cost(
    entry: PriceEntry,
    input_tokens: float,
    output_tokens: float,
    reasoning_tokens: float = 0.0,
    cached_input_share: float = 0.0,
    cache_write_share: float = 0.0,
    batch_share: float = 0.0,
    draft_tokens: float = 0.0,
) -> CostParts:
    """Average cost of one request, in dollars.

    Equation, with ``I`` input tokens of which a share ``c`` is read from the cache and a
    share ``w`` written to it, ``O`` output and ``R`` reasoning tokens, prices ``p`` in
    $ per 1M tokens (see ``effective_rates``), batch share ``b`` and batch discount ``d``::

        cost = (I(1-c-w)·p_in + I·w·p_write + (O+R)·p_out) / 1e6 · (1 - b·d)
             + I·c·p_cached / 1e6 · (1 - b·d·k)

    where ``k`` is 1 when the vendor's batch discount also covers cache reads and 0 when it
    does not (``entry.batch_discount_on_cached_input``: Gemini bills cached input at its
    standard price in a batch).

    ``draft_tokens`` ``D`` are new text appended to the input (a cascade's forwarded draft): they
    bill as uncached input, ``(I(1-c-w) + D)·p_in``, and count towards the long-context threshold.

    Edge cases: zero tokens cost $0; a model without a batch API (``d`` is None) bills
    batch requests at the standard price; ``c + w`` above 1 is the caller's error.

    Example: Claude Haiku 4.5 ($1 in, $5 out), 2,000 input and 500 output tokens:
    (2000·1 + 500·5) / 1e6 = $0.0045 per request.
    """
    p_in, p_cached, p_write, p_out = effective_rates(entry, input_tokens + draft_tokens)
    discount = 1.0 - batch_share * (entry.batch_discount or 0.0)
    scale = discount / PER_MILLION
    cached_scale = scale if entry.batch_discount_on_cached_input else 1.0 / PER_MILLION
    uncached_share = max(0.0, 1.0 - cached_input_share - cache_write_share)
    return CostParts(
        input=(input_tokens * uncached_share + draft_tokens) * p_in * scale,
        cached_input=input_tokens * cached_input_share * p_cached * cached_scale,
        cache_write=input_tokens * cache_write_share * p_write * scale,
        output=output_tokens * p_out * scale,
        reasoning=reasoning_tokens * p_out * scale,
    )


def tokens_cost(
    entry: PriceEntry,
    uncached_input_tokens: float,
    cached_input_tokens: float,
    output_tokens: float,
    cache_write_tokens: float = 0.0,
) -> CostParts:
    """List-price cost of token totals (e.g. a month of usage), base tier, no batch discount.

    ``cost = (U·p_in + C·p_cached + W·p_write + O·p_out) / 1e6``. Totals carry no per-request
    sizes, so the long-context tier cannot be applied here.

    Example: GPT-5 ($1.25 in, $0.125 cached, $10 out), 8M uncached, 2M cached, 1M output:
    (8·1.25 + 2·0.125 + 1·10) = $20.25.
    """
    p_cached = entry.input if entry.cached_input is None else entry.cached_input
    p_write = entry.input if entry.cache_write is None else entry.cache_write
    return CostParts(
        input=uncached_input_tokens * entry.input / PER_MILLION,
        cached_input=cached_input_tokens * p_cached / PER_MILLION,
        cache_write=cache_write_tokens * p_write / PER_MILLION,
        output=output_tokens * entry.output / PER_MILLION,
    )
