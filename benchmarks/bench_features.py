"""Feature extraction speed on the real corpora (issue 4).

Compares, on the same files in one run: reference A's one-file-at-a-time loop
(``librosa.load`` then five separate librosa feature calls, as in SEEDS.md),
skser's ``AcousticFeatures`` cold (``n_jobs=1``), cold with ``n_jobs=2``, and
with a warm per-file cache; and ``MelImage`` cold. Reported as files/s.

Run: ``python -m benchmarks features`` (``SKSER_BENCH_FILES`` sets the number
of files, default 600, drawn evenly from the four corpora with a fixed seed).
"""

from __future__ import annotations

import os
import tempfile
import warnings

import numpy as np

from ._common import require_data, timer


def _sample_files(n: int) -> list[str]:
    from skser.datasets import load_corpora

    df = load_corpora(require_data())
    per = max(1, n // df["corpus"].nunique())
    parts = [g.sample(min(per, len(g)), random_state=0) for _, g in df.groupby("corpus")]
    return [p for part in parts for p in part["path"]]


def reference_a_features(path: str) -> np.ndarray:
    """Reference A's extraction of one file (SEEDS.md), for timing and checking."""
    import librosa

    y, sr = librosa.load(path, duration=2.5, offset=0.6)
    zcr = np.mean(librosa.feature.zero_crossing_rate(y=y).T, axis=0)
    stft = np.abs(librosa.stft(y))
    chroma = np.mean(librosa.feature.chroma_stft(S=stft, sr=sr).T, axis=0)
    mfcc = np.mean(librosa.feature.mfcc(y=y, sr=sr).T, axis=0)
    rms = np.mean(librosa.feature.rms(y=y).T, axis=0)
    mel = np.mean(librosa.feature.melspectrogram(y=y, sr=sr).T, axis=0)
    return np.hstack([zcr, chroma, mfcc, rms, mel])


def main() -> dict:
    from skser.features import AcousticFeatures, MelImage

    n = int(os.environ.get("SKSER_BENCH_FILES", 600))
    files = _sample_files(n)
    rows = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with timer() as t:
            ref = np.stack([reference_a_features(f) for f in files])
        rows["reference A loop (librosa.load + 5 calls)"] = t()
    # The audio reference A read (and recipe acoustic-conv1d reads), not skser.audio's
    # defaults.
    audio = {"sr": 22050, "duration": 2.5, "offset": 0.6}
    with timer() as t:
        ours = AcousticFeatures(**audio).fit_transform(files)
    rows["AcousticFeatures n_jobs=1, cold"] = t()
    with timer() as t:
        AcousticFeatures(**audio, n_jobs=2).fit_transform(files)
    rows["AcousticFeatures n_jobs=2, cold"] = t()
    with tempfile.TemporaryDirectory() as cache:
        AcousticFeatures(**audio, memory=cache, n_jobs=2).fit_transform(files)
        with timer() as t:
            AcousticFeatures(**audio, memory=cache).fit_transform(files)
        rows["AcousticFeatures warm cache"] = t()
    with timer() as t:
        MelImage().fit_transform(files)
    rows["MelImage (64 x 188) n_jobs=1, cold"] = t()
    with timer() as t:
        MelImage(sr=44100, duration=4.0, n_mels=128, n_fft=2048, hop_length=512,
                 ref="min").fit_transform(files)
    rows["MelImage reference B (128 x 345), cold"] = t()

    base = rows["reference A loop (librosa.load + 5 calls)"]
    table = [
        {"method": k, "seconds": round(v, 2), "files_per_s": round(len(files) / v, 1),
         "speedup_vs_reference_a": round(base / v, 2)}
        for k, v in rows.items()
    ]
    # Same features? (reference A's vector vs ours: relative difference)
    rel = float(np.median(np.abs(ours - ref) / (np.abs(ref) + 1e-3)))
    md = ["| method | seconds | files/s | speed-up vs reference A |", "|---|---|---|---|"]
    md += [f"| {r['method']} | {r['seconds']} | {r['files_per_s']} | "
           f"{r['speedup_vs_reference_a']}x |" for r in table]
    md.append(f"\n{len(files)} files; median relative difference between reference A's "
              f"vector and AcousticFeatures(sr=22050, duration=2.5, offset=0.6): {rel:.2e}")
    return {"n_files": len(files), "rows": table, "median_relative_difference": rel,
            "markdown": "\n".join(md)}
