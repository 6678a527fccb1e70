"""The benchmarks refuse to run without the real corpora, and say where they looked.

The benchmarks themselves run on ../shared/data (``make bench``), never in the test suite;
this checks only their refusal, with the corpora pointed at a folder that does not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def test_shipped_model_keeps_no_fit_only_step(tmp_path):
    """make pretrained drops the Augmenter of an augmented recipe after fitting: the saved
    model predicts as the fitted one and loads without sampler support."""
    import skser
    from benchmarks.pretrained import plain_pipelines, quiet, without_samplers
    from skser.datasets import make_synthetic_corpus
    from skser.frozen import freeze
    from skser.recipes import make_recipe

    df = make_synthetic_corpus(tmp_path / "corpus", n_speakers=3, n_statements=1,
                               n_repetitions=1, emotions=("sad", "angry"), duration=1.0)
    model = make_recipe("trimmed-mel-cnn2d+stats-lr-augmented", epochs=2)
    model.fit(list(df["path"]), df["emotion"].to_numpy())
    shipped = plain_pipelines(without_samplers(quiet(freeze(model))))
    assert "augmenter" in model.named_steps and "augmenter" not in shipped.named_steps
    assert type(shipped).__module__.startswith("sklearn.")
    np.testing.assert_allclose(shipped.predict_proba(list(df["path"])),
                               model.predict_proba(list(df["path"])), atol=1e-5)
    loaded = skser.load(skser.save(shipped, tmp_path / "m.skser"))
    np.testing.assert_array_equal(loaded.predict(list(df["path"])),
                                  model.predict(list(df["path"])))


def test_generalization_refb_part_is_the_protocols_split():
    import pandas as pd

    from benchmarks import bench_generalization as gen
    from benchmarks.bench_protocols import refb_split

    emotions = np.repeat(["angry", "happy", "sad", "neutral", "fearful"], 20)
    df = pd.DataFrame({"path": [f"f{i}.wav" for i in range(len(emotions))],
                       "emotion": emotions})
    (train, test), = gen.refb_folds(df)
    expected_train, expected_test = refb_split(emotions)
    np.testing.assert_array_equal(train, expected_train)
    np.testing.assert_array_equal(test, expected_test)
    assert len(test) == 20 and not set(train) & set(test)
    # every part the runner accepts has its folds and its protocol's description
    assert set(gen.FOLDS) == set(gen.PROTOCOLS) == set(gen.KNOWN_PARTS)
    assert "refb" not in gen.PARTS  # run only when named


# -- bench_levers' pure parts ------------------------------------------------------------------
def test_level_relative_statistics_do_not_move_with_gain():
    # The lever's claim: a recording's level leaves the level-relative statistics as they are
    # (a gain shifts every log-mel band and MFCC 0 alone), while the raw statistics move.
    from benchmarks.bench_levers import default_member, level_relative

    features, _ = default_member()
    rng = np.random.default_rng(0)
    sr, n = features.sr, int(features.sr * (features.duration + 0.5))  # no padding
    t = np.arange(n) / sr
    y = (0.1 * np.sin(2 * np.pi * 180 * t * (1 + 0.1 * np.sin(2 * np.pi * 3 * t)))
         * (1.2 + np.sin(2 * np.pi * 2 * t)) + 0.01 * rng.standard_normal(n)).astype(np.float32)
    X = features.fit_transform(np.stack([y, 0.1 * y])).astype(np.float64)
    names = features.get_feature_names_out()
    assert np.abs(X[0] - X[1]).max() > 10  # 20 dB apart in the raw statistics
    rel = level_relative(X, names)
    assert rel.shape == (2, X.shape[1] - 3)
    np.testing.assert_allclose(rel[0], rel[1], atol=0.05)


def test_level_relative_needs_the_log_mel_means():
    from benchmarks.bench_levers import level_relative

    with pytest.raises(ValueError, match="logmel"):
        level_relative(np.zeros((2, 3)), ["mfcc0_mean", "mfcc1_mean", "mfcc0_std"])


def test_corpus_balanced_weights_give_each_corpus_the_same_weight():
    from benchmarks.bench_levers import corpus_weights

    corpus = np.array(["cremad"] * 6 + ["tess"] * 3 + ["savee"])
    w = corpus_weights(corpus)
    assert w.mean() == pytest.approx(1.0)
    totals = [w[corpus == c].sum() for c in ("cremad", "tess", "savee")]
    np.testing.assert_allclose(totals, totals[0])


def test_levers_cross_validation_scores_each_held_out_corpus():
    from benchmarks.bench_levers import cross_validate

    rng = np.random.default_rng(0)
    y = np.array(["angry", "sad"] * 30)
    X = rng.standard_normal((60, 4)) + (y == "angry")[:, None] * 3.0
    corpus = np.repeat(["a", "b", "c"], 20)
    folds = [(np.flatnonzero(corpus != c), np.flatnonzero(corpus == c)) for c in "abc"]
    plain = cross_validate(X, y, corpus, folds, balanced=False)
    assert set(plain["per_corpus_uar"]) == {"a", "b", "c"}
    assert plain["uar"] > 0.9 and plain["n_features"] == 4
    assert np.asarray(plain["report"]["confusion_matrix"]).sum() == 60
    # Separable classes: weighting the corpora cannot break it, and the row says it ran.
    balanced = cross_validate(X, y, corpus, folds, balanced=True)
    assert balanced["uar"] > 0.9


def test_levers_out_of_fold_probabilities_cover_each_tested_row_once():
    from benchmarks.bench_levers import out_of_fold, score

    rng = np.random.default_rng(1)
    y = np.array(["angry", "happy", "sad"] * 20)
    X = rng.standard_normal((60, 3)) + (y == "sad")[:, None] * 4.0
    corpus = np.repeat(["a", "b", "c"], 20)
    folds = [(np.flatnonzero(corpus == "a"), np.flatnonzero(corpus == "b"))]
    proba, seconds = out_of_fold(X, y, corpus, folds, balanced=False)
    tested = corpus == "b"
    np.testing.assert_allclose(proba[tested].sum(axis=1), 1.0)
    assert not proba[~tested].any() and seconds >= 0
    row = score(proba, y, corpus, folds)
    assert row["per_corpus_uar"].keys() == {"b"}
    assert np.asarray(row["report"]["confusion_matrix"]).sum() == tested.sum()
