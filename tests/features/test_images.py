import warnings

import librosa
import numpy as np
import pytest
import soundfile as sf

from skser.audio import fix_length
from skser.audio._base import AudioLoadWarning
from skser.features import MelImage, MFCCImage
from tests.conftest import tone

SR = 8000
FRAMES = dict(sr=SR, duration=0.5, n_fft=512, hop_length=128)
N_FRAMES = 1 + 4000 // 128
IMAGES = {
    "mel": lambda **kw: MelImage(**{**FRAMES, "n_mels": 32, **kw}),
    "mfcc": lambda **kw: MFCCImage(**{**FRAMES, "n_mfcc": 13, "n_mels": 32, **kw}),
}
ROWS = {"mel": 32, "mfcc": 13}


def noisy_tone(seconds: float, seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, 0.02, int(SR * seconds))
    return (tone(200 + 50 * seed, sr=SR, seconds=seconds) + noise).astype(np.float32)


def write_wav(path, y) -> str:
    # 32-bit float keeps the samples exact, so file and array inputs can be compared.
    sf.write(path, y, SR, subtype="FLOAT")
    return str(path)


@pytest.fixture
def y():
    return noisy_tone(0.4)


@pytest.mark.parametrize("cls", [MelImage, MFCCImage])
def test_44khz_4s_parameters_give_128_by_345_images(cls):
    rows = {"n_mels": 128} if cls is MelImage else {"n_mfcc": 128, "n_mels": 128}
    extra = {"ref": "min"} if cls is MelImage else {}
    est = cls(sr=44100, duration=4.0, n_fft=2048, hop_length=512, **rows, **extra)
    X = est.fit_transform(tone(440, sr=44100, seconds=0.5)[np.newaxis])
    assert X.shape == (1, 128, 345) and X.dtype == np.float32
    assert est.n_frames_ == 345 and est.output_shape_ == (128, 345)


@pytest.mark.parametrize("kind", IMAGES)
@pytest.mark.parametrize("deltas", [0, 1, 2])
def test_shapes_with_deltas(kind, deltas, y):
    est = IMAGES[kind](deltas=deltas)
    X = est.fit_transform([y, y[:100], np.zeros(9000)])
    channels = (1 + deltas,) if deltas else ()
    assert X.shape == (3, ROWS[kind], N_FRAMES, *channels)
    assert X.dtype == np.float32 and np.isfinite(X).all()
    assert est.n_frames_ == N_FRAMES


def test_mel_image_matches_librosa_in_db_above_the_minimum(y):
    X = IMAGES["mel"](ref="min").fit_transform(y[np.newaxis])
    mel = librosa.feature.melspectrogram(
        y=fix_length(y, 4000), sr=SR, n_fft=512, hop_length=128, n_mels=32
    )
    expected = librosa.power_to_db(mel, ref=np.min, top_db=None)
    np.testing.assert_allclose(X[0], expected, atol=1e-3)


def test_ref_top_db_and_power(y):
    base = IMAGES["mel"]().fit_transform(y[np.newaxis])[0]
    shifted = IMAGES["mel"](ref=10.0).fit_transform(y[np.newaxis])[0]
    np.testing.assert_allclose(base - shifted, 10.0, atol=1e-3)
    peak = IMAGES["mel"](ref="max").fit_transform(y[np.newaxis])[0]
    assert peak.max() == pytest.approx(0.0, abs=1e-5)
    clipped = IMAGES["mel"](top_db=40.0).fit_transform(y[np.newaxis])[0]
    assert clipped.max() - clipped.min() <= 40.0 + 1e-4
    magnitude = IMAGES["mel"](power=1.0).fit_transform(y[np.newaxis])[0]
    mel = librosa.feature.melspectrogram(
        y=fix_length(y, 4000), sr=SR, n_fft=512, hop_length=128, n_mels=32, power=1.0
    )
    expected = librosa.amplitude_to_db(mel, ref=1.0, top_db=None)
    np.testing.assert_allclose(magnitude, expected, atol=1e-3)


