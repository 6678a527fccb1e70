"""The per-file feature cache (``memory=``): hits, invalidation, shared entries."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import skser.features._acoustic
import skser.features._images
from skser.exceptions import FeatureCacheWarning
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
    return sorted(str(p) for p in Path(cache).rglob("*.npy"))


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
    first = MelImage(**FRAMES, memory=cache).fit_transform(files)
    entries = [Path(p) for p in _entries(cache)]
    assert len(entries) == 3
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[: len(data) // 2])  # truncated
    entries[1].write_bytes(b"\x00garbage")  # not an array at all
    calls = _count_calls(monkeypatch, skser.features._images, "log_mel_spectrogram")
    with pytest.warns(FeatureCacheWarning, match="2 damaged cache entries were recomputed"):
        again = MelImage(**FRAMES, memory=cache).fit_transform(files)
    assert len(calls) == 2  # the two damaged entries, not the intact one
    np.testing.assert_array_equal(first, again)
    # and the recomputed entries are whole again
    calls.clear()
    np.testing.assert_array_equal(MelImage(**FRAMES, memory=cache).fit_transform(files), first)
    assert calls == []


@pytest.mark.parametrize("bad", [np.zeros(1, np.float32), np.zeros((2, 3), np.float64),
                                 np.float32(7.0)], ids=["one-value", "wrong-shape", "scalar"])
def test_an_entry_of_the_wrong_shape_or_dtype_is_recomputed_not_broadcast(files, cache, bad):
    first = MelImage(**FRAMES, memory=cache).fit_transform(files)
    entry = Path(_entries(cache)[0])
    np.save(entry, bad)
    with pytest.warns(FeatureCacheWarning, match=r"holds an array of shape"):
        again = MelImage(**FRAMES, memory=cache).fit_transform(files)
    np.testing.assert_array_equal(first, again)
    assert np.load(entry).shape == first.shape[1:]


def test_a_pickled_entry_is_never_unpickled(files, cache, tmp_path):
    first = MelImage(**FRAMES, memory=cache).fit_transform(files)
    marker = tmp_path / "PWNED"

    class RunsCode:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    entry = Path(_entries(cache)[0])
    np.save(entry, np.array([RunsCode()], dtype=object), allow_pickle=True)
    with pytest.warns(FeatureCacheWarning, match="unreadable"):
        again = MelImage(**FRAMES, memory=cache).fit_transform(files)
    assert not marker.exists()
    np.testing.assert_array_equal(first, again)


def test_temporaries_of_killed_writers_are_cleaned_up(files, cache):
    MelImage(**FRAMES, memory=cache).fit_transform(files[:1])
    folder = Path(_entries(cache)[0]).parent
    # What a writer killed mid-write leaves: a temporary named after its (dead) process.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = folder / f".x.npy.skser-tmp-{dead}-abc123"
    stale.write_bytes(b"half")
    mine = folder / f".y.npy.skser-tmp-{os.getpid()}-def456"  # a live writer's: kept
    mine.write_bytes(b"busy")
    for path in files[1:]:  # writes to other entries clean their folders
        os.utime(path)
    MelImage(**FRAMES, memory=cache).fit_transform(files)
    leftovers = [p for p in Path(cache).rglob(".*") if p.is_file()]
    assert stale not in leftovers
    assert mine.exists()
