"""One full training run of skser's default recipe, end to end, timed (issue 6).

The protocols benchmark trains each member of a vote once per split on cached features and
scores the vote from the members' probabilities. This benchmark checks both shortcuts the
way a user would meet them: it builds ``make_recipe()`` (skser's default, or the recipes of
``SKSER_BENCH_RECIPES``), fits it on the paths and speakers of the 9,570 training files of
reference B's protocol (7 emotions, stratified random 80/20, ``random_state=0``) from cold,
with no feature cache: decoding, every feature step, every model (a vote's every member, its
fallbacks included, and any fit-only step such as an augmenter). Then it predicts the 2,393
test files from their paths and speakers.

Reported per recipe: the wall time of ``fit`` (the issue's budget for one full training run
is 30 minutes on this kind of 2-core machine), training files per second, the wall time of
``predict`` on the test files, the epochs each network ran, accuracy / macro F1 / UAR with the
per-corpus breakdown, and the process's peak resident memory. Feature extraction uses both
cores (``n_jobs=2``); Keras uses its default threads.

Each recipe is fitted once per seed of ``SKSER_BENCH_SEEDS`` (default ``0``): the
``random_state`` of :func:`skser.recipes.make_recipe`, which seeds the networks (their
initial weights, the order of their batches, their SpecAugment masks); the split stays
``random_state=0``. With several seeds the table gives each fit and a line per recipe with
the range and mean of its scores and fit times: how far two full training runs differ.

Run: ``python -m benchmarks training`` (one fit of the default);
``SKSER_BENCH_RECIPES=mel-cnn2d python -m benchmarks training`` for other recipes,
``SKSER_BENCH_SEEDS=0,1,2 python -m benchmarks training`` for three fits of each. The
results go to ``benchmarks/results/training<SKSER_BENCH_SUFFIX>.json`` (the suffix, empty by
default, keeps a run of other recipes beside the main one).
"""

from __future__ import annotations

import os

from ._common import machine, peak_rss_mb, require_data, timer


def _network_epochs(pipe) -> dict:
    """``{path: epochs run}`` of every fitted Keras classifier inside ``pipe``, by its path
    in :func:`skser.utils.iter_estimators`."""
    from skser.utils import iter_estimators

    return {path: len(clf.history_["loss"])
            for path, clf in iter_estimators(pipe, fitted=True) if hasattr(clf, "history_")}


def _time_recipe(name: str, train, test, random_state: int = 0) -> dict:
    import numpy as np

    from skser.recipes import make_recipe

    from .bench_protocols import _report

    columns = ["path", "speaker"]
    pipe = make_recipe(name, n_jobs=2, verbose=1, random_state=random_state)
    print(f"  {name} (random_state={random_state}): fitting on {len(train)} files",
          flush=True)
    with timer() as t_fit:
        pipe.fit(train[columns].reset_index(drop=True), train["emotion"].to_numpy())
    with timer() as t_pred:
        pred = pipe.predict(test[columns].reset_index(drop=True))
    rep = _report(test["emotion"].to_numpy(), np.asarray(pred), test["corpus"].to_numpy())
    row = {"recipe": name, "random_state": random_state, "fit_seconds": round(t_fit(), 1),
           "train_files_per_second": round(len(train) / t_fit(), 2),
           "predict_seconds": round(t_pred(), 1), "epochs_run": _network_epochs(pipe),
           "accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"], "uar": rep["uar"],
           "peak_rss_mb": peak_rss_mb(), "report": rep}
    print(f"    fit {row['fit_seconds']:.0f} s, predict {row['predict_seconds']:.0f} s, "
          f"acc {row['accuracy']:.3f} F1 {row['macro_f1']:.3f} UAR {row['uar']:.3f}",
          flush=True)
    return row


def markdown(rows: list[dict]) -> str:
    lines = ["| recipe | random_state | fit (wall) | training files/s | predict 2,393 files "
             "| accuracy | macro F1 | UAR | peak memory |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['recipe']} | {r['random_state']} | {r['fit_seconds']:.0f} s "
                     f"| {r['train_files_per_second']:.1f} | {r['predict_seconds']:.0f} s | "
                     f"{r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['uar']:.3f} | "
                     f"{r['peak_rss_mb']:.0f} MiB |")
    for recipe in dict.fromkeys(r["recipe"] for r in rows):
        fits = [r for r in rows if r["recipe"] == recipe]
        if len(fits) < 2:
            continue
        spread = []
        for key, label, fmt in (("accuracy", "accuracy", "{:.3f}"),
                                ("macro_f1", "macro F1", "{:.3f}"),
                                ("uar", "UAR", "{:.3f}"),
                                ("fit_seconds", "fit", "{:.0f} s")):
            values = [r[key] for r in fits]
            spread.append(f"{label} {fmt.format(min(values))} to {fmt.format(max(values))} "
                          f"(mean {fmt.format(sum(values) / len(values))})")
        lines.append(f"\n{recipe} over its {len(fits)} fits: " + "; ".join(spread) + ".")
    return "\n".join(lines)


def main() -> dict:
    import inspect
    import warnings

    from skser.recipes import make_recipe

    from .bench_protocols import SEVEN, _corpus, refb_split

    warnings.filterwarnings("ignore", category=UserWarning)
    require_data()
    df = _corpus()
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    train, test = (df.iloc[rows] for rows in refb_split(df["emotion"].to_numpy()))
    default = inspect.signature(make_recipe).parameters["name"].default
    recipes = [r for r in os.environ.get("SKSER_BENCH_RECIPES", default).split(",") if r]
    seeds = [int(seed) for seed in os.environ.get("SKSER_BENCH_SEEDS", "0").split(",") if seed]
    rows = [_time_recipe(name, train, test, seed) for name in recipes for seed in seeds]
    suffix = os.environ.get("SKSER_BENCH_SUFFIX", "")
    return {"result_name": f"training{suffix}",
            "protocol": "reference B: 7 emotions, stratified random 80/20 (random_state=0)",
            "n_train": len(train), "n_test": len(test), "rows": rows,
            "machine": machine(), "markdown": markdown(rows)}
