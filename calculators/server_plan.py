"""The self-hosted server's plan: what one replica costs and serves, from the scenario's ``self_hosted``
section, its serving profile (pricing/serving.yaml) and, when the section names a ``model``, the capacity
model (calculators/selfhost_capacity.py).

Precedence, per number: the section's explicit value, then the capacity model's, then the profile's.
"""

from __future__ import annotations

from calculators.capacity import CapacityError
from calculators.scenario import SelfHosted, Workload
from calculators.selfhost import ServerPlan
from calculators.selfhost_capacity import ModelledCapacity, resolve_capacity
from calculators.strategies import StrategyError
from pricing.catalog import Catalog

THROUGHPUT_FIELDS = ("gpus_per_replica", "prefill_tokens_per_s", "decode_tokens_per_s")


def resolve_server_plan(settings: SelfHosted, catalog: Catalog, workload: Workload | None = None) -> ServerPlan:
    """Profile values with the scenario's explicit numbers taking precedence.

    A section naming a ``model`` is sized by the capacity model at ``workload``'s request shape
    (calculators/selfhost_capacity.py); its explicit throughput numbers still override.
    """
    profile = None
    if settings.profile:
        profile = catalog.profiles.get(settings.profile)
        if profile is None:
            raise StrategyError(f"serving profile {settings.profile!r} is not in serving.yaml")
    capacity = _modelled_capacity(settings, catalog, profile, workload) if settings.model else None
    values = _throughput(settings, profile, capacity)
    gpu_hour = _gpu_hour_usd(settings, catalog, profile, capacity)
    missing = [k for k, v in (*values.items(), ("gpu_hour_usd", gpu_hour)) if v is None]
    if missing:
        raise StrategyError(f"self_hosted needs a serving profile, a model, or these values: {', '.join(missing)}")
    if values["prefill_tokens_per_s"] <= 0 or values["decode_tokens_per_s"] <= 0:
        raise StrategyError("self_hosted throughput must be above zero tokens per second")
    name = profile.name if profile else "custom server"
    if capacity is not None:
        r = capacity.replica
        name = f"{r.model.name}, {r.gpus}x {r.gpu.name} ({r.precision}, capacity model)"
    return ServerPlan(
        gpus_per_replica=int(values["gpus_per_replica"]),
        gpu_hour_usd=float(gpu_hour),
        prefill_tokens_per_s=float(values["prefill_tokens_per_s"]),
        decode_tokens_per_s=float(values["decode_tokens_per_s"]),
        utilization=settings.utilization,
        peak_to_average=settings.peak_to_average,
        min_replicas=settings.min_replicas,
        ops_usd_per_month=settings.ops_usd_per_month,
        profile=settings.profile,
        profile_name=name,
        capacity=capacity,
    )


def _modelled_capacity(settings: SelfHosted, catalog: Catalog, profile, workload: Workload | None) -> ModelledCapacity:
    """The capacity model's replica at the workload's request shape (output and reasoning tokens are generated)."""
    if workload is None:
        raise StrategyError("the capacity model needs the workload's request shape")
    try:
        return resolve_capacity(
            settings, catalog, profile, workload.input_tokens, workload.output_tokens + workload.reasoning_tokens
        )
    except CapacityError as exc:
        raise StrategyError(f"self_hosted: {exc}") from None


def _throughput(settings: SelfHosted, profile, capacity: ModelledCapacity | None) -> dict[str, float | None]:
    """GPUs a replica and its prefill and decode rates: explicit, else modelled (times ``efficiency``), else the profile's."""
    modelled = {}
    if capacity is not None:
        modelled = {
            "gpus_per_replica": capacity.replica.gpus,
            "prefill_tokens_per_s": capacity.point.prefill_tokens_per_s * settings.efficiency_factor,
            "decode_tokens_per_s": capacity.point.decode_tokens_per_s * settings.efficiency_factor,
        }
    values = {}
    for key in THROUGHPUT_FIELDS:
        value = getattr(settings, key)
        if value is None and capacity is not None:
            value = modelled[key]
        if value is None and profile is not None:
            value = getattr(profile, key)
        values[key] = value
    return values


def _gpu_hour_usd(settings: SelfHosted, catalog: Catalog, profile, capacity: ModelledCapacity | None) -> float | None:
    """$ per GPU-hour: explicit, else the capacity model's offer, else the profile's default offer."""
    if settings.gpu_hour_usd is not None:
        return settings.gpu_hour_usd
    if capacity is not None:
        return catalog.offers[capacity.offer].usd_per_gpu_hour
    if profile is not None:
        return catalog.offers[profile.default_offer].usd_per_gpu_hour
    return None
