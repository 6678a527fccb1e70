"""The synthetic RAVDESS-like corpus: layout, audio sanity, determinism, learnability."""

from __future__ import annotations

import shutil
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skser.datasets import EMOTIONS, load_ravdess, make_synthetic_corpus
from skser.exceptions import LabelError

TINY = {"n_speakers": 1, "n_statements": 1, "n_repetitions": 1, "duration": 0.5}


def read_all(df) -> dict[str, bytes]:
    return {Path(p).relative_to(Path(p).parents[1]).as_posix(): Path(p).read_bytes()
            for p in df["path"]}


def test_layout_and_columns(synthetic_corpus):
    df = synthetic_corpus
    # conftest: 4 speakers x 2 statements x 1 repetition x (neutral + 7 emotions x 2 intensities)
    assert len(df) == 4 * 2 * 1 * 15
    assert list(df.columns) == ["path", "emotion", "speaker", "corpus", "gender", "intensity",
                                "statement", "repetition"]
    assert set(df["corpus"]) == {"synthetic"}
    assert sorted(df["speaker"].unique()) == [f"synthetic_{i:02d}" for i in range(1, 5)]
    counts = df["emotion"].value_counts().to_dict()
    assert counts == {e: 8 if e == "neutral" else 16 for e in EMOTIONS}
    assert set(df.loc[df["emotion"] == "neutral", "intensity"]) == {"normal"}
    assert df.groupby("speaker")["gender"].first().tolist() == ["male", "female"] * 2
    root = Path(df["path"][0]).parents[1]
    reloaded = load_ravdess(root)
    assert list(reloaded["path"]) == list(df["path"])
    assert list(reloaded["emotion"]) == list(df["emotion"])


def test_audio_is_short_pcm_speech_like(synthetic_corpus):
    for path in synthetic_corpus["path"][::7]:
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.frames, info.subtype) == (
            16000, 1, 16000, "PCM_16")
        y, _ = sf.read(path)
        assert np.isfinite(y).all()
        assert 0.01 < np.abs(y).max() < 0.99
        assert np.sqrt(np.mean(y**2)) > 1e-3
        # Voiced speech: nearly all the energy lies below 4 kHz, yet not all below 1 kHz.
        power = np.abs(np.fft.rfft(y)) ** 2
        freqs = np.fft.rfftfreq(len(y), 1 / 16000)
        assert power[freqs < 4000].sum() > 0.8 * power.sum()
        assert power[freqs > 1000].sum() > 1e-3 * power.sum()


def test_deterministic_bytes_and_seed_dependence(tmp_path):
    a = make_synthetic_corpus(tmp_path / "a", random_state=3, **TINY)
    b = make_synthetic_corpus(tmp_path / "b", random_state=3, **TINY)
    c = make_synthetic_corpus(tmp_path / "c", random_state=4, **TINY)
    assert len(a) == 15
    assert read_all(a) == read_all(b)
    files_a, files_c = read_all(a), read_all(c)
    assert files_a.keys() == files_c.keys()
    assert all(files_a[k] != files_c[k] for k in files_a)


def test_emotion_subset_counts_and_default_root(tmp_path):
    df = make_synthetic_corpus(tmp_path, n_speakers=3, n_statements=2, n_repetitions=2,
                               emotions=["Anger", "sad"], sr=8000, duration=0.3)
    assert len(df) == 3 * 2 * 2 * 2 * 2
    assert set(df["emotion"]) == {"angry", "sad"}
    assert sf.info(df["path"][0]).samplerate == 8000
    df = make_synthetic_corpus(emotions="neutral", **TINY)
    root = Path(df["path"][0]).parents[1]
    try:
        assert len(df) == 1 and root.name.startswith("skser_synthetic_")
    finally:
        shutil.rmtree(root)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_speakers": 0}, ValueError, "n_speakers must be an int from 1 to 99"),
        ({"n_repetitions": 100}, ValueError, "n_repetitions must be an int from 1 to 99"),
        ({"sr": 4000}, ValueError, "at least 8000 Hz"),
        ({"duration": 0.1}, ValueError, "at least 0.25 seconds"),
        ({"emotions": ["happy", "bored"]}, LabelError, "bored"),
        ({"random_state": -1}, ValueError, "random_state"),
    ],
)
def test_invalid_parameters(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_synthetic_corpus(tmp_path, **{**TINY, **kwargs})
    assert not any(tmp_path.iterdir())


def _prosodic_features(path) -> np.ndarray:
    y, sr = sf.read(path, dtype="float32")
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
    log_f0 = np.log(librosa.yin(y, fmin=60, fmax=500, sr=sr, frame_length=1024))
    rms = librosa.feature.rms(y=y)[0]
    return np.concatenate([
        mfcc.mean(axis=1), mfcc.std(axis=1),
        [log_f0.mean(), log_f0.std(), np.ptp(np.percentile(log_f0, [10, 90]))],
        [np.log(rms.mean()), rms.std() / rms.mean(), (rms > 0.1 * rms.max()).mean()],
    ])


@pytest.mark.slow  # writes and analyses 96 files
def test_learnable_across_speakers_but_not_trivial(tmp_path):
    df = make_synthetic_corpus(tmp_path, n_speakers=6, n_statements=2, n_repetitions=1,
                               duration=1.0, random_state=0)
    X = np.array([_prosodic_features(p) for p in df["path"]])
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    scores = cross_val_score(clf, X, df["emotion"], groups=df["speaker"], cv=GroupKFold(3))
    chance = 1 / len(EMOTIONS)
    assert scores.mean() > 2.5 * chance, scores
    assert scores.max() < 1.0, scores
