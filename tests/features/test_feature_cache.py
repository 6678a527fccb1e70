"""The per-file feature cache (``memory=``): hits, invalidation, shared entries."""

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import skser.features._acoustic
import skser.features._images
from skser.features import AcousticFeatures, MelImage, MFCCImage
from tests.conftest import tone

SR = 8000
FRAMES = dict(sr=SR, duration=0.5, n_fft=512, hop_length=128)


def _write(path, freq):
    sf.write(path, tone(freq, sr=SR, seconds=0.6), SR, subtype="FLOAT")
    return str(path)


@pytest.fixture
def files(tmp_path):
    return [_write(tmp_path / f"f{i}.wav", 200 + 100 * i) for i in range(3)]


@pytest.fixture
def cache(tmp_path):
    return str(tmp_path / "cache")


def _count_calls(monkeypatch, module, name):
    """Count calls of the feature function ``module.name`` (in this process)."""
    calls = []
    original = getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def _entries(cache):
    return sorted(str(p.parent) for p in Path(cache).rglob("output.pkl"))


def test_second_transform_reads_the_cache(files, cache, monkeypatch):
    calls = _count_calls(monkeypatch, skser.features._images, "log_mel_spectrogram")
    first = MelImage(**FRAMES, memory=cache).fit_transform(files)
    assert len(calls) == 3 and len(_entries(cache)) == 3
    again = MelImage(**FRAMES, memory=cache).fit_transform(files)
    assert len(calls) == 3
    np.testing.assert_array_equal(first, again)


def test_a_rewritten_file_is_recomputed_alone(files, cache, monkeypatch):
    calls = _count_calls(monkeypatch, skser.features._images, "mfcc")
    est = MFCCImage(**FRAMES, n_mfcc=13, memory=cache)
    before = est.fit_transform(files)
    stat = os.stat(files[1])
    _write(files[1], 1234)
    os.utime(files[1], ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    after = est.transform(files)
    assert len(calls) == 4
    np.testing.assert_array_equal(after[[0, 2]], before[[0, 2]])
    assert not np.allclose(after[1], before[1])
    np.testing.assert_array_equal(after, MFCCImage(**FRAMES, n_mfcc=13).fit_transform(files))


def test_a_changed_feature_parameter_does_not_reuse_entries(files, cache, monkeypatch):
    calls = _count_calls(monkeypatch, skser.features._images, "log_mel_spectrogram")
    MelImage(**FRAMES, memory=cache).fit_transform(files)
    other = MelImage(**FRAMES, top_db=40.0, memory=cache).fit_transform(files)
    assert len(calls) == 6 and len(_entries(cache)) == 6
    np.testing.assert_array_equal(other, MelImage(**FRAMES, top_db=40.0).fit_transform(files))


def test_transformers_with_the_same_parameter_values_do_not_share_entries(
    files, cache, monkeypatch
):
    calls = _count_calls(monkeypatch, skser.features._images, "mfcc")
    MelImage(**FRAMES, n_mels=32, memory=cache).fit_transform(files)
    MFCCImage(**FRAMES, n_mfcc=20, n_mels=32, memory=cache).fit_transform(files)
    assert len(calls) == 3


def test_runtime_parameters_share_entries(files, cache, monkeypatch):
    calls = _count_calls(monkeypatch, skser.features._acoustic, "acoustic_feature_vector")
    params = dict(**FRAMES, offset=0.0, n_mels=32, features=("zcr", "mfcc"))
    # Computed in worker processes (and the first file here, before they start), stored in
    # the shared cache.
    parallel = AcousticFeatures(**params, n_jobs=2, memory=cache).fit_transform(files)
    stored = _entries(cache)
    assert len(stored) == 3
    assert len(calls) == 1
    calls.clear()
    serial = AcousticFeatures(
        **params, verbose=1, on_error="warn", memory=cache
    ).fit_transform(files)
    assert calls == [] and _entries(cache) == stored
    np.testing.assert_array_equal(parallel, serial)


def test_memory_accepts_a_pathlib_path(files, tmp_path):
    X = MelImage(**FRAMES, memory=tmp_path / "cache").fit_transform(files)
    assert X.shape[0] == 3


def test_a_damaged_entry_is_recomputed_not_read(files, cache, monkeypatch):
    # A process killed while writing leaves at most a damaged entry (joblib writes to a
    # temporary file and renames it); a truncated or garbage entry must be recomputed.
    first = MelImage(**FRAMES, memory=cache).fit_transform(files)
    entries = sorted(Path(cache).rglob("output.pkl"))
    assert len(entries) == 3
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[: len(data) // 2])  # truncated mid-write
    entries[1].write_bytes(b"\x00garbage")  # not a pickle at all
    calls = _count_calls(monkeypatch, skser.features._images, "log_mel_spectrogram")
    again = MelImage(**FRAMES, memory=cache).fit_transform(files)  # joblib logs, recomputes
    assert len(calls) == 2  # the two damaged entries, not the intact one
    np.testing.assert_array_equal(first, again)
    # and the recomputed entries are whole again
    calls.clear()
    np.testing.assert_array_equal(MelImage(**FRAMES, memory=cache).fit_transform(files), first)
    assert calls == []
