"""The scripts in examples/: each runs on its own and says what it is.

The light examples (the ones the documentation build executes, and
predict_your_recording.py) run here as scripts; the reference ones train on
the real corpora for hours, so they run only in their smoke-test mode
(SKSER_EXAMPLE_QUICK=1) and only where the corpora are.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ALL_EXAMPLES = sorted(EXAMPLES.glob("*.py"))
# What each light example prints when it worked; a new plot_* example must be added here.
LIGHT = {
    "plot_quick_start.py": "UAR=",
    "plot_speaker_independent.py": "folds by speaker: UAR",
    "plot_grid_search.py": "best: ",
    "plot_dask_scale_out.py": "grid search: ",
    "predict_your_recording.py": "model small.skser",
}
REFERENCE = ["reference_a.py", "reference_b.py"]
# Seconds per example; they take 10-80 s here, more while other jobs share the cores.
TIMEOUT = 600


def _run(script: Path, cwd: Path, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3", **env}
    return subprocess.run([sys.executable, str(script)], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=TIMEOUT)


def _failure(proc: subprocess.CompletedProcess) -> str:
    return f"exit code {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n" \
           f"--- stderr\n{proc.stderr[-3000:]}"


def test_every_example_is_listed_here():
    names = {p.name for p in ALL_EXAMPLES}
    assert names == set(LIGHT) | set(REFERENCE)
    # The documentation build executes exactly the plot_* ones (sphinx-gallery's pattern).
    assert all(name in LIGHT for name in names if name.startswith("plot_"))


@pytest.mark.parametrize("script", ALL_EXAMPLES, ids=lambda p: p.name)
def test_example_has_a_title_and_its_run_time(script):
    source = script.read_text()
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring, f"{script.name} has no docstring"
    title, underline, *description = docstring.splitlines()
    assert title and underline == "=" * len(title), f"{script.name}: title not underlined"
    assert any(line.strip() for line in description), f"{script.name}: no description"
    assert "# Run time on this machine" in source, f"{script.name}: no run time comment"


# The plot_* examples run in the documentation build (`make docs`, which .ci/run
# also runs): sphinx-gallery executes them and fails the build on any error
# (abort_on_example_error), so running them here too would only double CI time.
# `SKSER_TEST_GALLERY=1 make test` runs them here as well.
_RUN_HERE = sorted(
    name for name in LIGHT
    if not name.startswith("plot_") or os.environ.get("SKSER_TEST_GALLERY") == "1"
)


@pytest.mark.slow
@pytest.mark.parametrize("name", _RUN_HERE)
def test_light_example_runs(name, tmp_path):
    proc = _run(EXAMPLES / name, tmp_path)
    assert proc.returncode == 0, _failure(proc)
    assert LIGHT[name] in proc.stdout, _failure(proc)


@pytest.mark.parametrize("name", REFERENCE)
def test_reference_example_explains_missing_data(name, tmp_path):
    proc = _run(EXAMPLES / name, tmp_path, SKSER_DATA=str(tmp_path / "no_such_folder"))
    assert proc.returncode == 1, _failure(proc)
    assert "were not found at" in proc.stderr and "SKSER_DATA" in proc.stderr, _failure(proc)


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("name", REFERENCE)
def test_reference_example_smoke_test(name, real_corpora, tmp_path):
    proc = _run(EXAMPLES / name, tmp_path, SKSER_DATA=str(real_corpora),
                SKSER_EXAMPLE_QUICK="1")
    assert proc.returncode == 0, _failure(proc)
    assert "the scores mean nothing" in proc.stdout, _failure(proc)
