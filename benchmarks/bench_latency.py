"""End-to-end prediction latency of skser's default pipeline on one CPU core (issue 6).

Trains ``make_recipe("mel-cnn2d")`` for one epoch on 300 real files (the weights do not
change the cost of a prediction), then times ``predict`` of a single file, from its path:
decoding the file, resampling to 16 kHz, the log-mel image and the network. TensorFlow and
joblib are limited to one thread; the median of 30 calls on 30 different files (about 4 s
of audio each, drawn from RAVDESS and SAVEE, whose files are 3 to 4 s long) is reported,
after one warm-up call. Then the throughput of one ``predict`` call on a batch of 256 files
(features and network, still one thread), and the peak resident memory of the process.

Run: ``python -m benchmarks latency``; ``SKSER_BENCH_RECIPE=mel-cnn2d+stats-svc python -m
benchmarks latency`` times another recipe.
"""

from __future__ import annotations

import os
import statistics
import time

from ._common import peak_rss_mb, require_data

BATCH = 256


def main() -> dict:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import soundfile as sf

    from skser.datasets import load_corpora
    from skser.recipes import make_recipe

    df = load_corpora(require_data())
    train = df.sample(300, random_state=0)
    recipe = os.environ.get("SKSER_BENCH_RECIPE", "mel-cnn2d")
    model = make_recipe(recipe, epochs=1, n_jobs=1).fit(train["path"], train["emotion"])
    long = df[df["corpus"].isin(["ravdess", "savee"])].sample(31, random_state=1)["path"]
    files = long.tolist()
    seconds_of_audio = [sf.info(f).duration for f in files[1:]]
    model.predict([files[0]])  # warm-up: traces the network's fast path
    times = []
    for f in files[1:]:
        start = time.perf_counter()
        model.predict([f])
        times.append(time.perf_counter() - start)
    ms = sorted(1000 * t for t in times)
    batch = df.drop(train.index).sample(BATCH, random_state=2)["path"].tolist()
    start = time.perf_counter()
    model.predict(batch)
    batch_s = time.perf_counter() - start
    result = {
        "recipe": recipe, "median_ms": statistics.median(ms), "p90_ms": ms[int(0.9 * len(ms)) - 1],
        "max_ms": ms[-1], "mean_audio_seconds": statistics.mean(seconds_of_audio),
        "n_calls": len(ms), "batch_files": BATCH, "batch_seconds": round(batch_s, 2),
        "batch_files_per_s": round(BATCH / batch_s, 1), "peak_rss_mb": peak_rss_mb(),
    }
    result["markdown"] = (
        "| recipe | files | audio per file (mean) | median | 90th percentile | max |\n"
        "|---|---|---|---|---|---|\n"
        f"| {recipe} | {len(ms)} | {result['mean_audio_seconds']:.2f} s "
        f"| {result['median_ms']:.1f} ms | {result['p90_ms']:.1f} ms "
        f"| {result['max_ms']:.1f} ms |\n\n"
        f"One call on {BATCH} files: {batch_s:.2f} s, {result['batch_files_per_s']:.0f} "
        f"files/s; peak resident memory {result['peak_rss_mb']:.0f} MiB."
    )
    return result
