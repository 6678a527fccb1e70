"""End-to-end prediction latency of skser's recipes on one CPU core (issue 6).

Each recipe of ``RECIPES`` is first trained on the training files of reference B's protocol
(7 emotions, stratified 80/20, ``random_state=0``; 9,570 files), for one epoch: a network's
weights do not change the cost of a prediction, but an SVC's does (its support vectors grow
with the training set), so the SVC member is trained as in a full run. Then every recipe's
``predict`` of a single file is timed, from its path and speaker (a one-row DataFrame, as a
corpus table gives them; the speaker is one of the training speakers, whose statistics the
speaker-normalizing recipe looks up): decoding the file, the features (log-mel image;
utterance statistics) and the models. TensorFlow, joblib and BLAS (threadpoolctl) are
limited to one thread; the median of 30 calls on 30 different test files (about 4 s of audio
each, drawn from RAVDESS and SAVEE, whose files are 3 to 4 s long) is reported, after one
warm-up call. Then the throughput of one ``predict`` call on a batch of 256 test files (still
one thread), and the peak resident memory of the process (training included). Training
extracts features with two workers (it is not timed).

A recipe with SVCs (:class:`skser.svm.SVC`) is timed twice: as it is, and the same fitted
model with its SVCs predicting through libsvm (their class set to scikit-learn's ``SVC``,
which holds the same fitted attributes): the time :class:`skser.svm.SVC` saves. All the
recipes and variants take turns on each file, in an order reversed from one file to the next,
so that all meet the machine in the same state and their ratios are measured alike (the
machine's speed drifts by tens of percent within a session).

Each recipe with a network is also timed frozen (:func:`skser.frozen.freeze`: the same
network run in numpy), and the shipped model (:func:`skser.load_pretrained`) as users load
it (``SKSER_BENCH_FROZEN=0`` leaves both out).

Run: ``python -m benchmarks latency`` (``RECIPES``); ``SKSER_BENCH_RECIPES=stats-svc python -m
benchmarks latency`` times others.
"""

from __future__ import annotations

import os
import statistics
import time

from skser.exceptions import ModelFileError

from ._common import peak_rss_mb, require_data

BATCH = 256
#: Recipes timed by default: skser's CNN, its votes with the SVC baseline and with the SVC on
#: speaker-normalized statistics, and the speaker vote (a second CNN, on speaker-normalized
#: images); the shipped model (skser's default recipe, frozen) is timed beside them.
RECIPES = ("mel-cnn2d", "mel-cnn2d+stats-svc", "mel-cnn2d+spk-svc", "spk-mel-cnn2d+spk-svc")


def main() -> dict:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import soundfile as sf

    from .bench_protocols import SEVEN, _corpus, refb_split

    require_data()
    df = _corpus()
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    train, test = (df.iloc[rows] for rows in refb_split(df["emotion"].to_numpy()))
    columns = ["path", "speaker"]
    files = test[test["corpus"].isin(["ravdess", "savee"])].sample(31, random_state=1)[columns]
    files = [files.iloc[[i]].reset_index(drop=True) for i in range(len(files))]
    batch = test.sample(BATCH, random_state=2)[columns].reset_index(drop=True)
    seconds_of_audio = statistics.mean(sf.info(f["path"][0]).duration for f in files[1:])
    recipes = [name for name in
               os.environ.get("SKSER_BENCH_RECIPES", ",".join(RECIPES)).split(",") if name]
    models = {name: _train(name, train) for name in recipes}
    if os.environ.get("SKSER_BENCH_FROZEN", "1") != "0":
        # The same fitted models with their networks frozen (numpy, no TensorFlow), and
        # the shipped model as users get it: skser.load_pretrained().
        from skser.frozen import freeze
        from skser.utils import iter_estimators

        for name in recipes:
            if any(hasattr(e, "model_") for _, e in iter_estimators(models[name], fitted=True)):
                models[f"{name} (frozen)"] = freeze(models[name])
        try:
            from skser.pretrained import DEFAULT_PRETRAINED, load_pretrained

            models[f"shipped model {DEFAULT_PRETRAINED}"] = load_pretrained()
        except ModelFileError as exc:
            print(f"no shipped model to time: {exc}", flush=True)
    rows = time_recipes(models, files, batch, n_train=len(train))
    md = ["| recipe | files | audio per file (mean) | median | 90th percentile | max "
          f"| one call on {BATCH} files |", "|---|---|---|---|---|---|---|"]
    md += [f"| {r['recipe']} | {r['n_calls']} | {seconds_of_audio:.2f} s "
           f"| {r['median_ms']:.1f} ms | {r['p90_ms']:.1f} ms | {r['max_ms']:.1f} ms "
           f"| {r['batch_seconds']:.2f} s ({r['batch_files_per_s']:.0f} files/s) |"
           for r in rows]
    svs = {(f, n) for r in rows for f, n in (r["svc_support_vectors"] or [])}
    md.append(f"\nEach recipe was trained on {len(train)} files (networks: one epoch)"
              + ("; the SVCs inside them: " + ", ".join(
                  f"{n} support vectors of {f} features" for f, n in sorted(svs))
                 if svs else "") + ".")
    if len(rows) > 1:
        first = rows[0]
        md.append("\nMedian of each row over the first's (" + first["recipe"] + ", timed in "
                  "turn with the others on every file): " + ", ".join(
                      f"{r['recipe']} {r['median_ms'] / first['median_ms']:.2f}"
                      for r in rows[1:]) + ".")
    peak = peak_rss_mb()
    md.append(f"\nPeak resident memory of the process: {peak:.0f} MiB.")
    return {"rows": rows, "mean_audio_seconds": seconds_of_audio, "peak_rss_mb": peak,
            "markdown": "\n".join(md)}


