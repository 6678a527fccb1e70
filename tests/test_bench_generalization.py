"""The generalization benchmark's protocol code, on a synthetic corpus (no real data)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    from skser.datasets import make_synthetic_corpus

    df = make_synthetic_corpus(tmp_path_factory.mktemp("gen"), n_speakers=6, n_statements=1,
                               n_repetitions=1, duration=1.0,
                               emotions=["neutral", "happy", "sad", "angry"], random_state=0)
    # two pretend corpora of three speakers each, for leave-one-corpus-out
    df["corpus"] = np.where(df["speaker"].isin(sorted(df["speaker"].unique())[:3]), "a", "b")
    return df


def test_speaker_part_scores_every_file_once_per_condition(table, monkeypatch, tmp_path):
    from benchmarks import bench_generalization as bench

    monkeypatch.setattr(bench, "CACHE", tmp_path / "cache")
    result = bench.run_part("speaker", table, ["stats-svc"], ["white noise 10 dB",
                                                             "babble 10 dB"], subset=4)
    rows = {(r["regime"], r["condition"]): r for r in result["rows"]}
    assert set(rows) == {("single file", c) for c in ("clean", bench.CLEAN_SUBSET,
                                                       "white noise 10 dB", "babble 10 dB")}
    for condition, row in rows.items():
        cm = np.asarray(row["confusion_matrix"])
        # every file predicted once; the conditions on 4 files of each of the 5 folds
        expected = len(table) if condition[1] == "clean" else 5 * 4
        assert cm.sum() == row["n_files"] == expected
        assert len(row["fold_uar"]) == 5 and 0 <= row["uar"] <= 1
    assert (tmp_path / "cache").exists()  # the features went through the package's cache


@pytest.mark.slow
def test_loco_part_has_both_regimes_for_speaker_recipes(table, monkeypatch, tmp_path):
    from benchmarks import bench_generalization as bench

    monkeypatch.setattr(bench, "CACHE", tmp_path / "cache")
    monkeypatch.setenv("SKSER_BENCH_EPOCHS", "1")
    result = bench.run_part("loco", table, ["mel-cnn2d+spk-svc"], [])
    regimes = {r["regime"] for r in result["rows"]}
    assert regimes == {"single file", "with speaker statistics"}
    for row in result["rows"]:
        assert set(row["per_corpus_uar"]) == {"a", "b"} and len(row["fold_uar"]) == 2
