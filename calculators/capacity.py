"""Capacity of one serving replica from first principles: what N GPUs serve for a request shape.

A replica is ``gpus`` GPUs holding one copy of the model (tensor or expert parallel). It runs
continuous batching: every decode *step* produces one token for each of the ``B`` sequences in the
batch, and the prompts of new requests are prefilled in between (chunked prefill). Units: seconds,
bytes, FLOPs, tokens; the results are per replica.

**Prefill** is bound by compute. A prompt of ``I`` tokens costs
``F_pre(I) = 2 A I + 2 I min(I, W) d h L_W`` FLOPs (``A`` active parameters; the second term is the
attention over the ``L_W`` layers of window ``W``, ``h`` heads of size ``d``) and takes
``t_pre = F_pre / (N x peak FLOPS x compute_efficiency x s)``, where ``s`` is the engine's scaling
``scaling_per_doubling ** log2(N)``.

**Decode** is bound by memory bandwidth: a step reads the weights the batch touches (all of a dense
model; for a mixture of experts the shared part plus the expected distinct experts,
``E (1 - (1 - k/E)^B)`` per layer) and every sequence's KV cache, so
``t_step(B) = overhead + max(bytes(B) / (N x bandwidth x bandwidth_efficiency x s),
B x F_tok / (N x peak FLOPS x compute_efficiency x s))``.

**KV-cache memory** caps the batch: ``B_max = min(max_batch, (N x memory x memory_utilization -
weights) / kv_bytes(I + O/2))`` (a sequence holds on average its prompt and half its output).

**Little's law** ties them: a replica that keeps ``B`` sequences in flight finishes
``R = 1 / (t_pre + O t_step / B)`` requests a second (GPU time per request: its prefill, plus its
``O`` shares of decode steps). The prefill share of the GPU's time is ``f = R t_pre``; a user sees
one token per step stretched by the prefills in between, ``ITL = t_step / (1 - f)``, so that
``R x O x ITL = B`` (concurrency = throughput x time in the system). The first token waits for the
request's own prefill and, in a queue of prefills that keeps the GPU busy a share ``f`` of the time,
``f / (2 (1 - f))`` more of them: ``TTFT = t_pre (1 + f / (2 (1 - f))) + ITL``.

**Operating points**: maximum throughput (``B = B_max``), a fixed number of concurrent users
(``B = min(C, B_max)``; users beyond ``B_max`` wait in a queue, which Little's law turns into TTFT:
``TTFT = C / R - (O - 1) ITL``), or latency targets (the largest ``B <= B_max`` whose ITL and TTFT
meet them, found by bisection since both grow with ``B``).

The efficiency factors come per engine family (``pricing/hardware.yaml``), calibrated against
published measurements (``pricing/capacity_measurements.yaml``); nothing here knows a measured
figure. The module is pure: callers pass the data in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

PRECISIONS = ("fp16", "bf16", "fp8", "fp4")
BYTES_PER_PARAM = {"fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "fp4": 0.5625}  # fp4 with its block scales
_WIDTH_ORDER = ("fp4", "fp8", "fp16")  # finer to wider; bf16 computes as fp16
LIMITS = ("compute", "bandwidth", "kv_memory", "latency", "concurrency")


class CapacityError(ValueError):
    """A model, GPU and shape that cannot be served (does not fit, context too long, bad input)."""


@dataclass(frozen=True)
class OpenModel:
    """An open-weights model's architecture; parameters in units (not billions)."""

    id: str
    name: str
    params: float
    layers: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    max_context: int
    active_params: float | None = None  # None: dense (all parameters active)
    experts: int = 0
    experts_per_token: int = 0
    kv_dim: int | None = None  # KV elements per token per layer; None: 2 x kv_heads x head_dim
    attention_window: int | None = None
    full_attention_layers: int | None = None  # None: every layer
    native_precision: str | None = None
    source: str = ""

    @property
    def active(self) -> float:
        return self.params if self.active_params is None else self.active_params

    @property
    def kv_elements_per_layer(self) -> int:
        return self.kv_dim if self.kv_dim is not None else 2 * self.kv_heads * self.head_dim

    @property
    def windowed_layers(self) -> int:
        if self.attention_window is None or self.full_attention_layers is None:
            return 0
        return self.layers - self.full_attention_layers