def _train(recipe: str, train):
    """``recipe`` fitted on the training rows (networks: one epoch), every step on one job."""
    from skser.recipes import make_recipe
    from skser.utils import iter_estimators

    # Training extracts features with 2 workers; then every fitted step, however deep
    # (an ensemble's fitted members are clones that set_params on the recipe would not
    # reach), is set to one job. A single file is always read in this process.
    X = train[["path", "speaker"]].reset_index(drop=True)
    model = make_recipe(recipe, epochs=1, n_jobs=2).fit(X, train["emotion"])
    for _, est in iter_estimators(model, fitted=True):
        if "n_jobs" in est.get_params(deep=False) and type(est).__module__.startswith("skser"):
            est.set_params(n_jobs=1)
    return model


def time_recipes(models: dict, files: list, batch, n_train: int) -> list[dict]:
    """Rows of each fitted recipe of ``models``: its timings, and where it holds skser SVCs,
    the same fitted model's timings with those SVCs predicting through libsvm (scikit-learn's
    SVC). All of them take turns on each file, so that their ratios are measured alike."""
    from sklearn.svm import SVC as LibsvmSVC
    from threadpoolctl import threadpool_limits

    from skser.svm import SVC
    from skser.utils import iter_estimators

    # name -> (model, its skser SVCs, the class its SVCs predict with)
    variants = {}
    support = {}
    for recipe, model in models.items():
        svcs = [est for _, est in iter_estimators(model, fitted=True) if isinstance(est, SVC)]
        # Every SVC inside (a speaker-adaptive member holds two): (features, support vectors).
        support[recipe] = sorted({(int(est.shape_fit_[1]), int(est.n_support_.sum()))
                                  for est in svcs})
        variants[recipe] = (recipe, model, svcs, SVC)
        if svcs:
            # The same fitted model with its SVCs predicting through libsvm (their class set
            # to scikit-learn's SVC, whose fitted attributes they hold): what skser.svm.SVC
            # saves.
            variants[f"{recipe} (its SVCs predicting in libsvm)"] = (recipe, model, svcs,
                                                                      LibsvmSVC)

    def use(name):
        recipe, model, svcs, cls = variants[name]
        for est in svcs:
            est.__class__ = cls
        return model

    times = {name: [] for name in variants}
    with threadpool_limits(1):  # BLAS on one thread too: one core in all
        for name in variants:  # warm-up: traces each network's fast path
            use(name).predict(files[0])
        # Every variant takes a turn on each file, the order reversed from one file to the
        # next, so that all meet the same machine (whose speed drifts) and none always reads
        # a file first.
        for i, f in enumerate(files[1:]):
            for name in list(variants)[::(-1) ** i]:
                model = use(name)
                start = time.perf_counter()
                model.predict(f)
                times[name].append(time.perf_counter() - start)
        batch_s = {}
        for name in variants:
            model = use(name)
            start = time.perf_counter()
            model.predict(batch)
            batch_s[name] = time.perf_counter() - start
    for _, _, svcs, _ in variants.values():  # every model as trained: skser's SVCs
        for est in svcs:
            est.__class__ = SVC
    rows = []
    for name, (recipe, *_rest) in variants.items():
        ms = sorted(1000 * t for t in times[name])
        print(f"{name}: median {statistics.median(ms):.1f} ms", flush=True)
        rows.append({"recipe": name, "median_ms": statistics.median(ms),
                     "p90_ms": ms[int(0.9 * len(ms)) - 1], "max_ms": ms[-1],
                     "n_calls": len(ms), "batch_files": BATCH,
                     "batch_seconds": round(batch_s[name], 2),
                     "batch_files_per_s": round(BATCH / batch_s[name], 1),
                     "n_train": n_train,
                     "svc_support_vectors": [list(sv) for sv in support[recipe]] or None})
    return rows
