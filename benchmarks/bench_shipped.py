"""The shipped model as a user meets it: file size, memory, load time and latency.

In a fresh Python process with one thread (BLAS, joblib): ``import skser``,
``skser.load_pretrained()``, then ``predict`` on 31 files of about 4 s (RAVDESS and
SAVEE, one warm-up), each from its path alone. Reported: the model file's size, the
process's peak resident memory after loading and after predicting (everything Python,
numpy, scikit-learn, librosa and the model take), whether TensorFlow was imported, the
load time, and the median and 90th percentile of the per-file prediction time.

The corpora are stored as Opus, whose decoder takes a large part of a prediction; the same
clips are also timed as 16-bit WAV copies (decoded once, written to a temporary folder), the
format most recordings arrive in. The two kinds of file take turns, so both meet the
machine in the same state.

Peak memory is the process's ``VmHWM`` (``/proc/self/status``), which starts afresh when
the process starts: ``getrusage``'s maximum would carry over the benchmark's own, larger,
peak to the child it starts.

Run: ``python -m benchmarks shipped``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ._common import ROOT, require_data

_CHILD = r"""
import json, statistics, sys, time
t0 = time.perf_counter()
import skser
from threadpoolctl import threadpool_limits
def rss():
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
files, wavs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
with threadpool_limits(1):
    model = skser.load_pretrained()
    load_s = time.perf_counter() - t0
    after_load = rss()
    model.predict([files[0]])
    model.predict([wavs[0]])
    times = {"opus": [], "wav": []}
    for i, pair in enumerate(zip(files[1:], wavs[1:])):
        for kind, f in sorted(zip(("opus", "wav"), pair), reverse=i % 2 == 1):
            start = time.perf_counter()
            model.predict([f])
            times[kind].append(1000 * (time.perf_counter() - start))
def p90(t):
    return sorted(t)[int(0.9 * len(t)) - 1]
print(json.dumps({"import_and_load_seconds": round(load_s, 2),
                  "peak_rss_mb_after_load": round(after_load, 1),
                  "peak_rss_mb_after_predict": round(rss(), 1),
                  "tensorflow_imported": "tensorflow" in sys.modules,
                  "median_ms": round(statistics.median(times["opus"]), 2),
                  "p90_ms": round(p90(times["opus"]), 2),
                  "wav_median_ms": round(statistics.median(times["wav"]), 2),
                  "wav_p90_ms": round(p90(times["wav"]), 2),
                  "n_calls": len(times["opus"])}))
"""


def main() -> dict:
    import soundfile as sf

    from skser.pretrained import DEFAULT_PRETRAINED, pretrained_path

    from .bench_generalization import corpus_table

    require_data()
    df = corpus_table()
    files = df[df["corpus"].isin(["ravdess", "savee"])].sample(31, random_state=1)["path"]
    files = [str(f) for f in files]
    audio = sum(sf.info(f).duration for f in files[1:]) / (len(files) - 1)
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        wavs = []
        for i, f in enumerate(files):
            data, rate = sf.read(f, dtype="float32")
            wavs.append(str(Path(tmp) / f"clip{i:02d}.wav"))
            sf.write(wavs[-1], data, rate, subtype="PCM_16")
        proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(files), json.dumps(wavs)],
                              cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**os.environ, **env})
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    path = pretrained_path()
    row = {"model": DEFAULT_PRETRAINED, "file_mb": round(path.stat().st_size / 1e6, 2),
           "mean_audio_seconds": round(audio, 2), **measured}
    md = ("| model | file | peak memory (load / predict) | TensorFlow | load | median per file "
          "(Opus / WAV) | 90th percentile (Opus / WAV) |\n|---|---|---|---|---|---|---|\n"
          f"| {row['model']} | {row['file_mb']} MB | {row['peak_rss_mb_after_load']:.0f} / "
          f"{row['peak_rss_mb_after_predict']:.0f} MiB | "
          f"{'imported' if row['tensorflow_imported'] else 'not imported'} | "
          f"{row['import_and_load_seconds']} s | {row['median_ms']} / {row['wav_median_ms']} ms "
          f"| {row['p90_ms']} / {row['wav_p90_ms']} ms |")
    return {"rows": [row], "markdown": md}