@dataclass(frozen=True)
class GpuSpec:
    """One GPU: memory (GB), bandwidth (TB/s), dense TFLOPS per precision it has tensor cores for."""

    id: str
    name: str
    memory_gb: float
    bandwidth_tb_s: float
    tflops: dict[str, float]
    interconnect_gb_s: float = 0.0
    source: str = ""

    def compute_tflops(self, precision: str) -> float:
        """Peak dense TFLOPS at ``precision``, or at the next wider one it has (weight-only).

        >>> GpuSpec("x", "x", 80, 2.0, {"fp16": 312}).compute_tflops("fp8")
        312
        """
        want = "fp16" if precision == "bf16" else precision
        for width in _WIDTH_ORDER[_WIDTH_ORDER.index(want) :]:
            if width in self.tflops:
                return self.tflops[width]
        raise CapacityError(f"GPU {self.id} lists no tensor throughput at {precision} or wider")


@dataclass(frozen=True)
class EngineFactors:
    """Efficiency of one engine family, the share of the hardware's peak it reaches."""

    id: str = "trtllm"
    name: str = "TensorRT-LLM"
    compute_efficiency: float = 0.5
    bandwidth_efficiency: float = 0.8
    step_overhead_ms: float = 4.0
    scaling_per_doubling: float = 0.9
    memory_utilization: float = 0.9
    max_batch: int = 2048
    moe_efficiency: float = 1.0  # share of compute efficiency an MoE keeps (routing, grouped small GEMMs)
    fp8_kv_cache: bool = True  # FP8/FP4 weights come with an FP8 KV cache (vLLM's default keeps 16-bit)

    def scaled(self, factor: float) -> EngineFactors:
        """Compute and bandwidth efficiency times ``factor`` (capped at 1): the uncertainty knob.

        >>> EngineFactors().scaled(1.5).bandwidth_efficiency
        1.0
        """
        return replace(
            self,
            compute_efficiency=min(1.0, self.compute_efficiency * factor),
            bandwidth_efficiency=min(1.0, self.bandwidth_efficiency * factor),
        )


