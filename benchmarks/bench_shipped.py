"""The shipped model as a user meets it: file size, memory, load time and latency.

In a fresh Python process with one thread (BLAS, joblib): ``import skser``,
``skser.load_pretrained()``, then ``predict`` on 31 files of about 4 s (RAVDESS and
SAVEE, one warm-up), each from its path alone. Reported: the model file's size, the
process's peak resident memory after loading and after predicting (everything Python,
numpy, scikit-learn, librosa and the model take), whether TensorFlow was imported, the
load time, and the median and 90th percentile of the per-file prediction time.

Run: ``python -m benchmarks shipped``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ._common import ROOT, require_data

_CHILD = r"""
import json, os, resource, statistics, sys, time
t0 = time.perf_counter()
import skser
from threadpoolctl import threadpool_limits
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
files = json.loads(sys.argv[1])
with threadpool_limits(1):
    model = skser.load_pretrained()
    load_s = time.perf_counter() - t0
    after_load = rss()
    model.predict([files[0]])
    times = []
    for f in files[1:]:
        start = time.perf_counter()
        model.predict([f])
        times.append(1000 * (time.perf_counter() - start))
times.sort()
print(json.dumps({"import_and_load_seconds": round(load_s, 2),
                  "peak_rss_mb_after_load": round(after_load, 1),
                  "peak_rss_mb_after_predict": round(rss(), 1),
                  "tensorflow_imported": "tensorflow" in sys.modules,
                  "median_ms": round(statistics.median(times), 2),
                  "p90_ms": round(times[int(0.9 * len(times)) - 1], 2),
                  "n_calls": len(times)}))
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
    proc = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(files)], cwd=ROOT,
                          capture_output=True, text=True, check=True,
                          env={**os.environ, **env})
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    path = pretrained_path()
    row = {"model": DEFAULT_PRETRAINED, "file_mb": round(path.stat().st_size / 1e6, 2),
           "mean_audio_seconds": round(audio, 2), **measured}
    md = ("| model | file | peak memory (load / predict) | TensorFlow | load | median per file "
          "| 90th percentile |\n|---|---|---|---|---|---|---|\n"
          f"| {row['model']} | {row['file_mb']} MB | {row['peak_rss_mb_after_load']:.0f} / "
          f"{row['peak_rss_mb_after_predict']:.0f} MiB | "
          f"{'imported' if row['tensorflow_imported'] else 'not imported'} | "
          f"{row['import_and_load_seconds']} s | {row['median_ms']} ms | {row['p90_ms']} ms |")
    return {"rows": [row], "markdown": md}
