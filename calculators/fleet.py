"""A self-hosted fleet over the day: owned servers beside rented GPUs, and rented billing policies.

Units: US dollars, hours, requests. A day has 24 hours; a month 730 hours (``HOURS_PER_MONTH``), so
``730 / 24 = 30.4167`` days.

**Daily traffic curve**: 24 shares of the day's requests, one per hour, summing to 1 (``TRAFFIC_SHAPES``
names a few; any 24 non-negative numbers are normalised). Hour ``h`` carries
``demand_h = requests_per_day x share_h / 3600`` requests/s and needs
``replicas_h = max(min_replicas, ceil(demand_h / (replica_rps x utilization)))`` replicas (``utilization``
is the headroom a replica keeps inside the hour; any traffic needs one replica).

**Rented billing policies** (``$/GPU-hour x GPUs per replica`` per replica-hour billed):

- ``always_on``: the fleet is sized for the busiest hour and billed 24 hours a day;
- ``active_window``: the fleet runs ``hours`` a day from ``start`` (wrapping past midnight), sized for the
  busiest hour inside the window; traffic outside it is reported, not served;
- ``scale_to_zero``: the fleet follows demand hour by hour, billed for the replicas each hour needs
  (``min_replicas`` keeps a floor; 0 lets it reach zero at night).

**Owned servers**: a server bought for ``price`` and used ``lifecycle_years`` costs each month its capital
recovery (an annuity at the monthly rate ``i = cost_of_capital / 12`` over ``n = 12 x lifecycle_years``
months: ``price x i / (1 - (1 + i)^-n)``, or ``price / n`` at zero), maintenance
``price x maintenance_share / 12``, power ``gpus x kW per GPU x PUE x 730 x $/kWh`` (servers run all
month) and staff. Owned servers are always on, so the fleet is sized for the busiest hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HOURS_PER_DAY = 24
HOURS_PER_MONTH = 730.0
DAYS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_DAY
POLICIES = ("always_on", "active_window", "scale_to_zero")

# Shares of a day's requests per hour (UTC hour 0..23), before normalisation.
TRAFFIC_SHAPES = {
    "flat": (1,) * 24,
    # office tools: 8:00-18:00 carry most, a lunch dip, little at night
    "business_hours": (1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 7, 9, 10, 10, 9, 7, 4, 3, 2, 2, 1, 1),
    # consumer chat: rising through the day to an evening peak
    "consumer_evening": (3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 6, 6, 6, 6, 7, 8, 9, 10, 10, 9, 7, 5),
}


class FleetError(ValueError):
    """A curve, window or server that cannot be priced (the message names the field)."""


def traffic_curve(shape: str | tuple | list) -> np.ndarray:
    """24 hourly shares summing to 1, from a named shape or 24 non-negative weights.

    >>> bool(traffic_curve("flat")[0] == 1 / 24)
    True
    >>> float(traffic_curve([0] * 12 + [1] * 12)[12])
    0.08333333333333333
    """
    if isinstance(shape, str):
        if shape not in TRAFFIC_SHAPES:
            raise FleetError(f"traffic curve {shape!r} is not one of {', '.join(TRAFFIC_SHAPES)} (or give 24 numbers)")
        shape = TRAFFIC_SHAPES[shape]
    weights = np.asarray(shape, dtype=float)
    if weights.shape != (HOURS_PER_DAY,) or not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise FleetError("a traffic curve is 24 non-negative numbers, one per hour, not all zero")
    return weights / weights.sum()


def hourly_replicas(requests_per_day, curve: np.ndarray, replica_rps: float, utilization: float, min_replicas: int):
    """Replicas each hour needs, shape ``(..., 24)``; broadcasts over ``requests_per_day``.

    ``max(min_replicas, ceil(requests_per_day x share_h / 3600 / (replica_rps x utilization)))``, and at
    least one replica in an hour with traffic. A relative tolerance keeps an hour that exactly fills
    ``n`` replicas at ``n``.

    >>> hourly_replicas(36_000, traffic_curve("flat"), 1.0, 0.5, 0)[:2].tolist()  # 1,500 an hour = 0.4167/s on 0.5/s
    [1.0, 1.0]
    """
    if not (replica_rps > 0 and math.isfinite(replica_rps)) or not 0 < utilization <= 1:
        raise FleetError("a replica needs a throughput above zero and a utilization in (0, 1]")
    demand = np.asarray(requests_per_day, dtype=float)[..., None] * curve / 3600.0
    ratio = demand / (replica_rps * utilization)
    need = np.ceil(ratio * (1 - 1e-12))
    need = np.where(demand > 0, np.maximum(need, 1.0), 0.0)
    return np.maximum(float(min_replicas), need)


def window_hours(start: int, hours: int) -> np.ndarray:
    """A mask of the 24 hours in an active window of ``hours`` from ``start`` (wrapping past midnight).

    >>> window_hours(22, 4).nonzero()[0].tolist()
    [0, 1, 22, 23]
    """
    if not (isinstance(start, int) and 0 <= start < 24 and isinstance(hours, int) and 1 <= hours <= 24):
        raise FleetError("an active window is a start hour 0-23 and 1-24 hours")
    mask = np.zeros(HOURS_PER_DAY, dtype=bool)
    mask[(start + np.arange(hours)) % HOURS_PER_DAY] = True
    return mask


@dataclass(frozen=True)
class RentedDay:
    """One day of a rented fleet under a billing policy (arrays broadcast over the daily volume)."""

    replicas_by_hour: np.ndarray  # replicas running each hour, (..., 24)
    replica_hours: np.ndarray  # billed replica-hours in the day
    usd_per_day: np.ndarray
    unserved_share: float  # share of the day's requests outside an active window (else 0)

    @property
    def usd_per_month(self):
        return self.usd_per_day * DAYS_PER_MONTH


def rented_day(
    requests_per_day,
    curve: np.ndarray,
    replica_rps: float,
    utilization: float,
    gpus_per_replica: int,
    usd_per_gpu_hour: float,
    policy: str = "always_on",
    min_replicas: int = 1,
    window_start: int = 9,
    window_hours_per_day: int = 10,
) -> RentedDay:
    """A rented fleet's day under ``policy`` (see the module docstring).

    Example: 240,000 requests a day on a flat curve (10,000 an hour = 2.78/s), replicas of 2/s at
    utilization 0.5 (1/s each): 3 replicas every hour. Always on, 1 GPU at $2: 3 x 24 x $2 = $144 a day.

    >>> day = rented_day(240_000, traffic_curve("flat"), 2.0, 0.5, 1, 2.0, "always_on")
    >>> float(day.usd_per_day), float(day.replica_hours)
    (144.0, 72.0)
    """
    if policy not in POLICIES:
        raise FleetError(f"billing policy {policy!r} is not one of {', '.join(POLICIES)}")
    needed = hourly_replicas(requests_per_day, curve, replica_rps, utilization, min_replicas)
    unserved = 0.0
    if policy == "always_on":
        running = np.broadcast_to(needed.max(axis=-1, keepdims=True), needed.shape)
    elif policy == "active_window":
        mask = window_hours(window_start, window_hours_per_day)
        peak = np.where(mask, needed, 0.0).max(axis=-1, keepdims=True)
        running = np.where(mask, peak, 0.0)
        unserved = float(curve[~mask].sum())
    else:
        running = needed
    replica_hours = running.sum(axis=-1)
    return RentedDay(running, replica_hours, replica_hours * gpus_per_replica * usd_per_gpu_hour, unserved)


@dataclass(frozen=True)
class OwnedServer:
    """A bought server: its price, life and running costs."""

    price_usd: float
    gpus: int
    lifecycle_years: float = 4.0
    cost_of_capital: float = 0.08  # a year
    maintenance_share: float = 0.10  # of the price, a year
    power_kw_per_gpu: float = 0.7
    pue: float = 1.3
    usd_per_kwh: float = 0.10
    staff_usd_per_month: float = 0.0

    def __post_init__(self):
        checks = (
            (self.price_usd >= 0, "price_usd must be at least 0"),
            (isinstance(self.gpus, int) and self.gpus >= 1, "gpus must be a whole number of at least 1"),
            (self.lifecycle_years > 0, "lifecycle_years must be above 0"),
            (0 <= self.cost_of_capital <= 1, "cost_of_capital must be between 0 and 1"),
            (0 <= self.maintenance_share <= 1, "maintenance_share must be between 0 and 1"),
            (self.power_kw_per_gpu >= 0 and self.pue >= 1, "power_kw_per_gpu must be at least 0 and pue at least 1"),
            (self.usd_per_kwh >= 0 and self.staff_usd_per_month >= 0, "usd_per_kwh and staff_usd_per_month must be at least 0"),
        )
        for ok, message in checks:
            if not ok:
                raise FleetError(f"owned server: {message}")

    @property
    def capital_usd_per_month(self) -> float:
        """``price x i / (1 - (1 + i)^-n)`` with ``i = cost_of_capital / 12``, ``n = 12 x years``; ``price / n`` at 0."""
        n = 12.0 * self.lifecycle_years
        i = self.cost_of_capital / 12.0
        return self.price_usd / n if i == 0 else self.price_usd * i / (1.0 - (1.0 + i) ** -n)

    @property
    def maintenance_usd_per_month(self) -> float:
        return self.price_usd * self.maintenance_share / 12.0

    @property
    def power_usd_per_month(self) -> float:
        """``gpus x kW x PUE x 730 h x $/kWh``."""
        return self.gpus * self.power_kw_per_gpu * self.pue * HOURS_PER_MONTH * self.usd_per_kwh

    @property
    def usd_per_month(self) -> float:
        """Everything one server costs a month.

        >>> round(OwnedServer(30_000, 1, 3, 0.0, 0.10, 0.7, 1.5, 0.10).usd_per_month, 2)
        1159.98
        """
        return self.capital_usd_per_month + self.maintenance_usd_per_month + self.power_usd_per_month + self.staff_usd_per_month

    @property
    def usd_per_gpu_hour(self) -> float:
        """The month's cost over ``gpus x 730`` hours: what renting would have to beat."""
        return self.usd_per_month / (self.gpus * HOURS_PER_MONTH)


def owned_servers_needed(
    requests_per_day, curve, replica_rps, utilization, gpus_per_replica, server: OwnedServer, min_replicas=1
):
    """Servers to buy for the busiest hour: ``ceil(peak replicas x GPUs per replica / GPUs per server)``."""
    peak = hourly_replicas(requests_per_day, curve, replica_rps, utilization, min_replicas).max(axis=-1)
    return np.ceil(peak * gpus_per_replica / server.gpus * (1 - 1e-12))


def owned_usd_per_month(requests_per_day, curve, replica_rps, utilization, gpus_per_replica, server: OwnedServer, min_replicas=1):
    """``servers x server.usd_per_month``; broadcasts over ``requests_per_day``."""
    servers = owned_servers_needed(requests_per_day, curve, replica_rps, utilization, gpus_per_replica, server, min_replicas)
    return servers * server.usd_per_month
