"""The toy catalog: round prices so that expected values can be worked out by hand in test comments.

big $10 in / $50 out (cached $1, write $12.5, batch 50%, above 100k input: $20 / $75); small $1 / $5
(cached $0.1); changing $2 / $10 halving on 2027-01-11; retiring $3 / $15 (retires 2027-03-01);
toyhost-open $0.5 / $0.5; GPU X at $2 an hour, 2 GPUs per replica, 50,000 prefill and 5,000 decode tokens/s.
"""

from __future__ import annotations

SOURCE = "https://example.com/pricing"


def _entry(start, end, input_price, output_price, **extra):
    return {
        "from": start,
        "to": end,
        "input": input_price,
        "output": output_price,
        "source": SOURCE,
        "checked": "2026-11-01",
        **extra,
    }


TOY_VENDOR = {
    "vendor": "toy",
    "kind": "api",
    "models": [
        # Round numbers so that expected values can be worked out by hand in test comments.
        {
            "id": "big",
            "name": "Big",
            "tier": "flagship",
            "aliases": ["big-2026-01-01"],
            "prices": [
                _entry(
                    "2025-01-01",
                    None,
                    10.0,
                    50.0,
                    cached_input=1.0,
                    cache_write=12.5,
                    batch_discount=0.5,
                    long_context={"threshold": 100_000, "input": 20.0, "output": 75.0},
                )
            ],
        },
        {
            "id": "small",
            "name": "Small",
            "tier": "small",
            "prices": [_entry("2025-01-01", None, 1.0, 5.0, cached_input=0.1, batch_discount=0.5)],
        },
        # A price that halves on 2027-01-11: 10 days of January at the old price, 21 at the new one.
        {
            "id": "changing",
            "name": "Changing",
            "tier": "mid",
            "prices": [_entry("2025-01-01", "2027-01-11", 2.0, 10.0), _entry("2027-01-11", None, 1.0, 5.0)],
        },
        {
            "id": "retiring",
            "name": "Retiring",
            "tier": "mid",
            "status": "deprecated",
            "retires": "2027-03-01",
            "successor": "big",
            "prices": [_entry("2025-01-01", None, 3.0, 15.0)],
        },
    ],
}
TOY_HOST = {
    "vendor": "toyhost",
    "kind": "inference_provider",
    "models": [
        {
            "id": "toyhost-open",
            "name": "Open 70B (ToyHost)",
            "tier": "open",
            "open_model": "open-70b",
            "prices": [_entry("2025-01-01", None, 0.5, 0.5)],
        },
    ],
}
TOY_GPUS = {
    "gpus": [
        {
            "id": "gpu-x",
            "name": "GPU X",
            "memory_gb": 80,
            "offers": [{"provider": "cloud", "usd_per_gpu_hour": 2.0, "source": SOURCE, "checked": "2026-11-01"}],
        }
    ]
}
TOY_SERVING = {
    "profiles": [
        {
            "id": "open-70b-2x",
            "name": "Open 70B on 2x GPU X",
            "model": "open-70b",
            "gpu": "gpu-x",
            "gpus_per_replica": 2,
            "default_offer": "gpu-x@cloud",
            "prefill_tokens_per_s": 50_000,
            "decode_tokens_per_s": 5_000,
            "latency_target": "p99 TTFT <= 1 s",
            "source": SOURCE,
            "checked": "2026-11-01",
        }
    ]
}
