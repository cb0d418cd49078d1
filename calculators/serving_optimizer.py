"""The cheapest GPU, offer and replica size for a workload: the capacity model over the catalog.

For every GPU with both hardware data and a rental offer, every replica size of 1, 2, 4 or 8 GPUs and
every precision asked for, the capacity model gives one replica's requests/s at the workload's shape and
latency targets; the fleet is ``max(min_replicas, ceil(V x peak_to_average / (rps x 730 x 3600 x
utilization)))`` replicas (``selfhost.replicas_needed``), costing ``replicas x GPUs x $/GPU-hour x 730`` a
month. The options come back cheapest first, with their cost per 1M tokens (input plus generated).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from calculators.capacity import CapacityError, OperatingPoint, Replica, operating_point
from calculators.selfhost import HOURS_PER_MONTH, SECONDS_PER_MONTH, replicas_needed

REPLICA_SIZES = (1, 2, 4, 8)


@dataclass(frozen=True)
class ServingOption:
    gpu: str
    offer: str  # "<gpu>@<provider>"
    usd_per_gpu_hour: float
    gpus_per_replica: int
    precision: str
    requests_per_s: float  # one replica
    output_tokens_per_s: float
    limit: str
    replicas: int
    usd_per_month: float
    usd_per_million_tokens: float

    @property
    def gpus(self) -> int:
        return self.replicas * self.gpus_per_replica


def serving_options(
    hardware,
    offers: Iterable,
    model_id: str,
    input_tokens: float,
    generated_tokens: float,
    requests_per_month: float,
    *,
    precisions: Iterable[str] = ("fp8",),
    engine: str = "trtllm",
    max_ttft_ms: float | None = None,
    max_itl_ms: float | None = None,
    utilization: float = 0.6,
    peak_to_average: float = 1.5,
    min_replicas: int = 1,
    exclude_provider_word: str = "reference",
) -> list[ServingOption]:
    """Every (offer, replica size, precision) that serves the shape, cheapest a month first.

    Offers whose provider names ``exclude_provider_word`` (the check cases' reference prices, not offers)
    are left out. A configuration the model does not fit, or that misses the latency targets even with
    one request at a time, is left out.
    """
    model = hardware.model(model_id)
    fleet = _Fleet(
        requests_per_month, requests_per_month * (input_tokens + generated_tokens), utilization, peak_to_average, min_replicas
    )
    points = {}
    options = []
    for offer in offers:
        if offer.gpu not in hardware.gpus or exclude_provider_word in offer.provider:
            continue
        for precision in precisions:
            for gpus in REPLICA_SIZES:
                key = (offer.gpu, precision, gpus)
                if key not in points:
                    replica_args = (model, hardware.gpus[offer.gpu], gpus, precision, hardware.engines[engine])
                    points[key] = _point_meeting_targets(replica_args, input_tokens, generated_tokens, max_ttft_ms, max_itl_ms)
                if points[key] is not None:
                    options.append(fleet.option(offer, gpus, precision, points[key]))
    return sorted(options, key=lambda o: (o.usd_per_month, o.gpus, o.offer, o.gpus_per_replica))


def _point_meeting_targets(
    replica_args: tuple, input_tokens: float, generated_tokens: float, max_ttft_ms: float | None, max_itl_ms: float | None
) -> OperatingPoint | None:
    """The operating point of ``Replica(*replica_args)``; None when the model does not fit (the replica cannot
    be built) or misses the targets even one request at a time."""
    try:
        point = operating_point(Replica(*replica_args), input_tokens, max(generated_tokens, 1.0), None, max_ttft_ms, max_itl_ms)
    except CapacityError:
        return None
    return point if point.meets_targets else None


@dataclass(frozen=True)
class _Fleet:
    """The workload a fleet must serve, and how replicas are sized for it (``selfhost.replicas_needed``)."""

    requests_per_month: float
    tokens_per_month: float
    utilization: float
    peak_to_average: float
    min_replicas: int

    def option(self, offer, gpus: int, precision: str, point: OperatingPoint) -> ServingOption:
        """The fleet of replicas of ``gpus`` of ``offer``'s GPU at ``point``, and what it costs a month."""
        capacity = point.requests_per_s * SECONDS_PER_MONTH * self.utilization / self.peak_to_average
        replicas = int(replicas_needed(self.requests_per_month, capacity, self.min_replicas))
        usd = replicas * gpus * offer.usd_per_gpu_hour * HOURS_PER_MONTH
        return ServingOption(
            offer.gpu,
            offer.id,
            offer.usd_per_gpu_hour,
            gpus,
            precision,
            point.requests_per_s,
            point.output_tokens_per_s,
            point.limit,
            replicas,
            usd,
            usd / self.tokens_per_month * 1e6 if self.tokens_per_month > 0 else float("inf"),
        )
