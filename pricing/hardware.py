"""Reader of ``hardware.yaml`` (GPUs, open models, engine factors) and ``capacity_measurements.yaml``.

Both are validated: a missing or malformed field raises ``CatalogError`` naming the file, entry
and field, like the price files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from calculators.capacity import PRECISIONS, EngineFactors, GpuSpec, OpenModel
from pricing.catalog import CatalogError, DuplicateKeyError, read_yaml_text

DATA_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Hardware:
    models: dict[str, OpenModel]
    gpus: dict[str, GpuSpec]
    engines: dict[str, EngineFactors]

    def model(self, model_id: str) -> OpenModel:
        if model_id not in self.models:
            raise KeyError(f"unknown model {model_id!r}; known: {', '.join(sorted(self.models))}")
        return self.models[model_id]

    def gpu(self, gpu_id: str) -> GpuSpec:
        if gpu_id not in self.gpus:
            raise KeyError(f"unknown GPU {gpu_id!r}; known: {', '.join(sorted(self.gpus))}")
        return self.gpus[gpu_id]


@dataclass(frozen=True)
class Measurement:
    """One published throughput figure of one replica at one operating point."""

    id: str
    set: str  # calibration | holdout
    model: str
    gpu: str
    gpus: int
    precision: str
    engine: str
    input_tokens: int
    output_tokens: int
    output_tokens_per_s: float
    source: str
    checked: dt.date
    concurrency: int | None = None
    itl_ms: float | None = None
    ttft_ms: float | None = None
    note: str = ""

    @property
    def operating_point(self) -> str:
        return "max throughput" if self.concurrency is None else f"{self.concurrency} users"


class _Check:
    def __init__(self, file: str):
        self.file, self.problems = file, []

    def number(self, raw: Mapping, key: str, where: str, *, optional=False, integer=False, positive=True):
        value = raw.get(key)
        if value is None and optional:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool) and (value > 0 if positive else value >= 0)
        if not ok or (integer and not isinstance(value, int)):
            kind = "a whole number" if integer else "a number"
            self.problems.append(f"{self.file}: {where}: field {key!r} must be {kind} above zero")
            return None
        return value

    def text(self, raw: Mapping, key: str, where: str, optional=False):
        value = raw.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{self.file}: {where}: field {key!r} must be a text")
            return None
        return value

    def entries(self, doc: Any, key: str) -> list[tuple[str, Mapping]]:
        if not isinstance(doc, Mapping) or not isinstance(doc.get(key), list):
            self.problems.append(f"{self.file}: expected a mapping with a {key!r} list")
            return []
        out, seen = [], set()
        for i, raw in enumerate(doc[key]):
            ident = raw.get("id") if isinstance(raw, Mapping) else None
            if not isinstance(ident, str):
                self.problems.append(f"{self.file}: {key}[{i}]: field 'id' is missing")
            elif ident in seen:
                self.problems.append(f"{self.file}: {key} {ident}: duplicate id")
            else:
                seen.add(ident)
                out.append((ident, raw))
        return out


def _read(path: Path) -> Any:
    try:
        return read_yaml_text(path.read_text(encoding="utf-8"))
    except DuplicateKeyError as exc:
        raise CatalogError([f"{path.name}: cannot be read: {exc}"]) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError([f"{path.name}: cannot be read ({type(exc).__name__})"]) from None


def _build_gpus(check: _Check, doc: Any) -> dict[str, GpuSpec]:
    """The ``gpus`` section: each GPU's memory, bandwidth and TFLOPS per precision; problems go to ``check``."""
    gpus: dict[str, GpuSpec] = {}
    for gpu_id, raw in check.entries(doc, "gpus"):
        where = f"gpu {gpu_id}"
        tflops = raw.get("tflops")
        if not isinstance(tflops, Mapping) or not tflops or any(k not in PRECISIONS for k in tflops):
            check.problems.append(f"{check.file}: {where}: 'tflops' must map precisions ({', '.join(PRECISIONS)}) to TFLOPS")
            continue
        values = [check.number(raw, k, where) for k in ("memory_gb", "bandwidth_tb_s")]
        rates = {k: check.number(tflops, k, f"{where}: tflops") for k in tflops}
        check.text(raw, "source", where)
        if None in values or None in rates.values():
            continue
        gpus[gpu_id] = GpuSpec(
            gpu_id,
            str(raw.get("name") or gpu_id),
            float(values[0]),
            float(values[1]),
            {k: float(v) for k, v in rates.items()},
            float(raw.get("interconnect_gb_s") or 0.0),
            str(raw.get("source") or ""),
        )
    return gpus