def test_mfcc_image_matches_librosa(y):
    X = IMAGES["mfcc"]().fit_transform(y[np.newaxis])
    expected = librosa.feature.mfcc(
        y=fix_length(y, 4000), sr=SR, n_mfcc=13, n_mels=32, n_fft=512, hop_length=128
    )
    np.testing.assert_allclose(X[0], expected, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("kind", IMAGES)
def test_delta_channels_are_librosa_deltas_of_the_image(kind, y):
    plain = IMAGES[kind]().fit_transform(y[np.newaxis])[0]
    stacked = IMAGES[kind](deltas=2).fit_transform(y[np.newaxis])[0]
    np.testing.assert_array_equal(stacked[..., 0], plain)
    np.testing.assert_allclose(stacked[..., 1], librosa.feature.delta(plain), atol=1e-4)
    np.testing.assert_allclose(stacked[..., 2], librosa.feature.delta(plain, order=2), atol=1e-4)


@pytest.mark.parametrize("kind", IMAGES)
def test_deltas_of_clips_shorter_than_the_delta_window(kind):
    est = IMAGES[kind](duration=0.1, n_fft=256, deltas=2)  # 7 frames < 9
    X = est.fit_transform(tone(300, sr=SR, seconds=0.1)[np.newaxis])
    assert X.shape == (1, ROWS[kind], 7, 3) and np.isfinite(X).all()


@pytest.mark.parametrize("kind", IMAGES)
def test_files_match_waveforms_and_offset_applies_to_files(kind, tmp_path):
    y = noisy_tone(1.0, seed=2)
    path = write_wav(tmp_path / "a.wav", y)
    est = IMAGES[kind](offset=0.25)
    from_file = est.fit_transform([path])
    from_array = est.transform(y[np.newaxis, 2000:])
    np.testing.assert_allclose(from_file, from_array, atol=1e-5)


@pytest.fixture
def wav_files(tmp_path):
    return [write_wav(tmp_path / f"f{i}.wav", noisy_tone(0.6, seed=i)) for i in range(3)]


@pytest.mark.parametrize("kind", IMAGES)
def test_n_jobs_2_gives_identical_output(kind, wav_files):
    est = IMAGES[kind]()
    serial = est.fit_transform(wav_files)
    parallel = est.set_params(n_jobs=2).transform(wav_files)
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize("kind, desc", [("mel", "mel images"), ("mfcc", "MFCC images")])
def test_verbose_shows_a_progress_bar(kind, desc, wav_files, capsys):
    IMAGES[kind](verbose=1).fit_transform(wav_files)
    assert desc in capsys.readouterr().err


@pytest.mark.parametrize("kind", IMAGES)
def test_on_error_warn_gives_a_nan_image_and_one_warning(kind, wav_files, tmp_path):
    files = [wav_files[0], str(tmp_path / "missing.wav"), wav_files[1]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X = IMAGES[kind](on_error="warn").fit_transform(files)
    load_warnings = [w for w in caught if issubclass(w.category, AudioLoadWarning)]
    assert len(load_warnings) == 1 and "missing.wav" in str(load_warnings[0].message)
    assert np.isnan(X[1]).all() and np.isfinite(X[[0, 2]]).all()


@pytest.mark.parametrize(
    "kind, params, message",
    [
        ("mel", dict(fmax=5000.0), r"fmax=5000.0 Hz exceeds the Nyquist frequency"),
        ("mel", dict(fmin=3000.0, fmax=2000.0), "fmin=3000.0 Hz must be below fmax=2000.0"),
        ("mel", dict(hop_length=1024), "hop_length=1024 is larger than n_fft=512"),
        ("mel", dict(duration=0.01), "n_fft=512 samples is longer than the clip"),
        ("mel", dict(ref="mean"), "'ref' parameter"),
        ("mel", dict(power=0.0), "'power' parameter"),
        ("mel", dict(top_db=-1.0), "'top_db' parameter"),
        ("mel", dict(deltas=3), "'deltas' parameter"),
        ("mfcc", dict(n_mfcc=64), "n_mfcc=64 exceeds n_mels=32"),
        ("mfcc", dict(n_fft=0), "'n_fft' parameter"),
    ],
)
def test_bad_parameters_raise_clear_errors(kind, params, message):
    with pytest.raises(ValueError, match=message):
        IMAGES[kind](**params).fit(np.zeros((1, 10)))
