"""Every number stays put: ``evaluate --json`` for each preset and published check case equals its golden file.

A failure here after a deliberate change of numbers: run ``python tests/golden/make.py`` and commit the files
on their own, saying which numbers changed and why. A refactor never changes them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
import make as golden  # noqa: E402

OUTPUTS = golden.golden_outputs()


def test_golden_files_cover_every_preset_and_check_case():
    on_disk = sorted(p.name for p in golden.GOLDEN.glob("*.json"))
    assert on_disk == sorted(OUTPUTS)
    presets = sorted(f"preset-{p.stem}.json" for p in golden.SCENARIOS.glob("*.yaml"))
    assert presets == sorted(n for n in OUTPUTS if n.startswith("preset-"))


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_evaluate_json_is_byte_identical_to_golden(name):
    expected = (golden.GOLDEN / name).read_text(encoding="utf-8")
    assert OUTPUTS[name] == expected, f"tests/golden/{name} differs: run python tests/golden/make.py --check"


def test_the_pinned_clock_is_released():
    import datetime as dt

    import pricing.catalog

    assert pricing.catalog.dt is dt