def _build_models(check: _Check, doc: Any) -> dict[str, OpenModel]:
    """The ``models`` section: each open model's shape (dense or mixture of experts); problems go to ``check``."""
    models: dict[str, OpenModel] = {}
    for model_id, raw in check.entries(doc, "models"):
        where = f"model {model_id}"
        need = {
            k: check.number(raw, k, where, integer=k != "params_b")
            for k in ("params_b", "layers", "attention_heads", "kv_heads", "head_dim", "max_context")
        }
        opt_int = {
            k: check.number(raw, k, where, optional=True, integer=True)
            for k in ("experts", "experts_per_token", "kv_dim", "attention_window", "full_attention_layers")
        }
        active = check.number(raw, "active_params_b", where, optional=True)
        native = raw.get("native_precision")
        if native is not None and native not in PRECISIONS:
            check.problems.append(f"{check.file}: {where}: native_precision must be one of {', '.join(PRECISIONS)}")
        check.text(raw, "source", where)
        if None in need.values():
            continue
        if active is not None and (not opt_int["experts"] or not opt_int["experts_per_token"] or active > need["params_b"]):
            check.problems.append(
                f"{check.file}: {where}: a mixture of experts needs experts, experts_per_token and active <= total parameters"
            )
            continue
        models[model_id] = OpenModel(
            id=model_id,
            name=str(raw.get("name") or model_id),
            params=float(need["params_b"]) * 1e9,
            layers=need["layers"],
            attention_heads=need["attention_heads"],
            kv_heads=need["kv_heads"],
            head_dim=need["head_dim"],
            max_context=need["max_context"],
            active_params=None if active is None else float(active) * 1e9,
            experts=opt_int["experts"] or 0,
            experts_per_token=opt_int["experts_per_token"] or 0,
            kv_dim=opt_int["kv_dim"],
            attention_window=opt_int["attention_window"],
            full_attention_layers=opt_int["full_attention_layers"],
            native_precision=native,
            source=str(raw.get("source") or ""),
        )
    return models


def _build_engines(check: _Check, doc: Any) -> dict[str, EngineFactors]:
    """The ``engines`` section: each serving engine's efficiency factors; problems go to ``check``."""
    engines: dict[str, EngineFactors] = {}
    for engine_id, raw in check.entries(doc, "engines"):
        where = f"engine {engine_id}"
        shares = {
            k: check.number(raw, k, where)
            for k in ("compute_efficiency", "bandwidth_efficiency", "scaling_per_doubling", "memory_utilization")
        }
        shares["moe_efficiency"] = check.number(raw, "moe_efficiency", where, optional=True) or 1.0
        if any(v is not None and v > 1 for v in shares.values()):
            check.problems.append(f"{check.file}: {where}: efficiency factors are shares of the peak, at most 1")
            continue
        overhead = check.number(raw, "step_overhead_ms", where, positive=False)
        batch = check.number(raw, "max_batch", where, integer=True)
        if None in shares.values() or overhead is None or batch is None:
            continue
        fp8_kv = raw.get("fp8_kv_cache", True)
        if not isinstance(fp8_kv, bool):
            check.problems.append(f"{check.file}: {where}: fp8_kv_cache must be true or false")
            continue
        engines[engine_id] = EngineFactors(
            engine_id,
            str(raw.get("name") or engine_id),
            step_overhead_ms=float(overhead),
            max_batch=batch,
            fp8_kv_cache=fp8_kv,
            **{k: float(v) for k, v in shares.items()},
        )
    return engines


def build_hardware(doc: Any, file: str = "hardware.yaml") -> Hardware:
    """Validate the parsed ``hardware.yaml`` document."""
    check = _Check(file)
    gpus = _build_gpus(check, doc)
    models = _build_models(check, doc)
    engines = _build_engines(check, doc)
    if check.problems:
        raise CatalogError(check.problems)
    return Hardware(models, gpus, engines)


def load_hardware(directory: Path | str = DATA_DIR) -> Hardware:
    """Read and validate ``hardware.yaml``.

    >>> hw = load_hardware()
    >>> hw.gpu("h100-sxm").bandwidth_tb_s, hw.model("llama-3.3-70b").layers
    (3.35, 80)
    """
    return build_hardware(_read(Path(directory) / "hardware.yaml"))


def build_measurements(doc: Any, hardware: Hardware, file: str = "capacity_measurements.yaml") -> list[Measurement]:
    check = _Check(file)
    rows = []
    for row_id, raw in check.entries(doc, "measurements"):
        where = f"measurement {row_id}"
        for key, known in (("model", hardware.models), ("gpu", hardware.gpus), ("engine", hardware.engines)):
            if raw.get(key) not in known:
                check.problems.append(f"{file}: {where}: unknown {key} {raw.get(key)!r}")
        if raw.get("set") not in ("calibration", "holdout"):
            check.problems.append(f"{file}: {where}: 'set' must be calibration or holdout")
        if raw.get("precision") not in PRECISIONS:
            check.problems.append(f"{file}: {where}: unknown precision {raw.get('precision')!r}")
        nums = {k: check.number(raw, k, where, integer=True) for k in ("gpus", "input_tokens", "output_tokens")}
        value = check.number(raw, "output_tokens_per_s", where)
        conc = check.number(raw, "concurrency", where, optional=True, integer=True)
        source = check.text(raw, "source", where)
        checked = raw.get("checked")
        if not isinstance(checked, dt.date):
            check.problems.append(f"{file}: {where}: 'checked' must be a date")
        if check.problems:
            continue
        rows.append(
            Measurement(
                row_id, raw["set"], raw["model"], raw["gpu"], nums["gpus"], raw["precision"], raw["engine"],
                nums["input_tokens"], nums["output_tokens"], float(value), source, checked, conc,
                raw.get("itl_ms"), raw.get("ttft_ms"), str(raw.get("note") or ""),
            )
        )  # fmt: skip
    if check.problems:
        raise CatalogError(check.problems)
    return rows


def load_measurements(directory: Path | str = DATA_DIR, hardware: Hardware | None = None) -> list[Measurement]:
    """Read and validate ``capacity_measurements.yaml`` against the hardware data."""
    directory = Path(directory)
    return build_measurements(_read(directory / "capacity_measurements.yaml"), hardware or load_hardware(directory))
