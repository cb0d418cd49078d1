"""The mixed strategy: a share of the traffic on a self-hosted model, the rest on a flagship API.

A share ``s`` of the monthly requests ``V`` (the requests a router sends to the small model)
runs on the self-hosted server of the scenario's ``self_hosted`` section; the other
``(1 - s)·V`` go to a flagship API. The server runs ``n >= min_replicas`` replicas of
capacity ``C`` requests a month each (``selfhost.replica_capacity_per_month``), costing
``g`` $ a month each plus ``ops`` $ a month.

Without overflow the fleet grows to carry all of the small share:
``n = replicas_needed(s·V)``, exactly like the ``self_hosted`` strategy.

With overflow (``overflow_to_api``), the small-share traffic above the fleet's capacity
``n·C`` is sent to an API (the overflow model, by default the flagship) at ``o`` $ a request
instead of starting one more replica, whenever that is cheaper. The replica count minimizes
``n·g + o·max(0, s·V - n·C)`` over ``min_replicas <= n <= replicas_needed(s·V)``; the cost is
linear in ``n`` up to ``floor(s·V / C)`` and then takes one last step, so the minimum is at
one of three candidates: the full fleet ``ceil(s·V / C)``, the full replicas
``max(m, floor(s·V / C))``, or the minimum ``m``. Ties keep the larger fleet (no overflow).

Monthly cost::

    mixed(V) = n·g + ops + o·overflow + f·(1 - s)·V

Break-even against a baseline API strategy costing ``b`` $ a request (``mixed_break_even``):
the mixed strategy saves ``b·V - f·(1 - s)·V`` on the API side, i.e. ``a = (b - (1 - s)·f) / s``
per small-share request, so the question is where the server part ``M(x) = n·g + ops +
o·overflow`` meets the line ``a·x`` in ``x = s·V``:

- without overflow, ``M`` is the self-hosted staircase and ``breakeven.break_even`` applies
  unchanged (its volumes are divided by ``s``);
- with overflow, ``M`` is continuous and piecewise linear, with kinks at the replica
  boundaries ``n·C`` and at ``n·C + g/o`` (where one more replica starts to beat the overflow).
  Its crossings with ``a·x`` are found numerically but exactly: ``D(x) = M(x) - a·x`` is
  evaluated at every kink (up to the step beyond which the trend of ``-(a·C - g)`` a step
  keeps ``D`` negative) and each crossing is interpolated inside its linear segment. As in
  ``breakeven``, the first break-even is where ``D`` first reaches 0 (the costs are equal)
  and the sustained one where it stays at or below 0 from then on. Overflowing to an API
  that costs what the baseline does smooths every replica jump into a ramp, so first and
  sustained coincide there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from calculators.breakeven import BreakEven, break_even
from calculators.selfhost import replicas_needed

MAX_SCAN_STEPS = 200_000  # replica steps the overflow break-even scan looks at, at most


@dataclass(frozen=True)
class MixedCost:
    """Monthly dollars and request counts of the mixed strategy (arrays shaped like the volume)."""

    total_usd: np.ndarray
    replicas: np.ndarray
    served: np.ndarray  # small-share requests answered by the server
    overflow: np.ndarray  # small-share requests sent to the overflow API
    flagship_requests: np.ndarray  # (1 - s)·V
    server_usd: np.ndarray  # replicas·g + ops
    overflow_usd: np.ndarray
    flagship_usd: np.ndarray


def _served_capacity(replicas: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(replicas > 0, replicas * capacity, 0.0)


def small_share_server(
    small_requests, capacity, replica_usd, min_replicas: int, overflow_usd_per_request, overflow: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Replicas and overflow requests that serve ``small_requests`` most cheaply.

    Returns ``(replicas, overflow_requests)``, elementwise (all arguments broadcast). Without
    overflow: ``(replicas_needed(x), 0)``. With overflow, the cheapest of the three candidates
    described in the module docstring; ties keep the larger fleet.

    Example: x = 2,500 requests, C = 1,000, g = $900, o = $0.50 a request, m = 1. A full replica
    (1,000 requests, $500 on the API) costs more than its traffic, so 1 replica and 1,500
    requests of overflow: 900 + 750 = $1,650 (against 3 x 900 = $2,700 without overflow).
    """
    x = np.asarray(small_requests, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    unbounded = bool(np.isinf(capacity).any())  # requests of no tokens: guard inf·0
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = x / capacity
    full = np.asarray(replicas_needed(x, capacity, min_replicas), dtype=float)
    if not overflow:
        return full, np.zeros(np.broadcast_shapes(full.shape, np.shape(overflow_usd_per_request)))
    g = np.asarray(replica_usd, dtype=float)
    o = np.asarray(overflow_usd_per_request, dtype=float)
    m = float(min_replicas)
    whole = np.maximum(m, np.floor(ratio))  # the full replicas' worth of traffic (m at least)
    served_whole = _served_capacity(whole, capacity) if unbounded else whole * capacity
    served_min = _served_capacity(np.full_like(capacity, m), capacity) if unbounded else m * capacity
    over_whole = np.maximum(0.0, x - served_whole)
    over_min = np.maximum(0.0, x - served_min)
    cost_full = full * g
    cost_whole = whole * g + o * over_whole
    cost_min = m * g + o * over_min
    # strict '<': on a tie the fuller fleet (less overflow) is kept
    use_whole = cost_whole < cost_full
    best_n = np.where(use_whole, whole, full)
    best_over = np.where(use_whole, over_whole, 0.0)
    use_min = cost_min < np.where(use_whole, cost_whole, cost_full)
    return np.where(use_min, m, best_n), np.where(use_min, over_min, best_over)


def mixed_cost(
    requests_per_month,
    small_share: float,
    flagship_usd_per_request,
    overflow_usd_per_request,
    capacity_per_month,
    replica_usd_per_month,
    ops_usd_per_month: float,
    min_replicas: int,
    overflow: bool,
) -> MixedCost:
    """Monthly cost of the mixed strategy, elementwise over broadcastable arrays.

    ``total = n·g + ops + o·overflow + f·(1 - s)·V`` with ``n`` and ``overflow`` from
    ``small_share_server(s·V, ...)``; units: requests a month, $ a request, $ a month.

    Edge cases: ``s = 0`` gives the flagship's cost plus ``min_replicas·g + ops`` (an idle
    server still bills); ``s = 1`` with no overflow equals the self-hosted strategy.

    Example: V = 10,000, s = 0.75, flagship $0.045 a request, C = 4,000, g = $2,920, m = 1, no
    overflow: 7,500 small requests need 2 replicas, so 2 x 2,920 + 0.045 x 2,500 = $5,952.50.
    """
    volume = np.asarray(requests_per_month, dtype=float)
    small = volume * small_share
    flagship_requests = volume * (1.0 - small_share)
    replicas, over = small_share_server(
        small, capacity_per_month, replica_usd_per_month, min_replicas, overflow_usd_per_request, overflow
    )
    server = replicas * np.asarray(replica_usd_per_month, dtype=float) + ops_usd_per_month
    overflow_usd = np.asarray(overflow_usd_per_request, dtype=float) * over
    flagship_usd = np.asarray(flagship_usd_per_request, dtype=float) * flagship_requests
    total = server + overflow_usd + flagship_usd
    shape = total.shape
    return MixedCost(
        total_usd=total,
        replicas=np.broadcast_to(replicas, shape),
        served=np.broadcast_to(small - over, shape),
        overflow=np.broadcast_to(over, shape),
        flagship_requests=np.broadcast_to(flagship_requests, shape),
        server_usd=np.broadcast_to(server, shape),
        overflow_usd=np.broadcast_to(overflow_usd, shape),
        flagship_usd=np.broadcast_to(flagship_usd, shape),
    )


# ---------------------------------------------------------------------------- break-even


def _never(reason: str, tokens_per_request: float) -> BreakEven:
    return BreakEven(None, None, None, None, reason, tokens_per_request)


def _crossings(x: np.ndarray, d: np.ndarray, slope_after: float, tolerance: np.ndarray) -> tuple[float | None, float | None]:
    """Where a continuous piecewise-linear ``D`` first reaches 0, and after which it stays <= 0.

    ``D`` is linear between the nodes ``(x, d)`` and continues with ``slope_after`` beyond the
    last node; ``|D| <= tolerance`` at a node counts as 0 (float rounding of an exact tie).
    Returns ``(inf{D <= 0}, max(sup{D > 0}, first))``, ``None`` when there is none.
    """
    d = np.where(np.abs(d) <= tolerance, 0.0, d)
    first = None
    reached = np.nonzero(d <= 0)[0]
    if reached.size:
        i = int(reached[0])
        first = float(x[0]) if i == 0 else float(x[i - 1] + d[i - 1] / (d[i - 1] - d[i]) * (x[i] - x[i - 1]))
    elif slope_after < 0:
        first = float(x[-1] + d[-1] / -slope_after)
    if first is None or slope_after > 0 or (slope_after == 0 and d[-1] > 0):
        return first, None
    positive = np.nonzero(d > 0)[0]
    if not positive.size:
        return first, first
    j = int(positive[-1])
    ray = j == len(x) - 1  # the last positive node is the last node: the crossing lies on the ray beyond
    last = x[j] + d[j] / -slope_after if ray else x[j] + d[j] / (d[j] - d[j + 1]) * (x[j + 1] - x[j])
    return first, max(float(last), first)


def _overflow_break_even(
    a: float, capacity: float, g: float, ops: float, m: int, o: float, tokens_per_request: float
) -> BreakEven:
    """Break-even in small-share requests ``x`` of the overflow server part against ``a·x``."""
    saving = a * capacity - g  # what one full replica saves a month against the baseline
    step_worthwhile = o * capacity > g  # a replica beats sending its traffic to the overflow API
    if step_worthwhile:
        switch = g / o  # inside a step, one more replica beats the overflow from here on
        max_h = max(0.0, g - a * switch)  # highest D above the step's start, reached at the switch
        # From step (ops + max_h) / saving on, D <= 0 on whole steps. Without a saving the step
        # minima never fall again, so nothing new happens after step m + 1.
        last_step = max(m, math.ceil((ops + max_h) / saving)) + 1 if saving > 0 else m + 1
        capped = last_step - m > MAX_SCAN_STEPS
        steps = np.arange(m, min(last_step, m + MAX_SCAN_STEPS) + 1, dtype=float)
        nodes = np.concatenate(([0.0, m * capacity], steps * capacity, steps * capacity + switch))
        # beyond the last step the trend keeps D negative; without a saving D never stays below 0
        slope_after = -saving / capacity if saving > 0 else math.inf
    else:
        capped = False
        nodes = np.array([0.0, m * capacity])
        slope_after = o - a  # beyond the minimum fleet every request overflows
    nodes = np.unique(nodes)
    server, over = small_share_server(nodes, capacity, g, m, o, True)
    cost = server * g + ops + o * over
    first, sustained = _crossings(nodes, cost - a * nodes, slope_after, 1e-12 * (cost + a * nodes))
    if capped:
        sustained = None
    if first is None:
        return _never(
            "sending the small share to the server and its overflow never costs less than the API it replaces",
            tokens_per_request,
        )

    def replicas_at(x: float | None) -> int | None:
        return None if x is None else int(small_share_server(x, capacity, g, m, o, True)[0])

    return BreakEven(first, sustained, replicas_at(first), replicas_at(sustained), None, tokens_per_request)


def mixed_break_even(
    baseline_usd_per_request: float,
    flagship_usd_per_request: float,
    overflow_usd_per_request: float,
    small_share: float,
    capacity_per_replica: float,
    replica_usd_per_month: float,
    ops_usd_per_month: float,
    min_replicas: int,
    overflow: bool,
    tokens_per_request: float,
) -> BreakEven:
    """First and sustained monthly request volumes (all traffic) at which mixed costs what the baseline does.

    ``a = (b - (1 - s)·f) / s`` is what the baseline pays per small-share request beyond the
    mixed strategy's flagship part; the server part is compared with ``a·x`` at ``x = s·V``
    (see the module docstring). Without overflow this is ``breakeven.break_even(a, C, g, ops, m)``
    with volumes divided by ``s``; with overflow the exact piecewise-linear scan. The replica
    counts are the fleet at that volume.

    Edge cases: ``s = 0`` or ``a <= 0`` never break even; with overflow, a sustained volume
    beyond ``MAX_SCAN_STEPS`` replica steps is reported as None.

    Example: baseline = flagship = $0.045 a request, s = 0.75, C = 1,000,000, g = $2,920, no ops,
    one replica minimum, no overflow: a = 0.045; break_even gives 2,920 / 0.045 = 64,889 small
    requests, i.e. 64,889 / 0.75 = 86,519 requests a month in all.
    """
    s = small_share
    if s <= 0:
        return _never("no traffic goes to the server (small_share is 0)", tokens_per_request)
    # (b - (1 - s)·f) / s, written so that a baseline equal to the flagship gives a = f exactly
    a = (baseline_usd_per_request - flagship_usd_per_request) / s + flagship_usd_per_request
    if a <= 0:
        return _never("the baseline costs no more than the mixed strategy's API part", tokens_per_request)
    if math.isinf(capacity_per_replica):
        return _never("the workload has no tokens, so there is nothing to serve", tokens_per_request)
    g, ops, m = replica_usd_per_month, ops_usd_per_month, int(min_replicas)
    if overflow:
        result = _overflow_break_even(a, capacity_per_replica, g, ops, m, overflow_usd_per_request, tokens_per_request)
    else:
        result = break_even(a, capacity_per_replica, g, ops, m, tokens_per_request)

    def total(x: float | None) -> float | None:
        return None if x is None else x / s

    return replace(
        result,
        first_requests_per_month=total(result.first_requests_per_month),
        sustained_requests_per_month=total(result.sustained_requests_per_month),
    )
