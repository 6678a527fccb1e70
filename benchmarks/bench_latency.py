"""End-to-end prediction latency of skser's recipes on one CPU core (issue 6).

For each recipe of ``RECIPES``: trains it on the training files of reference B's protocol
(7 emotions, stratified 80/20, ``random_state=0``; 9,570 files), for one epoch: a network's
weights do not change the cost of a prediction, but an SVC's does (its support vectors grow
with the training set), so the SVC member is trained as in a full run. Then it times
``predict`` of a single file, from its path and speaker (a one-row DataFrame, as a corpus table
gives them; the speaker is one of the training speakers, whose statistics the
speaker-normalizing recipe looks up): decoding the file, the features (log-mel image;
utterance statistics) and the models. TensorFlow and joblib are limited to one thread; the
median of 30 calls on 30 different test files (about 4 s of audio each, drawn from RAVDESS
and SAVEE, whose files are 3 to 4 s long) is reported, after one warm-up call. Then the
throughput of one ``predict`` call on a batch of 256 test files (still one thread), and the
peak resident memory of the process (training included).

Run: ``python -m benchmarks latency`` (``RECIPES``); ``SKSER_BENCH_RECIPES=stats-svc python -m
benchmarks latency`` times others.
"""

from __future__ import annotations

import os
import statistics
import time

from ._common import peak_rss_mb, require_data

BATCH = 256
#: Recipes timed by default: skser's CNN, and its votes with the SVC baseline and with the SVC
#: on speaker-normalized statistics.
RECIPES = ("mel-cnn2d", "mel-cnn2d+stats-svc", "mel-cnn2d+spk-svc")


def main() -> dict:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import soundfile as sf
    from sklearn.model_selection import train_test_split

    from .bench_protocols import SEVEN, _corpus

    require_data()
    df = _corpus()
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    train, test = train_test_split(df, test_size=0.2, stratify=df["emotion"], random_state=0)
    columns = ["path", "speaker"]
    files = test[test["corpus"].isin(["ravdess", "savee"])].sample(31, random_state=1)[columns]
    files = [files.iloc[[i]].reset_index(drop=True) for i in range(len(files))]
    batch = test.sample(BATCH, random_state=2)[columns].reset_index(drop=True)
    seconds_of_audio = statistics.mean(sf.info(f["path"][0]).duration for f in files[1:])
    recipes = os.environ.get("SKSER_BENCH_RECIPES", ",".join(RECIPES)).split(",")
    rows = [_time_recipe(name, train, files, batch) for name in recipes if name]
    md = ["| recipe | files | audio per file (mean) | median | 90th percentile | max "
          f"| one call on {BATCH} files |", "|---|---|---|---|---|---|---|"]
    md += [f"| {r['recipe']} | {r['n_calls']} | {seconds_of_audio:.2f} s "
           f"| {r['median_ms']:.1f} ms | {r['p90_ms']:.1f} ms | {r['max_ms']:.1f} ms "
           f"| {r['batch_seconds']:.2f} s ({r['batch_files_per_s']:.0f} files/s) |"
           for r in rows]
    svs = [r["svc_support_vectors"] for r in rows if r["svc_support_vectors"]]
    md.append(f"\nEach recipe was trained on {len(train)} files (networks: one epoch)"
              + (f"; the vote's SVC has {svs[0]} support vectors." if svs else "."))
    peak = peak_rss_mb()
    md.append(f"\nPeak resident memory of the process: {peak:.0f} MiB.")
    return {"rows": rows, "mean_audio_seconds": seconds_of_audio, "peak_rss_mb": peak,
            "markdown": "\n".join(md)}


def _time_recipe(recipe: str, train, files: list, batch: list) -> dict:
    from skser.recipes import make_recipe

    # n_jobs=1 from the start: an ensemble's fitted members are clones, which set_params
    # after fitting would not reach.
    X = train[["path", "speaker"]].reset_index(drop=True)
    model = make_recipe(recipe, epochs=1, n_jobs=1).fit(X, train["emotion"])
    model.predict(files[0])  # warm-up: traces the network's fast path
    times = []
    for f in files[1:]:
        start = time.perf_counter()
        model.predict(f)
        times.append(time.perf_counter() - start)
    ms = sorted(1000 * t for t in times)
    start = time.perf_counter()
    model.predict(batch)
    batch_s = time.perf_counter() - start
    print(f"{recipe}: median {statistics.median(ms):.1f} ms", flush=True)
    svs = [est.n_support_.sum() for est in _nested(model) if hasattr(est, "n_support_")]
    return {"recipe": recipe, "median_ms": statistics.median(ms),
            "p90_ms": ms[int(0.9 * len(ms)) - 1], "max_ms": ms[-1], "n_calls": len(ms),
            "batch_files": BATCH, "batch_seconds": round(batch_s, 2),
            "batch_files_per_s": round(BATCH / batch_s, 1), "n_train": len(train),
            "svc_support_vectors": int(svs[0]) if svs else None}


def _nested(model):
    """``model`` and every estimator fitted inside it (pipeline steps, ensemble members)."""
    yield model
    children = list(getattr(model, "steps", []))
    children += list(getattr(model, "named_estimators_", {}).items())
    children += [(None, c.estimator) for c in getattr(model, "calibrated_classifiers_", [])]
    for _, child in children:
        if hasattr(child, "get_params"):
            yield from _nested(child)
