"""The ``Examples`` sections of skser's docstrings run, and print what they show.

One case per module under ``skser/``: the stdlib :mod:`doctest` runs every
example the module defines (the public objects re-exported by a package are
found in the private module that defines them). Figures use matplotlib's Agg
backend, and every example runs in an empty working directory, with the
temporary folders it makes (``tempfile.mkdtemp()``) inside pytest's.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil
import tempfile

import pytest

import skser

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _doctests(module_name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(module_name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, module_name)
    return sorted((test for test in tests if test.examples), key=lambda test: test.name)


# The modules that define examples (the others get no case rather than a skip).
MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(skser.__path__, "skser.")
    if not name.endswith(".__main__") and _doctests(name)
)
# Their examples train Keras networks (seconds each): marked slow.
TRAINS_NETWORKS = {"skser.models._cnn2d", "skser.models._conv1d", "skser.models._crnn"}


def test_the_public_api_has_examples():
    # A refactoring that moved the examples out of reach would empty MODULES.
    assert {"skser.audio._io", "skser.models._cnn2d", "skser.plotting._evaluation",
            "skser.persistence"} <= set(MODULES)
    assert TRAINS_NETWORKS <= set(MODULES)  # the slow marks follow a moved module


@pytest.fixture(autouse=True)
def _agg_backend():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("module_name", [
    pytest.param(name, marks=pytest.mark.slow) if name in TRAINS_NETWORKS else name
    for name in MODULES
])
def test_docstring_examples(module_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    report = io.StringIO()
    for test in _doctests(module_name):
        runner.run(test, out=report.write)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} failing example(s):\n{report.getvalue()}"