@dataclass(frozen=True)
class Replica:
    """``gpus`` GPUs of one kind serving one model at one precision with one engine."""

    model: OpenModel
    gpu: GpuSpec
    gpus: int
    precision: str
    engine: EngineFactors = field(default_factory=EngineFactors)

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise CapacityError(f"precision {self.precision!r} is not one of {', '.join(PRECISIONS)}")
        if not isinstance(self.gpus, int) or self.gpus < 1:
            raise CapacityError("gpus per replica must be a whole number of at least 1")

    # ------------------------------------------------------------------ hardware totals
    @property
    def scaling(self) -> float:
        """``scaling_per_doubling ** log2(N)``: what one replica loses to GPU-to-GPU traffic."""
        return self.engine.scaling_per_doubling ** math.log2(self.gpus)

    @property
    def flops_per_s(self) -> float:
        """Effective FLOPS: ``N x peak x compute_efficiency x scaling`` (x ``moe_efficiency`` for an MoE)."""
        moe = self.engine.moe_efficiency if self.model.experts else 1.0
        return self.gpus * self.gpu.compute_tflops(self.precision) * 1e12 * self.engine.compute_efficiency * self.scaling * moe

    @property
    def bytes_per_s(self) -> float:
        return self.gpus * self.gpu.bandwidth_tb_s * 1e12 * self.engine.bandwidth_efficiency * self.scaling

    @property
    def weight_bytes_per_param(self) -> float:
        native = self.model.native_precision
        own = BYTES_PER_PARAM[self.precision]
        return min(own, BYTES_PER_PARAM[native]) if native else own

    @property
    def kv_bytes_per_element(self) -> float:
        return 2.0 if self.precision in ("fp16", "bf16") or not self.engine.fp8_kv_cache else 1.0

    @property
    def weight_bytes(self) -> float:
        return self.model.params * self.weight_bytes_per_param

    @property
    def kv_memory_bytes(self) -> float:
        """``N x memory x memory_utilization - weights`` (negative: the weights do not fit)."""
        return self.gpus * self.gpu.memory_gb * 1e9 * self.engine.memory_utilization - self.weight_bytes

    # ------------------------------------------------------------------ per-request quantities
    def kv_bytes(self, context):
        """KV-cache bytes of one sequence of ``context`` tokens (windowed layers keep at most W).

        ``(L_full x c + L_W x min(c, W)) x kv_elements x bytes``; broadcasts over ``context``.
        """
        m = self.model
        c = np.asarray(context, dtype=float)
        windowed = m.windowed_layers
        tokens = (m.layers - windowed) * c + (windowed * np.minimum(c, m.attention_window) if windowed else 0.0)
        return tokens * m.kv_elements_per_layer * self.kv_bytes_per_element

    def attention_flops(self, query_tokens, context):
        """``2 x 2 x q x c x d x h`` per layer, windowed layers capped at W (QK^T and AV)."""
        m = self.model
        q = np.asarray(query_tokens, dtype=float)
        c = np.asarray(context, dtype=float)
        windowed = m.windowed_layers
        per_layer = 4.0 * q * m.head_dim * m.attention_heads
        full = (m.layers - windowed) * per_layer * c
        return full + (windowed * per_layer * np.minimum(c, m.attention_window) if windowed else 0.0)

    def prefill_seconds(self, input_tokens):
        """``t_pre = (2 A I + causal attention over I) / effective FLOPS``; broadcasts over ``I``."""
        i = np.asarray(input_tokens, dtype=float)
        flops = 2.0 * self.model.active * i + self.attention_flops(i, i) / 2.0  # causal: half the pairs
        return flops / self.flops_per_s

    def weight_bytes_read(self, batch):
        """Weight bytes one decode step reads for ``batch`` sequences (MoE: expected distinct experts)."""
        m = self.model
        b = np.asarray(batch, dtype=float)
        if not m.experts or m.active_params is None:
            return np.full_like(b, self.weight_bytes)
        k, e = m.experts_per_token, m.experts
        per_expert = (m.params - m.active) / (e - k)  # parameters of one expert summed over layers
        shared = m.active - k * per_expert
        touched = e * (1.0 - (1.0 - k / e) ** np.maximum(b, 1.0))
        return (shared + np.minimum(touched, e) * per_expert) * self.weight_bytes_per_param

    def step_seconds(self, batch, context):
        """One decode step for ``batch`` sequences of mean ``context`` tokens; broadcasts.

        ``overhead + max(memory time, compute time)``.
        """
        b = np.asarray(batch, dtype=float)
        memory = (self.weight_bytes_read(b) + b * self.kv_bytes(context)) / self.bytes_per_s
        compute = b * (2.0 * self.model.active + self.attention_flops(1.0, context)) / self.flops_per_s
        return self.engine.step_overhead_ms / 1000.0 + np.maximum(memory, compute)

    def max_batch(self, input_tokens: float, output_tokens: float) -> tuple[float, str]:
        """``(B_max, limit)``: the KV cache's sequences of ``I + O/2`` tokens, or the engine's cap."""
        if self.kv_memory_bytes <= 0:
            need = self.weight_bytes / 1e9
            have = self.gpus * self.gpu.memory_gb * self.engine.memory_utilization
            raise CapacityError(
                f"{self.model.id} at {self.precision} needs {need:,.0f} GB for its weights; "
                f"{self.gpus}x {self.gpu.id} leave {have:,.0f} GB: use more GPUs or a finer precision"
            )
        per_sequence = float(self.kv_bytes(input_tokens + output_tokens / 2.0))
        fits = float(math.floor(self.kv_memory_bytes / per_sequence + 1e-9)) if per_sequence > 0 else math.inf  # whole sequences
        if fits < 1.0:
            raise CapacityError(
                f"one request of {input_tokens:,.0f} + {output_tokens:,.0f} tokens needs more KV cache than "
                f"{self.gpus}x {self.gpu.id} have left after the weights: use more GPUs"
            )
        cap = float(self.engine.max_batch)
        return (fits, "kv_memory") if fits < cap else (cap, "bandwidth")


