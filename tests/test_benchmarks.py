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


@pytest.mark.slow  # one Python process per benchmark, some importing TensorFlow
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


def test_latency_times_every_recipe_in_turn_and_restores_the_svcs():
    # The timing loop of `python -m benchmarks latency`, on tiny stand-in models: every
    # recipe and its libsvm variant gets one call per file, and the SVCs end as skser's.
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from benchmarks.bench_latency import time_recipes
    from skser.svm import SVC

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = np.tile(["sad", "happy", "angry"], 20)
    columns = FunctionTransformer(lambda df: df[["a", "b", "c"]].to_numpy())
    models = {"svc": make_pipeline(columns, SVC()).fit(X, y),
              "lr": make_pipeline(columns, LogisticRegression()).fit(X, y)}
    files = [X.iloc[[i]] for i in range(5)]
    rows = time_recipes(models, files, X.iloc[:8], n_train=len(X))
    assert [r["recipe"] for r in rows] == [
        "svc", "svc (its SVCs predicting in libsvm)", "lr"]
    assert all(r["n_calls"] == 4 and r["median_ms"] > 0 and r["n_train"] == 60 for r in rows)
    assert rows[0]["svc_support_vectors"] == rows[1]["svc_support_vectors"]
    assert rows[0]["svc_support_vectors"][0][0] == 3 and rows[2]["svc_support_vectors"] is None
    assert type(models["svc"][-1]) is SVC


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists(), reason="reads Linux's /proc/cpuinfo")
def test_results_record_the_cpu():
    from benchmarks._common import cpu as cpu_of

    cpu = cpu_of()
    assert set(cpu) == {"cpu_model", "cpu_vector_extensions"}
    assert all(f.startswith(("avx", "amx")) for f in cpu["cpu_vector_extensions"])


def test_training_table_gives_the_spread_of_several_seeds():
    from benchmarks.bench_training import markdown

    row = dict(recipe="r", random_state=0, fit_seconds=1000.0, train_files_per_second=9.6,
               predict_seconds=60.0, accuracy=0.79, macro_f1=0.80, uar=0.81, peak_rss_mb=3e3)
    one = markdown([row])
    assert one.count("| r |") == 1 and "fits:" not in one
    two = markdown([row, dict(row, random_state=1, accuracy=0.802, fit_seconds=1100.0)])
    assert "| r | 1 | 1100 s |" in two
    assert "r over its 2 fits: accuracy 0.790 to 0.802 (mean 0.796)" in two
    assert "fit 1000 s to 1100 s (mean 1050 s)" in two
