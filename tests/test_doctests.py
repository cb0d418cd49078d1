"""The examples in the docstrings of calculators/ and pricing/ run, and give what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import calculators
import pricing


def _modules() -> list[str]:
    names = []
    for package in (calculators, pricing):
        names.append(package.__name__)
        names += [
            m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".") if m.name != "calculators.__main__"
        ]
    return sorted(n for n in names if not n.endswith("__main__"))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples failed (see the output above)"


def test_the_doctests_cover_the_formulas():
    import calculators.costs
    import calculators.selfhost

    for module in (calculators.costs, calculators.selfhost):
        assert doctest.testmod(module).attempted >= 3
