"""The bad-input corpus: every transformer (and a fitted pipeline's predict) meets each
case with either a correct result or a skser error naming the file and the problem."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import soundfile as sf

from skser.audio import AudioLoader
from skser.audio._base import AudioLoadWarning
from skser.exceptions import SkserError
from skser.features import AcousticFeatures, MelImage, MFCCImage

SR = 16000
VALID = "valid"


def _speech_like(seconds=0.6, sr=SR):
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * 180 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype("float32")


def _write(path, data, sr=SR, **kw):
    sf.write(path, data, sr, **kw)
    return path


def _build_corpus(root):
    """name -> (path, expected): expected is VALID or a regex the error must match."""
    cases = {}

    def add(name, path, expected):
        cases[name] = (str(path), expected)

    add("empty file", _touch(root / "empty.wav"), "empty")
    add("zero-length audio", _write(root / "zero_len.wav", np.zeros(0, "float32")),
        "no audio samples|no samples")
    good = _write(root / "good.wav", _speech_like())
    truncated = root / "truncated_header.wav"
    truncated.write_bytes(good.read_bytes()[:20])
    add("truncated WAV header", truncated, "not a readable audio file|could not be decoded")
    rnd = root / "random_bytes.wav"
    rnd.write_bytes(np.random.default_rng(0).bytes(4000))
    add("random bytes named .wav", rnd, "not a readable audio file|could not be decoded")
    txt = root / "notes.txt"
    txt.write_text("this is a text file, not audio\n" * 20)
    add("text file", txt, "not a readable audio file")
    d = root / "x.wav"
    d.mkdir()
    add("directory named x.wav", d, "directory")
    locked = _write(root / "no_permission.wav", _speech_like())
    os.chmod(locked, 0)
    # root reads files whatever their mode: then reading it is the correct result
    add("no read permission", locked, VALID if os.geteuid() == 0 else "permission denied")
    add("all-zero audio", _write(root / "silence.wav", np.zeros(SR, "float32")), VALID)
    add("single sample", _write(root / "one_sample.wav", np.array([0.1], "float32")), VALID)
    long = root / "ten_minutes.wav"
    with sf.SoundFile(long, "w", samplerate=8000, channels=1, subtype="PCM_16") as f:
        block = (0.1 * np.sin(np.arange(8000 * 60) / 8000 * 2 * np.pi * 200)).astype("float32")
        for _ in range(10):
            f.write(block)
    add("10-minute file", long, VALID)
    add("8 kHz", _write(root / "sr8k.wav", _speech_like(sr=8000), sr=8000), VALID)
    add("96 kHz", _write(root / "sr96k.wav", _speech_like(sr=96000), sr=96000), VALID)
    six = np.tile(_speech_like()[:, None], (1, 6))
    add("6 channels", _write(root / "six_channels.wav", six), VALID)
    for subtype in ("PCM_16", "PCM_32", "DOUBLE"):
        add(f"{subtype} PCM", _write(root / f"{subtype}.wav", _speech_like(), subtype=subtype),
            VALID)
    nan = _speech_like()
    nan[100] = np.nan
    add("NaN samples", _write(root / "nan.wav", nan, subtype="FLOAT"), "NaN")
    inf = _speech_like()
    inf[100] = np.inf
    add("Inf samples", _write(root / "inf.wav", inf, subtype="FLOAT"), "NaN or infinite")
    add("full-scale clipping",
        _write(root / "clipped.wav", np.clip(_speech_like() * 10, -1, 1)), VALID)
    formats = sf.available_formats()
    add("FLAC", _write(root / "a.flac", _speech_like()), VALID)
    if "OGG" in formats:
        add("Ogg Vorbis", _write(root / "a.ogg", _speech_like(), format="OGG", subtype="VORBIS"),
            VALID)
        add("Ogg Opus", _write(root / "a.opus", _speech_like(sr=48000), sr=48000,
                               format="OGG", subtype="OPUS"), VALID)
    if "MP3" in formats:
        add("MP3", _write(root / "a.mp3", _speech_like(sr=44100), sr=44100, format="MP3"), VALID)
    if hasattr(os, "mkfifo"):  # reading a FIFO would block: refused before opening
        os.mkfifo(root / "fifo.wav")
        add("FIFO", root / "fifo.wav", "not a regular file")
    return cases


def _touch(path):
    path.write_bytes(b"")
    return path


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory):
    return _build_corpus(tmp_path_factory.mktemp("bad_input"))


TRANSFORMERS = {
    "AudioLoader": lambda: AudioLoader(duration=1.0),
    "AcousticFeatures": lambda: AcousticFeatures(sr=SR, duration=1.0, offset=0.0),
    "MelImage": lambda: MelImage(duration=1.0),
    "MFCCImage": lambda: MFCCImage(duration=1.0, deltas=1),
}


@pytest.mark.parametrize("transformer", TRANSFORMERS)
def test_every_bad_input_gets_a_correct_result_or_a_named_error(bad_corpus, transformer):
    est = TRANSFORMERS[transformer]().fit([bad_corpus["PCM_16 PCM"][0]])
    outcomes = {}
    for name, (path, expected) in bad_corpus.items():
        if expected == VALID:
            out = est.transform([path])
            assert out.shape == (1, *est.output_shape_), name
            assert out.dtype == np.float32, name
            assert np.isfinite(out).all(), name
            outcomes[name] = "ok"
        else:
            with pytest.raises(SkserError, match=expected) as info:
                est.transform([path])
            assert path in str(info.value), f"{name}: message must name the file"
            outcomes[name] = type(info.value).__name__
    assert len(outcomes) == len(bad_corpus)


def test_ten_minute_file_reads_only_the_requested_duration(bad_corpus):
    out = AudioLoader(sr=8000, duration=2.0, offset=300.0).fit_transform(
        [bad_corpus["10-minute file"][0]]
    )
    assert out.shape == (1, 16000)
    assert np.abs(out).max() > 0.05


def test_on_error_warn_reports_all_bad_files_once_and_keeps_rows(bad_corpus):
    names = list(bad_corpus)
    paths = [bad_corpus[n][0] for n in names]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = MelImage(duration=0.5, on_error="warn").fit_transform(paths)
    assert out.shape[0] == len(paths)
    summary = [w for w in caught if issubclass(w.category, AudioLoadWarning)]
    assert len(summary) == 1
    for name, (path, expected) in bad_corpus.items():
        row = out[names.index(name)]
        if expected == VALID:
            assert np.isfinite(row).all(), name
        else:
            assert np.isnan(row).all(), name
            assert path in str(summary[0].message), name


@pytest.mark.slow
def test_fitted_pipeline_predict_meets_bad_input(bad_corpus, tmp_path):
    from skser import Conv1DClassifier, make_pipeline

    good = [bad_corpus[n][0] for n in ("PCM_16 PCM", "FLAC", "8 kHz", "96 kHz")]
    pipe = make_pipeline(
        MelImage(duration=0.5, n_mels=16),
        Conv1DClassifier(filters=(4,), dense_units=4, epochs=1, validation_split=0.0,
                         random_state=0),
    ).fit(good, ["happy", "sad", "happy", "sad"])
    for path, expected in bad_corpus.values():
        if expected == VALID:
            assert pipe.predict([path])[0] in ("happy", "sad")
            assert pipe.predict_proba([path]).shape == (1, 2)
        else:
            with pytest.raises(SkserError, match=expected):
                pipe.predict([path])
    with pytest.raises(SkserError, match="NaN"):
        pipe[-1].predict(np.full((1, *pipe[0].output_shape_), np.nan, dtype="float32"))
