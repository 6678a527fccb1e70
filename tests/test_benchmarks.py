"""The benchmarks refuse to run without the real corpora, and say where they looked.

The benchmarks themselves run on ../shared/data (``make bench``), never in the test suite;
this checks only their refusal, with the corpora pointed at a folder that does not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted(p.stem[len("bench_"):] for p in (ROOT / "benchmarks").glob("bench_*.py"))
#: The one benchmark that needs no data: it trains the networks on random images.
NO_DATA = {"network_speed"}


def test_every_benchmark_is_listed():
    assert "protocols" in BENCHMARKS and "training" in BENCHMARKS
    assert NO_DATA <= set(BENCHMARKS)


@pytest.mark.parametrize("name", [b for b in BENCHMARKS if b not in NO_DATA])
def test_benchmark_without_corpora_exits_with_a_message(name, tmp_path):
    missing = tmp_path / "no_such_folder"
    env = {**os.environ, "SKSER_DATA": str(missing), "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, "-m", "benchmarks", name], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "benchmarks need the real corpora" in proc.stderr
    assert str(missing) in proc.stderr
    # nothing was written for it
    assert "-> " not in proc.stdout


def test_unknown_benchmark_is_refused():
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "no_such_benchmark"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "unknown benchmark" in proc.stderr and "protocols" in proc.stderr
