"""predict_timeline: windows over a long recording, streamed from disk, and plot_timeline."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from sklearn.linear_model import LogisticRegression

from skser.exceptions import AudioLoadError, InvalidAudioError, SkserError
from skser.features import AcousticFeatures
from skser.pipeline import make_pipeline
from skser.timeline import predict_timeline

SR = 8000
WINDOW = 2.0
# sad 0-60 s, silence 60-80 s, happy 80-180 s
SEGMENTS = [("sad", 0, 60), (None, 60, 80), ("happy", 80, 180)]
CLASS_COLUMNS = ["proba_happy", "proba_sad"]


def voice(label, seconds: float, sr: int = SR, rng=None) -> np.ndarray:
    """A harmonic 'voice': low and plain for sad, high and bright for happy; None: near silence."""
    rng = rng if rng is not None else np.random.default_rng(0)
    n = int(round(seconds * sr))
    t = np.arange(n) / sr
    if label is None:
        return (1e-4 * rng.standard_normal(n)).astype(np.float32)  # about -80 dBFS
    f0, n_harmonics = (150.0, 2) if label == "sad" else (400.0, 6)
    f0 *= rng.uniform(0.93, 1.07)
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.02 * np.sin(2 * np.pi * 5 * t))) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, n_harmonics + 1))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * rng.uniform(2, 4) * t)  # syllables
    y = 0.3 * envelope * y / np.max(np.abs(y)) + 0.003 * rng.standard_normal(n)
    return y.astype(np.float32)


def recording(segments=SEGMENTS, sr: int = SR, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([voice(label, end - start, sr, rng) for label, start, end in segments])


def n_windows(n_samples: int, win_n: int, hop_n: int) -> int:
    """Full windows, plus one partial window holding at least half a window."""
    n_full = (n_samples - win_n) // hop_n + 1 if n_samples >= win_n else 0
    rest = n_samples - n_full * hop_n
    return n_full + int(rest > 0 and 2 * rest >= win_n)


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    labels = ["sad", "happy"] * 10
    X = [voice(label, rng.uniform(0.5, 2.0), rng=rng) for label in labels]
    features = AcousticFeatures(sr=SR, duration=WINDOW, offset=0.0, features=("zcr", "mfcc"),
                                n_mfcc=13, n_mels=40, n_fft=512, hop_length=256)
    return make_pipeline(features, LogisticRegression(max_iter=2000)).fit(X, labels)


@pytest.fixture(scope="module")
def long_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("timeline") / "three_minutes.wav"
    sf.write(path, recording(), SR)
    return path


@pytest.fixture(scope="module")
def timeline(model, long_file):
    return predict_timeline(model, long_file, hop=1.0)


def inside(timeline, start, end):
    return timeline[(timeline["start"] >= start) & (timeline["end"] <= end)]


def test_timeline_follows_the_emotion(timeline):
    for label, start, end in SEGMENTS:
        rows = inside(timeline, start, end)
        assert len(rows) >= (end - start) - WINDOW  # one window per second
        if label is None:
            assert rows["silent"].all()
            assert rows["emotion"].isna().all() and rows["confidence"].isna().all()
            assert rows[CLASS_COLUMNS].isna().all().all()
        else:
            assert not rows["silent"].any()
            assert (rows["emotion"] == label).mean() >= 0.9, rows["emotion"].value_counts()


def test_one_row_per_window_with_exact_times(timeline):
    n_samples = 180 * SR
    win_n, hop_n = int(WINDOW * SR), SR
    # 179 full windows; the last starts at 179 s with exactly half a window: kept
    assert len(timeline) == n_windows(n_samples, win_n, hop_n) == 180
    np.testing.assert_allclose(timeline["start"], np.arange(180.0))
    np.testing.assert_allclose(timeline["end"], np.minimum(np.arange(180.0) + WINDOW, 180.0))
    assert timeline["end"].iloc[-1] == 180.0 and timeline["start"].iloc[-1] == 179.0


def test_columns_and_dtypes(timeline):
    assert timeline.columns.tolist() == [
        "start", "end", "emotion", "confidence", "silent", *CLASS_COLUMNS]
    assert timeline["start"].dtype == np.float64 and timeline["end"].dtype == np.float64
    assert timeline["confidence"].dtype == np.float64
    assert timeline["silent"].dtype == bool
    assert timeline["emotion"].dtype == object
    voiced = timeline[~timeline["silent"]]
    np.testing.assert_allclose(voiced[CLASS_COLUMNS].sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(voiced["confidence"], voiced[CLASS_COLUMNS].max(axis=1))
    best = voiced[CLASS_COLUMNS].to_numpy().argmax(axis=1)
    assert voiced["emotion"].tolist() == [["happy", "sad"][i] for i in best]
    assert all(type(e) is str for e in voiced["emotion"])


@pytest.mark.parametrize(("seconds", "window", "hop"), [
    (10.0, 1.0, 3.0),   # hop longer than the window: starts 0, 3, 6, 9
    (10.0, 3.0, 1.0),   # overlapping: 8 full windows and one of 2 s
    (10.0, 4.0, 4.0),   # 2 full windows; the 2 s left are exactly half: kept
    (9.0, 4.0, 4.0),    # 1 s left: dropped
    (1.5, 2.0, 1.0),    # shorter than a window, but more than half of one
    (0.9, 2.0, 1.0),    # less than half a window: no rows
])
def test_window_count_formula(model, tmp_path, seconds, window, hop):
    path = tmp_path / "clip.wav"
    y = voice("sad", seconds)
    sf.write(path, y, SR)
    result = predict_timeline(model, path, window=window, hop=hop, gate=None)
    expected = n_windows(len(y), int(window * SR), int(hop * SR))
    assert len(result) == expected
    np.testing.assert_allclose(result["start"], np.arange(expected) * hop)
    assert (result["end"] <= seconds + 1e-9).all()
    assert result.columns.tolist()[-2:] == CLASS_COLUMNS  # also when empty


def test_gate_none_classifies_silence(model, tmp_path):
    path = tmp_path / "quiet.wav"
    sf.write(path, recording([("sad", 0, 6), (None, 6, 12)]), SR)
    gated = predict_timeline(model, path, hop=2.0)
    ungated = predict_timeline(model, path, hop=2.0, gate=None)
    assert gated["silent"].tolist() == [False, False, False, True, True, True]
    assert not ungated["silent"].any() and ungated["emotion"].notna().all()
    # a threshold below the silence's level (-80 dBFS) lets it through as well
    assert not predict_timeline(model, path, hop=2.0, gate_db=-100.0)["silent"].any()


def test_batch_size_does_not_change_the_result(model, tmp_path):
    path = tmp_path / "clip.wav"
    sf.write(path, recording([("sad", 0, 5), (None, 5, 7), ("happy", 7, 12)]), SR)
    one = predict_timeline(model, path, batch_size=1)
    many = predict_timeline(model, path, batch_size=4)
    pd.testing.assert_frame_equal(one, many)


def test_resampling_and_stereo(model, tmp_path):
    segments = [("sad", 0, 15), ("happy", 15, 30)]
    y16 = recording(segments, sr=16000)
    path16 = tmp_path / "at16k.wav"
    sf.write(path16, y16, 16000)
    stereo = tmp_path / "stereo.wav"
    sf.write(stereo, np.stack([y16, y16], axis=1), 16000)
    result = predict_timeline(model, path16, hop=1.0)
    assert len(result) == n_windows(30 * SR, int(WINDOW * SR), SR)
    assert result["end"].iloc[-1] == pytest.approx(30.0)
    for label, start, end in segments:
        assert (inside(result, start, end)["emotion"] == label).mean() >= 0.9
    pd.testing.assert_frame_equal(predict_timeline(model, stereo, hop=1.0), result)


def test_sr_and_window_overrides(tmp_path):
    # a model without an audio step: a classifier of raw 0.5 s waveforms at 1 kHz
    rng = np.random.default_rng(0)
    clf = LogisticRegression().fit(rng.standard_normal((6, 500)), ["a", "b"] * 3)
    path = tmp_path / "clip.wav"
    sf.write(path, voice("sad", 3.0, sr=4000), 4000)
    with pytest.raises(SkserError, match="sample rate"):
        predict_timeline(clf, path)
    with pytest.raises(SkserError, match="window"):
        predict_timeline(clf, path, sr=1000)
    result = predict_timeline(clf, path, sr=1000, window=0.5, hop=0.5)
    assert len(result) == 6 and set(result["emotion"]) <= {"a", "b"}


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"window": 0}, "window"), ({"window": -1.0}, "window"), ({"hop": 0}, "hop"),
    ({"hop": float("nan")}, "hop"), ({"batch_size": 0}, "batch_size"),
    ({"gate": "energy"}, "gate"),
])
def test_bad_parameters(model, long_file, kwargs, match):
    with pytest.raises(SkserError, match=match):
        predict_timeline(model, long_file, **kwargs)


def test_bad_files_are_named(model, tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"this is not audio at all")
    with pytest.raises(AudioLoadError, match="broken.wav"):
        predict_timeline(model, bad)
    with pytest.raises(AudioLoadError, match="missing.wav.*no such file"):
        predict_timeline(model, tmp_path / "missing.wav")
    with pytest.raises(AudioLoadError, match="directory"):
        predict_timeline(model, tmp_path)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, dtype=np.float32), SR)
    with pytest.raises(InvalidAudioError, match="empty.wav.*no audio samples"):
        predict_timeline(model, empty)


def _write_long(path, minutes: int, sr: int) -> None:
    """Write ``minutes`` of alternating voices a block at a time (never all in memory)."""
    rng = np.random.default_rng(2)
    with sf.SoundFile(path, "w", samplerate=sr, channels=1, subtype="PCM_16") as f:
        for i in range(minutes * 6):  # 10 s blocks
            f.write(voice(["sad", "happy", None][i % 3], 10.0, sr, rng))


@pytest.mark.slow  # writes and reads 18 minutes of audio
def test_memory_does_not_grow_with_the_recording(model, tmp_path):
    sr = 16000  # resampled to the model's 8 kHz on the way
    short, long = tmp_path / "three.wav", tmp_path / "twelve.wav"
    _write_long(short, 3, sr)
    _write_long(long, 12, sr)
    # batches of 8 windows: the three minutes fill several, so both runs peak on a full one
    settings = {"hop": 4.0, "batch_size": 8}
    predict_timeline(model, short, **settings)  # warm up: imports and librosa's caches
    peaks = {}
    for path in (short, long):
        tracemalloc.start()
        try:
            result = predict_timeline(model, path, **settings)
            peaks[path.name] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(result) == n_windows(sf.info(path).frames // 2, 2 * SR, 4 * SR)
    decoded = 12 * 60 * sr * 4  # the twelve minutes as float32: 46 MB
    assert peaks["twelve.wav"] < decoded / 10, peaks
    assert abs(peaks["twelve.wav"] - peaks["three.wav"]) < 500_000, peaks


def test_lazy_export():
    import skser

    assert skser.predict_timeline is predict_timeline
    assert "predict_timeline" in dir(skser)


def test_plot_timeline(timeline):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skser.plotting import plot_timeline

    ax = plot_timeline(timeline)
    try:
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["happy", "sad", "silent"]
        # one grey band: the union of the silent windows, 60-80 s
        bands = [p for p in ax.patches if p.get_label() == "silent"]
        assert len(bands) == 1
        band = bands[0]  # a Rectangle (matplotlib >= 3.9) or a Polygon
        xs = band.get_patch_transform().transform(band.get_path().vertices)[:, 0]
        assert (xs.min(), xs.max()) == (60.0, 80.0)
        assert ax.get_xlim() == (0.0, 180.0)
        with pytest.raises(SkserError, match="start, end, silent"):
            plot_timeline(timeline[["start", "end"]])
        with pytest.raises(SkserError, match="no windows"):
            plot_timeline(timeline.iloc[:0])
    finally:
        plt.close(ax.figure)


def test_an_ensemble_of_pipelines_follows_the_emotion(model, long_file):
    # A soft vote of pipelines (like recipe mel-cnn2d+stats-svc): the window and sample
    # rate come from its members' feature steps.
    from sklearn.base import clone
    from sklearn.ensemble import VotingClassifier

    rng = np.random.default_rng(3)
    labels = ["sad", "happy"] * 10
    X = [voice(label, rng.uniform(0.5, 2.0), rng=rng) for label in labels]
    vote = VotingClassifier([("a", clone(model)), ("b", clone(model))], voting="soft")
    timeline = predict_timeline(vote.fit(X, labels), long_file, hop=2.0)
    assert (timeline["end"] - timeline["start"]).max() == pytest.approx(WINDOW)
    for label, start, end in SEGMENTS:
        rows = inside(timeline, start, end)
        if label is not None:
            assert (rows["emotion"] == label).mean() >= 0.9


def _speaker_normalized(features):
    from skser.preprocessing import SpeakerNormalizer

    return make_pipeline(SpeakerNormalizer(features), LogisticRegression(max_iter=2000))


def _calibrated(features):
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(
        make_pipeline(features, LogisticRegression(max_iter=2000)), ensemble=False, cv=2)


def _searched(features):
    from sklearn.model_selection import GridSearchCV

    return GridSearchCV(make_pipeline(features, LogisticRegression(max_iter=2000)),
                        {"logisticregression__C": [1.0]}, cv=2)


@pytest.mark.filterwarnings("ignore::skser.exceptions.SpeakerNormalizationWarning")
@pytest.mark.parametrize("wrap", [_speaker_normalized, _calibrated, _searched],
                         ids=["speaker-normalizer", "calibrated", "search"])
def test_the_audio_step_is_found_inside_wrappers(long_file, wrap):
    # The sample rate and window come from the feature step, wherever it sits: inside a
    # SpeakerNormalizer's transformer, a calibrated classifier, a search's best estimator.
    rng = np.random.default_rng(4)
    labels = ["sad", "happy"] * 10
    X = [voice(label, rng.uniform(0.5, 2.0), rng=rng) for label in labels]
    features = AcousticFeatures(sr=SR, duration=WINDOW, offset=0.0, features=("zcr", "mfcc"),
                                n_mfcc=13, n_mels=40, n_fft=512, hop_length=256)
    timeline = predict_timeline(wrap(features).fit(X, labels), long_file, hop=2.0)
    assert (timeline["end"] - timeline["start"]).max() == pytest.approx(WINDOW)
    assert len(timeline) == n_windows(len(recording()), int(WINDOW * SR), int(2.0 * SR))