@dataclass(frozen=True)
class OperatingPoint:
    """One replica's steady state for one request shape."""

    output_tokens_per_s: float
    requests_per_s: float
    concurrency: float
    ttft_ms: float
    itl_ms: float
    batch: float  # sequences decoding together
    max_batch: float  # what KV memory (or the engine) allows
    limit: str  # compute | bandwidth | kv_memory | latency | concurrency
    meets_targets: bool = True
    prefill_tokens_per_s: float = 0.0  # effective rates: 1/R = I / prefill + O / decode
    decode_tokens_per_s: float = 0.0

    def as_dict(self) -> dict:
        return {
            "output_tokens_per_s": self.output_tokens_per_s,
            "requests_per_s": self.requests_per_s,
            "concurrency": self.concurrency,
            "ttft_ms": self.ttft_ms,
            "itl_ms": self.itl_ms,
            "batch": self.batch,
            "max_batch": self.max_batch,
            "limit": self.limit,
            "meets_targets": self.meets_targets,
        }


def steady_state(replica: Replica, input_tokens, output_tokens, batch):
    """Requests/s, ITL (s) and TTFT (s) at ``batch`` sequences in flight; broadcasts.

    ``R = 1 / (t_pre + O t_step(B) / B)``, ``f = R t_pre``, ``ITL = t_step / (1 - f)``,
    ``TTFT = t_pre (1 + f / (2 (1 - f))) + ITL``.
    """
    i = np.asarray(input_tokens, dtype=float)
    o = np.maximum(np.asarray(output_tokens, dtype=float), 1.0)
    b = np.asarray(batch, dtype=float)
    t_pre = replica.prefill_seconds(i)
    t_step = replica.step_seconds(b, i + o / 2.0)
    rps = 1.0 / (t_pre + o * t_step / b)
    busy = np.minimum(rps * t_pre, 1.0 - 1e-9)
    itl = t_step / (1.0 - busy)
    ttft = t_pre * (1.0 + busy / (2.0 * (1.0 - busy))) + itl
    return rps, itl, ttft


def _limit_at(replica: Replica, input_tokens: float, output_tokens: float, batch: float) -> str:
    """What most of a request's GPU time goes to: arithmetic (prefill, compute-bound steps) or memory traffic."""
    context = input_tokens + output_tokens / 2.0
    memory = float((replica.weight_bytes_read(batch) + batch * replica.kv_bytes(context)) / replica.bytes_per_s)
    compute = float(batch * (2.0 * replica.model.active + replica.attention_flops(1.0, context)) / replica.flops_per_s)
    decode = output_tokens * max(memory, compute) / batch
    prefill = float(replica.prefill_seconds(input_tokens))
    arithmetic = prefill + (decode if compute >= memory else 0.0)
    return "compute" if arithmetic >= (prefill + decode) / 2.0 else "bandwidth"


