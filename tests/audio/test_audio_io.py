import os
import warnings

import numpy as np
import pytest
import soundfile as sf

from skser.audio import AudioLoader, check_waveform, fix_length, load_audio
from skser.audio._base import AudioLoadWarning
from skser.exceptions import AudioLoadError, InvalidAudioError, SkserError
from tests.conftest import tone


@pytest.fixture
def wav(tmp_path):
    path = tmp_path / "a.wav"
    sf.write(path, tone(440, sr=22050, seconds=1.0), 22050)
    return path


def test_load_audio_resamples_and_cuts(wav):
    y = load_audio(wav, sr=16000)
    assert y.dtype == np.float32
    assert abs(len(y) - 16000) <= 1
    part = load_audio(wav, sr=16000, offset=0.25, duration=0.5)
    assert abs(len(part) - 8000) <= 1
    native = load_audio(wav, sr=None)
    assert len(native) == 22050


def test_load_audio_keeps_pitch_when_resampling(wav):
    y = load_audio(wav, sr=16000)
    spectrum = np.abs(np.fft.rfft(y))
    peak_hz = np.argmax(spectrum) * 16000 / len(y)
    assert abs(peak_hz - 440) < 3


def test_stereo_is_averaged_to_mono(tmp_path):
    left = tone(300, sr=16000)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, -left * 0 + left], axis=1), 16000)
    y = load_audio(path, sr=16000)
    assert y.ndim == 1
    np.testing.assert_allclose(y, left, atol=1e-4)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(b"this is not audio at all" * 10), "not a readable audio file"),
        (lambda p: p.mkdir(), "directory"),
    ],
    ids=["missing", "empty", "not-audio", "directory"],
)
def test_bad_files_raise_errors_naming_the_file(tmp_path, make, message):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(AudioLoadError, match=message) as info:
        load_audio(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_truncated_wav_header(tmp_path, wav):
    path = tmp_path / "truncated.wav"
    path.write_bytes(wav.read_bytes()[:30])
    with pytest.raises(SkserError, match=str(path)):
        load_audio(path)


def test_zero_length_audio(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(SkserError, match="zero.wav"):
        load_audio(path)


def test_offset_past_the_end(wav):
    with pytest.raises(InvalidAudioError, match="after offset"):
        load_audio(wav, offset=5.0)


def test_check_waveform_rejects_nan_and_shapes():
    with pytest.raises(InvalidAudioError, match="NaN"):
        check_waveform(np.array([0.0, np.nan, 1.0]), "row 2")
    with pytest.raises(InvalidAudioError, match="1-D"):
        check_waveform(np.zeros((2, 3)))
    with pytest.raises(InvalidAudioError, match="no samples"):
        check_waveform(np.zeros(0))
    with pytest.raises(InvalidAudioError, match="numeric"):
        check_waveform(np.array(["a", "b"]))
    assert check_waveform(np.arange(3, dtype=np.int16)).dtype == np.float32


def test_fix_length_pads_and_trims():
    y = np.arange(5, dtype=np.float32)
    np.testing.assert_array_equal(fix_length(y, 3), [0, 1, 2])
    np.testing.assert_array_equal(fix_length(y, 7), [0, 1, 2, 3, 4, 0, 0])


def test_audio_loader_on_paths_and_arrays_agree(wav):
    loader = AudioLoader(sr=16000, duration=0.5)
    from_path = loader.fit_transform([str(wav)])
    from_array = loader.transform(load_audio(wav, sr=16000)[None, :])
    assert from_path.shape == (1, 8000)
    np.testing.assert_allclose(from_path, from_array, atol=1e-6)


def test_audio_loader_accepts_dataframe_and_pathlike(wav):
    import pandas as pd

    loader = AudioLoader(sr=8000, duration=0.25).fit([wav])
    out = loader.transform(pd.DataFrame({"path": [str(wav), str(wav)], "emotion": ["a", "b"]}))
    assert out.shape == (2, 2000)


def test_audio_loader_parallel_matches_serial(tmp_path):
    paths = []
    for i in range(4):
        p = tmp_path / f"{i}.wav"
        sf.write(p, tone(200 + 50 * i, sr=16000, seconds=0.3), 16000)
        paths.append(str(p))
    serial = AudioLoader(duration=0.3).fit_transform(paths)
    parallel = AudioLoader(duration=0.3, n_jobs=2, verbose=1).fit_transform(paths)
    np.testing.assert_array_equal(serial, parallel)


def test_on_error_warn_keeps_one_row_per_input(tmp_path, wav):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(os.urandom(200))
    paths = [str(wav), str(bad), str(wav), str(tmp_path / "missing.wav")]
    with pytest.raises(AudioLoadError, match="bad.wav"):
        AudioLoader().fit_transform(paths)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = AudioLoader(on_error="warn", duration=0.5).fit_transform(paths)
    assert out.shape == (4, 8000)
    assert np.isnan(out[[1, 3]]).all()
    assert np.isfinite(out[[0, 2]]).all()
    warned = [w for w in caught if issubclass(w.category, AudioLoadWarning)]
    assert len(warned) == 1
    assert "bad.wav" in str(warned[0].message) and "missing.wav" in str(warned[0].message)


@pytest.mark.parametrize(
    "X, message",
    [
        ("one.wav", "single path"),
        (np.zeros(10), "reshape"),
        (np.zeros((2, 3, 4)), "2-D"),
        ([], "0 samples"),
        (["a.wav", np.zeros(3)], "mixes"),
    ],
)
def test_audio_loader_rejects_wrong_input_forms(X, message):
    with pytest.raises(ValueError, match=message):
        AudioLoader().fit(X)


def test_invalid_parameters_are_reported():
    with pytest.raises(ValueError, match="sr"):
        AudioLoader(sr=0).fit(np.zeros((1, 10)))
    with pytest.raises(ValueError, match="on_error"):
        AudioLoader(on_error="ignore").fit(np.zeros((1, 10)))


def test_audio_loader_passes_kept_columns_of_a_dataframe(tmp_path):
    import pandas as pd

    from skser.features import MelImage

    paths = []
    for i in range(3):
        path = tmp_path / f"f{i}.wav"
        sf.write(path, np.full(4000, 0.1 * (i + 1), np.float32), 8000)
        paths.append(str(path))
    df = pd.DataFrame({"path": paths, "speaker": ["a", "a", "b"], "emotion": ["x"] * 3},
                      index=[5, 6, 7])
    loader = AudioLoader(sr=8000, duration=0.5, keep_columns=("speaker", "gender"))
    out = loader.fit_transform(df)
    assert list(out.columns) == ["waveform", "speaker"]  # absent columns are skipped
    assert out["speaker"].tolist() == ["a", "a", "b"] and list(out.index) == [0, 1, 2]
    plain = AudioLoader(sr=8000, duration=0.5).fit_transform(paths)
    np.testing.assert_array_equal(np.stack(out["waveform"]), plain)
    # the next audio step reads the waveform column as it would read the array
    mel = MelImage(sr=8000, duration=0.5, n_fft=256, hop_length=64, n_mels=16)
    np.testing.assert_array_equal(mel.fit_transform(out), mel.fit_transform(plain))
    # without any kept column in the input: the usual array
    assert isinstance(loader.transform(paths), np.ndarray)
    assert isinstance(AudioLoader(sr=8000, duration=0.5).transform(df), np.ndarray)


def test_waveform_column_must_hold_1d_arrays():
    import pandas as pd

    df = pd.DataFrame({"waveform": [np.zeros((2, 10)), np.zeros(10)]})
    with pytest.raises(ValueError, match="row 0 has shape"):
        AudioLoader(sr=800, duration=0.05).fit_transform(df)
    with pytest.raises(ValueError, match="0 samples"):
        AudioLoader(sr=800, duration=0.05).fit_transform(pd.DataFrame({"waveform": []}))


# -- trimming silence -------------------------------------------------------------------
def _speech(sr=16000, seconds=1.0):
    t = np.arange(int(sr * seconds)) / sr
    return (0.3 * np.cos(2 * np.pi * 180 * t) * (1.2 + np.sin(2 * np.pi * 3 * t))
            ).astype("float32")


def test_trim_silence_is_relative_to_the_file_level():
    from skser.audio import trim_silence

    sr = 16000
    speech = _speech(sr)
    for gain in (1.0, 0.01):  # a quiet recording is trimmed like a loud one
        y = np.concatenate([np.zeros(sr, "float32"), gain * speech,
                            np.full(sr // 2, 1e-6 * gain, "float32")])
        out = trim_silence(y, sr)
        # within a frame hop (10 ms) of the speech at each end
        assert abs(len(out) - len(speech)) <= int(0.035 * sr)
        assert np.abs(out[int(0.01 * sr):]).max() > 0.1 * gain
    silent = np.zeros(sr, "float32")
    assert len(trim_silence(silent, sr)) == sr


@pytest.mark.parametrize("step", ["AudioLoader", "MelImage", "AcousticFeatures"])
def test_audio_steps_trim_leading_silence_of_files_and_waveforms(step, tmp_path):
    import skser.audio
    import skser.features

    sr = 16000
    cls = getattr(skser.audio, step, None) or getattr(skser.features, step)
    speech = _speech(sr, 1.5)
    padded = np.concatenate([np.zeros(sr, "float32"), speech])
    sf.write(tmp_path / "padded.wav", padded, sr, subtype="FLOAT")
    # Trimming starts at the first loud 25 ms frame: at most a frame of the silence stays.
    kept = skser.audio.AudioLoader(duration=1.0, trim_db=40.0).fit_transform(
        [str(tmp_path / "padded.wav")])[0]
    lead = int(np.flatnonzero(kept)[0])
    assert lead <= int(0.025 * sr)
    expected_input = np.concatenate([np.zeros(lead, "float32"), speech])
    trimmed = cls(duration=1.0, trim_db=40.0)
    from_file = trimmed.fit_transform([str(tmp_path / "padded.wav")])
    np.testing.assert_allclose(from_file, cls(duration=1.0).fit_transform([expected_input]),
                               atol=1e-4)
    np.testing.assert_allclose(trimmed.transform([padded]), from_file, atol=1e-4)
    untrimmed = cls(duration=1.0).fit_transform([str(tmp_path / "padded.wav")])
    assert not np.allclose(untrimmed, from_file, atol=1e-3)
