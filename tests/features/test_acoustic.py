import warnings

import librosa
import numpy as np
import pytest
import scipy.stats
import soundfile as sf
from sklearn.exceptions import NotFittedError

from skser.audio import DEFAULT_DURATION, DEFAULT_OFFSET, DEFAULT_SR
from skser.audio._base import AudioLoadWarning
from skser.exceptions import AudioLoadError
from skser.features import AcousticFeatures, acoustic_feature_names, acoustic_feature_vector
from skser.features._functional import FEATURE_GROUPS, STATISTICS

SMALL = dict(sr=8000, duration=0.5, offset=0.0, n_fft=512, hop_length=128, n_mels=32, n_mfcc=13)


def speechlike(sr: int, seconds: float, seed: int = 0, f0: float = 150.0) -> np.ndarray:
    """Harmonics of a gliding pitch (f0 +- 1/3) with a syllable envelope and a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    phase = 2 * np.pi * np.cumsum(f0 * (1 + np.sin(2 * np.pi * 2 * t) / 3)) / sr
    voiced = sum(0.3 / k * np.sin(k * phase) for k in range(1, 6))
    y = voiced * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)) + 0.01 * rng.standard_normal(t.size)
    return y.astype(np.float32)


def write_wav(path, y, sr):
    # 32-bit float keeps the samples exact, so file and array inputs can be compared.
    sf.write(path, y, sr, subtype="FLOAT")
    return str(path)


#: The audio of the acoustic-conv1d recipes: 2.5 s from 0.6 s at librosa's 22,050 Hz.
ACOUSTIC_AUDIO = dict(sr=22050, duration=2.5, offset=0.6)


def test_default_features_are_librosas_162_means():
    sr = 22050
    y = speechlike(sr, 2.5)
    est = AcousticFeatures(**ACOUSTIC_AUDIO)
    X = est.fit_transform(y[np.newaxis])
    expected = np.hstack([
        librosa.feature.zero_crossing_rate(y).mean(axis=1),
        librosa.feature.chroma_stft(S=np.abs(librosa.stft(y)), sr=sr).mean(axis=1),
        librosa.feature.mfcc(y=y, sr=sr).mean(axis=1),
        librosa.feature.rms(y=y).mean(axis=1),
        librosa.feature.melspectrogram(y=y, sr=sr).mean(axis=1),
    ])
    assert X.shape == (1, 162) and X.dtype == np.float32
    assert est.n_features_out_ == 162
    np.testing.assert_allclose(X[0], expected, rtol=1e-4, atol=1e-8)


def test_default_audio_is_the_shared_audio_default():
    est = AcousticFeatures()
    assert (est.sr, est.duration, est.offset) == (DEFAULT_SR, DEFAULT_DURATION, DEFAULT_OFFSET)
    assert (est.sr, est.duration, est.offset) == (16000, 3.0, 0.0)


def test_offset_window_of_files_matches_waveforms(tmp_path):
    sr = 22050
    y = speechlike(sr, 3.5, seed=1)
    path = write_wav(tmp_path / "a.wav", y, sr)
    est = AcousticFeatures(**ACOUSTIC_AUDIO)
    from_file = est.fit_transform([path])
    start = int(0.6 * sr)
    from_array = est.transform(y[np.newaxis, start:start + int(2.5 * sr)])
    np.testing.assert_allclose(from_file, from_array, rtol=1e-6, atol=1e-9)


def test_default_names():
    names = AcousticFeatures().fit(np.zeros((1, 10))).get_feature_names_out()
    assert len(names) == 162 and len(set(names)) == 162
    assert names[0] == "zcr_mean"
    assert names[1] == "chroma0_mean" and names[12] == "chroma11_mean"
    assert names[16] == "mfcc3_mean"
    assert names[33] == "rms_mean"
    assert names[34] == "mel0_mean" and names[-1] == "mel127_mean"


def test_names_follow_groups_then_stats_then_rows():
    names = acoustic_feature_names(
        features=("rms", "mfcc"), stats=("mean", "max"), n_mfcc=2, deltas=2
    )
    assert names == [
        "rms_mean", "rms_max",
        "mfcc0_mean", "mfcc1_mean", "mfcc0_delta_mean", "mfcc1_delta_mean",
        "mfcc0_delta2_mean", "mfcc1_delta2_mean",
        "mfcc0_max", "mfcc1_max", "mfcc0_delta_max", "mfcc1_delta_max",
        "mfcc0_delta2_max", "mfcc1_delta2_max",
    ]


def test_every_group_and_statistic_lands_in_its_named_column():
    sr, n_fft, hop = SMALL["sr"], SMALL["n_fft"], SMALL["hop_length"]
    y = speechlike(sr, SMALL["duration"])
    est = AcousticFeatures(**SMALL, features=FEATURE_GROUPS, stats=STATISTICS, deltas=2)
    X = est.fit_transform(y[np.newaxis])
    names = list(est.get_feature_names_out())
    assert X.shape == (1, len(names)) == (1, est.n_features_out_)
    assert len(set(names)) == len(names)
    value = dict(zip(names, X[0]))

    rms = librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop)[0]
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=n_fft, hop_length=hop)[0]
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13, n_mels=32, n_fft=n_fft, hop_length=hop)
    mel = librosa.feature.melspectrogram(y=y, sr=sr, n_mels=32, n_fft=n_fft, hop_length=hop)
    centroid = librosa.feature.spectral_centroid(y=y, sr=sr, n_fft=n_fft, hop_length=hop)[0]
    close = dict(rel=1e-4, abs=1e-5)
    assert value["rms_max"] == pytest.approx(rms.max(), **close)
    assert value["rms_skew"] == pytest.approx(scipy.stats.skew(rms), **close)
    assert value["zcr_p90"] == pytest.approx(np.percentile(zcr, 90), **close)
    assert value["mfcc2_std"] == pytest.approx(mfcc[2].std(), **close)
    delta = librosa.feature.delta(mfcc)
    assert value["mfcc2_delta_mean"] == pytest.approx(delta[2].mean(), **close)
    assert value["logmel5_median"] == pytest.approx(
        np.median(librosa.power_to_db(mel)[5]), **close
    )
    assert value["mel3_min"] == pytest.approx(mel[3].min(), rel=1e-4)
    assert value["spectral_centroid_mean"] == pytest.approx(centroid.mean(), rel=1e-4)
    # The glide spans 100-200 Hz around 150 Hz.
    assert 110 < value["f0_median"] < 190


def test_silence_gives_zero_spread_statistics():
    out = acoustic_feature_vector(
        np.zeros(4000, np.float32), sr=8000, n_fft=512, hop_length=128,
        stats=("std", "skew"),
    )
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out, 0.0)


def test_set_output_pandas_uses_the_names():
    est = AcousticFeatures(**SMALL, features=("zcr", "rms"), stats=("mean", "p10"))
    frame = est.set_output(transform="pandas").fit_transform(np.zeros((2, 100)))
    assert list(frame.columns) == ["zcr_mean", "zcr_p10", "rms_mean", "rms_p10"]


def test_names_need_no_fit_but_valid_parameters():
    assert len(AcousticFeatures().get_feature_names_out()) == 162
    with pytest.raises(ValueError, match="unknown stats"):
        AcousticFeatures(stats=("average",)).get_feature_names_out()
    with pytest.raises(NotFittedError):
        _ = AcousticFeatures().n_features_out_


def test_names_of_list_settings_and_unhashable_ones():
    # The names are built once per setting; lists are settings too, and a setting that
    # cannot be a cache key still gets its own error.
    est = AcousticFeatures(**SMALL, features=["rms", "zcr"], stats=["std"])
    assert list(est.get_feature_names_out()) == ["rms_std", "zcr_std"]
    names = est.get_feature_names_out()
    names[0] = "changed"  # a copy: the next call is not affected
    assert list(est.get_feature_names_out()) == ["rms_std", "zcr_std"]
    assert est.fit_transform(np.zeros((1, 100))).shape == (1, 2)
    with pytest.raises(ValueError, match="unknown features"):
        AcousticFeatures(features=[["rms"]]).get_feature_names_out()


@pytest.fixture
def wav_files(tmp_path):
    sr = SMALL["sr"]
    return [write_wav(tmp_path / f"f{i}.wav", speechlike(sr, 0.6, seed=i, f0=120 + 40 * i), sr)
            for i in range(3)]


def test_n_jobs_2_gives_identical_output(wav_files):
    est = AcousticFeatures(**SMALL)
    serial = est.fit_transform(wav_files)
    parallel = est.set_params(n_jobs=2).transform(wav_files)
    np.testing.assert_array_equal(serial, parallel)


def test_verbose_shows_a_progress_bar(wav_files, capsys):
    AcousticFeatures(**SMALL, verbose=1).fit_transform(wav_files)
    assert "acoustic features" in capsys.readouterr().err


def test_on_error_warn_gives_a_nan_row_and_one_warning(wav_files, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio" * 20)
    files = [wav_files[0], str(bad), wav_files[1]]
    est = AcousticFeatures(**SMALL, on_error="warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X = est.fit_transform(files)
    load_warnings = [w for w in caught if issubclass(w.category, AudioLoadWarning)]
    assert len(load_warnings) == 1 and "bad.wav" in str(load_warnings[0].message)
    assert np.isnan(X[1]).all()
    assert np.isfinite(X[[0, 2]]).all()
    with pytest.raises(AudioLoadError, match="bad.wav"):
        est.set_params(on_error="raise").transform(files)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(features=("zcr", "pitch")), r"unknown features \['pitch'\]"),
        (dict(features=("zcr", "zcr")), "twice"),
        (dict(features=()), "features is empty"),
        (dict(features="mfcc"), "'features' parameter"),
        (dict(stats=("mean", "mode")), r"unknown stats \['mode'\]"),
        (dict(n_mfcc=40), "n_mfcc=40 exceeds n_mels=32"),
        (dict(hop_length=1024), "hop_length=1024 is larger than n_fft=512"),
        (dict(duration=0.05), "n_fft=512 samples is longer than the clip"),
        (dict(deltas=True, features=("zcr",)), "add 'mfcc' to features"),
        (dict(deltas=3), "'deltas' parameter"),
        (dict(sr=0), "'sr' parameter"),
        (dict(features=("f0",), sr=400, n_fft=4, hop_length=2), "'f0' cannot be estimated"),
    ],
)
def test_bad_parameters_raise_clear_errors(params, message):
    with pytest.raises(ValueError, match=message):
        AcousticFeatures(**{**SMALL, **params}).fit(np.zeros((1, 10)))