def operating_point(
    replica: Replica,
    input_tokens: float,
    output_tokens: float,
    concurrency: float | None = None,
    max_ttft_ms: float | None = None,
    max_itl_ms: float | None = None,
) -> OperatingPoint:
    """The replica's operating point: maximum throughput, a fixed concurrency, or latency targets.

    Pass ``concurrency`` for a closed loop of that many users; ``max_ttft_ms`` and/or
    ``max_itl_ms`` for the largest batch meeting them; neither for maximum throughput.
    A target even one sequence cannot meet returns the one-sequence point with
    ``meets_targets=False``.

    >>> from calculators.capacity import OpenModel, GpuSpec, Replica, operating_point
    >>> m = OpenModel("m", "m", 8e9, 32, 32, 8, 128, 131072)
    >>> g = GpuSpec("g", "g", 80, 3.35, {"fp16": 989, "fp8": 1979})
    >>> p = operating_point(Replica(m, g, 1, "fp8"), 1000, 1000)
    >>> round(p.output_tokens_per_s, -2), p.limit
    (15700.0, 'kv_memory')
    >>> slow = operating_point(Replica(m, g, 1, "fp8"), 1000, 1000, max_itl_ms=20)
    >>> slow.limit, slow.itl_ms <= 20, slow.output_tokens_per_s < p.output_tokens_per_s
    ('latency', True, True)
    """
    i, o = _shape(replica, input_tokens, output_tokens)
    if concurrency is not None and (max_ttft_ms is not None or max_itl_ms is not None):
        raise CapacityError("give either a concurrency or latency targets, not both")
    b_max, limit = replica.max_batch(i, o)
    batch, limit, meets = _batch(replica, i, o, b_max, limit, concurrency, max_ttft_ms, max_itl_ms)
    rps, itl, ttft = (float(x) for x in steady_state(replica, i, o, batch))
    users = batch
    if concurrency is not None and concurrency > batch:  # the rest queue: Little's law gives their wait
        users = float(concurrency)
        ttft = max(ttft, users / rps - (o - 1.0) * itl)
    if limit not in ("latency", "concurrency"):  # arithmetic-bound work gains nothing from a larger batch
        time_goes_to = _limit_at(replica, i, o, batch)
        limit = "compute" if time_goes_to == "compute" else limit if limit == "kv_memory" else "bandwidth"
    t_pre = float(replica.prefill_seconds(i))
    decode_seconds = 1.0 / rps - t_pre
    return OperatingPoint(
        output_tokens_per_s=rps * o,
        requests_per_s=rps,
        concurrency=users,
        ttft_ms=ttft * 1000.0,
        itl_ms=itl * 1000.0,
        batch=batch,
        max_batch=b_max,
        limit=limit,
        meets_targets=meets,
        prefill_tokens_per_s=i / t_pre if t_pre > 0 else math.inf,
        decode_tokens_per_s=o / decode_seconds if decode_seconds > 0 else math.inf,
    )


def _batch(
    replica: Replica,
    i: float,
    o: float,
    b_max: float,
    limit: str,
    concurrency: float | None,
    max_ttft_ms: float | None,
    max_itl_ms: float | None,
) -> tuple[float, str, bool]:
    """(batch, what limits it, whether the targets are met) for ``operating_point``'s three modes; ``b_max``
    and ``limit``: the largest batch memory allows and why."""
    if concurrency is not None:
        if not (concurrency >= 1) or not math.isfinite(concurrency):
            raise CapacityError("concurrency must be at least 1")
        return min(float(concurrency), b_max), "concurrency" if concurrency < b_max else limit, True
    if max_ttft_ms is None and max_itl_ms is None:
        return b_max, limit, True
    for name, value in (("max_ttft_ms", max_ttft_ms), ("max_itl_ms", max_itl_ms)):
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise CapacityError(f"{name} must be above zero")
    found, met = _largest_batch_meeting(replica, i, o, b_max, max_ttft_ms, max_itl_ms)
    batch = float(found)
    return batch, "latency" if batch < b_max else limit, bool(met)


def _shape(replica: Replica, input_tokens: float, output_tokens: float) -> tuple[float, float]:
    for name, value in (("input tokens", input_tokens), ("output tokens", output_tokens)):
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise CapacityError(f"{name} must be a number of at least 0")
    if output_tokens < 1:
        raise CapacityError("output tokens must be at least 1")
    if input_tokens + output_tokens > replica.model.max_context:
        raise CapacityError(
            f"{input_tokens:,.0f} + {output_tokens:,.0f} tokens exceed {replica.model.id}'s context of "
            f"{replica.model.max_context:,} tokens"
        )
    return float(input_tokens), float(output_tokens)


def _largest_batch_meeting(replica, i, o, b_max, max_ttft_ms, max_itl_ms):
    """Bisection on whole ``B`` in ``[1, B_max]`` (ITL and TTFT both grow with the batch); broadcasts.

    Returns ``(batch, met)``: ``B_max`` when it meets the targets, one sequence (``met`` False) when
    even that misses them, else the largest whole batch that meets them.
    """

    def ok(b):
        _, itl, ttft = steady_state(replica, i, o, b)
        good = np.ones(np.shape(itl), dtype=bool)
        if max_itl_ms is not None:
            good &= itl * 1000.0 <= max_itl_ms
        if max_ttft_ms is not None:
            good &= ttft * 1000.0 <= max_ttft_ms
        return good

    b_max = np.asarray(b_max, dtype=float)
    full, one = ok(b_max), ok(np.ones_like(b_max))
    lo, hi = np.ones_like(b_max), np.floor(b_max)  # ok(lo) holds where it matters; ok(hi) may not
    while np.any(open_ := hi - lo > 1):
        mid = np.floor((lo + hi) / 2.0)
        good = ok(mid)
        lo = np.where(open_ & good, mid, lo)
        hi = np.where(open_ & ~good, mid, hi)
    found = np.where(ok(hi), hi, lo)
    return np.where(full, b_max, np.where(one, found, 1.0)), one


def requests_per_s(replica: Replica, input_tokens, output_tokens, concurrency=None, max_ttft_ms=None, max_itl_ms=None):
    """Requests/s at the operating point for arrays of shapes (what ``operating_point`` gives, vectorised).

    The shapes are not checked (``operating_point`` at a representative shape does that); a shape whose
    one sequence does not fit the KV cache gets 0 requests/s.
    """
    i = np.asarray(input_tokens, dtype=float)
    o = np.maximum(np.asarray(output_tokens, dtype=float), 1.0)
    fits = np.floor(replica.kv_memory_bytes / replica.kv_bytes(i + o / 2.0) + 1e-9)
    b_max = np.minimum(fits, float(replica.engine.max_batch))
    safe = np.maximum(b_max, 1.0)
    if concurrency is not None:
        batch = np.minimum(float(concurrency), safe)
    elif max_ttft_ms is not None or max_itl_ms is not None:
        batch, _ = _largest_batch_meeting(replica, i, o, safe, max_ttft_ms, max_itl_ms)
    else:
        batch = safe
    rps, _, _ = steady_state(replica, i, o, batch)
    return np.where(b_max >= 1.0, rps, 0.0)


def throughput_curve(replica: Replica, input_tokens: float, output_tokens: float, concurrencies) -> dict[str, np.ndarray]:
    """Output tokens/s, ITL and TTFT (ms) at each concurrency (beyond ``B_max`` users queue).

    The dashboard's throughput-vs-concurrency chart; broadcasts over ``concurrencies``.
    """
    i, o = _shape(replica, input_tokens, output_tokens)
    b_max, _ = replica.max_batch(i, o)
    users = np.maximum(np.asarray(concurrencies, dtype=float), 1.0)
    batch = np.minimum(users, b_max)
    rps, itl, ttft = steady_state(replica, i, o, batch)
    ttft = np.maximum(ttft, users / rps - (o - 1.0) * itl)
    return {"concurrency": users, "output_tokens_per_s": rps * o, "itl_ms": itl * 1000.0, "ttft_ms": ttft * 1000.0}
