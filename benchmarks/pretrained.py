"""Build skser's shipped model: ``python -m benchmarks.pretrained`` (``make pretrained``).

Trains the shipped model's recipe on the four acted corpora (every speaker, the 7
emotions they share, known duplicate recordings dropped) with a fixed seed, freezes
its networks (:func:`skser.frozen.freeze`: it then predicts without TensorFlow), and
writes ``skser/pretrained/<name>.skser``. The manifest's metadata is the model card:
classes, training data and licences, the recipe and seed, the scores the benchmarks
measured for the same recipe on speakers and corpora it never heard (single files,
with bootstrap 95 % confidence intervals, read from
``benchmarks/results/generalization_*.json``), the latency benchmark's figure, and
what the model was not tested on. :func:`skser.save` records the package versions.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ._common import RESULTS, ROOT, require_data
from .bench_generalization import corpus_table

#: Shipped model name -> its recipe and what it is for.
MODELS = {
    "acted-en-7": {
        "recipe": "trimmed-mel-cnn2d+stats-lr-half-augmented",
        "intended_use": (
            "The emotion of one recording of one speaker, among the seven emotions of acted "
            "English corpora (neutral, happy, sad, angry, fearful, disgust, surprised); for "
            "research, teaching and prototypes."
        ),
    },
}
LICENCES = {
    "ravdess": ("RAVDESS", "CC BY-NC-SA 4.0"),
    "cremad": ("CREMA-D", "Open Database License (ODbL) 1.0"),
    "tess": ("TESS", "CC BY-NC-ND 4.0"),
    "savee": ("SAVEE", "free for research use"),
}
LICENCE_NOTE = (
    "The model was trained on all four corpora. Two of their licences forbid commercial "
    "use (RAVDESS, TESS), one allows research use only (SAVEE), and the share-alike and "
    "no-derivatives terms may extend to a model trained on them: treat this model as "
    "usable for research and evaluation only, not in a commercial product, unless you "
    "have the rights holders' permission."
)
NOT_TESTED_ON = [
    "spontaneous (not acted) speech",
    "languages other than English",
    "children's voices",
    "recordings with several speakers or long silences (use predict --timeline)",
    "real noisy, reverberant or telephone recordings (only simulated conditions are "
    "measured, see the benchmarks page)",
]
SEED = 0


def _scores(recipe: str) -> list[dict]:
    """The benchmarks' single-file scores of ``recipe``, with bootstrap 95 % CIs."""
    scores = []
    for part in ("speaker", "loco"):
        # the main run's file, then runs of other recipes (generalization_<part>_<suffix>)
        paths = [RESULTS / f"generalization_{part}.json",
                 *sorted(RESULTS.glob(f"generalization_{part}_*.json"))]
        for path in paths:
            if path.exists():
                scores += _scores_in(path, part, recipe)
    return scores


def _scores_in(path: Path, part: str, recipe: str) -> list[dict]:
    """The clean single-file scores of ``recipe`` in one generalization results file."""
    from skser.metrics import bootstrap_ci_from_confusion

    scores = []
    result = json.loads(path.read_text())
    for row in result["rows"]:
        if (row["recipe"], row["regime"], row["condition"]) != (recipe, "single file", "clean"):
            continue
        cm = np.asarray(row["confusion_matrix"])
        entry = {"protocol": result["protocol"], "regime": "single file",
                 "source": f"benchmarks/results/{path.name} ({result.get('date', '')})"}
        for metric in ("accuracy", "uar", "macro_f1"):
            low, high = bootstrap_ci_from_confusion(cm, metric, random_state=0)
            entry[metric] = round(row[metric], 3)
            entry[f"{metric}_ci95"] = [round(low, 3), round(high, 3)]
        if "per_corpus_uar" in row and part == "loco":
            entry["uar_per_held_out_corpus"] = row["per_corpus_uar"]
        scores.append(entry)
    return scores


def _latency(recipe: str) -> dict | None:
    """The shipped model's size, memory and time per file, as ``bench_shipped`` measured
    them (the model as users load it); else the latency benchmark's row for ``recipe``."""
    path = RESULTS / "shipped.json"
    if path.exists():
        result = json.loads(path.read_text())
        row = result["rows"][0]
        return {"median per file (Opus)": f"{row['median_ms']:.1f} ms",
                "median per file (WAV)": f"{row['wav_median_ms']:.1f} ms",
                "peak memory, loading and predicting":
                    f"{row['peak_rss_mb_after_predict']:.0f} MiB",
                "source": f"one thread, files of {row['mean_audio_seconds']} s on average, "
                          f"benchmarks/results/shipped.json ({result.get('date', '')})"}
    path = RESULTS / "latency.json"
    if not path.exists():
        return None
    result = json.loads(path.read_text())
    for row in result.get("rows", []):
        if row.get("recipe") in (recipe, f"frozen {recipe}"):
            return {"median_ms_per_4s_file": row.get("median_ms"), "source":
                    f"benchmarks/results/latency.json ({result.get('date', '')})"}
    return None


def quiet(model):
    """``model`` with every step back to its runtime defaults: no progress output and no
    worker processes (the build used both), so a user's prediction prints nothing."""
    from skser.utils import iter_estimators

    for fitted in (False, True):
        for _, est in iter_estimators(model, fitted=fitted):
            own = est.get_params(deep=False)
            if type(est).__module__.startswith("skser.") and "n_jobs" in own:
                est.set_params(n_jobs=None, verbose=0)
    return model


def refresh_card(path: Path) -> Path:
    """Rewrite the card of the built model at ``path`` with the latest benchmark results
    (scores, latency), without training again."""
    import skser

    manifest = skser.read_manifest(path)
    metadata = manifest["metadata"]
    card = metadata["model_card"]
    card["scores"] = _scores(metadata["recipe"])
    card["latency"] = _latency(metadata["recipe"])
    return skser.save(skser.load(path), path, metadata=metadata)


def without_samplers(model):
    """``model`` without its fit-only steps (an Augmenter): ``predict`` skips them anyway,
    and without them the pipeline needs no sampler support to load."""
    from skser.utils import iter_estimators

    for _, est in list(iter_estimators(model, fitted=True)):
        steps = getattr(est, "steps", None)
        if isinstance(steps, list) and any(hasattr(step, "fit_resample") for _, step in steps):
            est.steps = [(n, step) for n, step in steps if not hasattr(step, "fit_resample")]
    return model


def plain_pipelines(model):
    """``model`` with its skser pipelines turned into scikit-learn's, where no step is a
    sampler: they predict alike (imbalanced-learn's pipeline only differs while fitting),
    and loading the shipped model then does not import imbalanced-learn (memory)."""
    from sklearn.pipeline import Pipeline as SklearnPipeline

    from skser.pipeline import Pipeline
    from skser.utils import iter_estimators

    for fitted in (False, True):
        for _, est in list(iter_estimators(model, fitted=fitted)):
            if type(est) is Pipeline and not any(hasattr(step, "fit_resample")
                                                 for _, step in est.steps):
                est.__class__ = SklearnPipeline
    return model


def build(name: str, out: Path) -> Path:
    import skser
    from skser.frozen import freeze
    from skser.recipes import make_recipe

    spec = MODELS[name]
    df = corpus_table()
    model = make_recipe(spec["recipe"], random_state=SEED, n_jobs=2, verbose=2)
    start = time.perf_counter()
    model.fit(df[["path", "speaker"]], df["emotion"].to_numpy())
    seconds = time.perf_counter() - start
    frozen = plain_pipelines(without_samplers(quiet(freeze(model))))
    check = list(df["path"].sample(20, random_state=SEED))
    np.testing.assert_allclose(frozen.predict_proba(check), model.predict_proba(check),
                               atol=1e-5)
    corpora = []
    for corpus, part in df.groupby("corpus"):
        title, licence = LICENCES[corpus]
        corpora.append({"corpus": title, "files": int(len(part)),
                        "speakers": int(part["speaker"].nunique()), "licence": licence})
    card = {
        "name": name,
        "intended_use": spec["intended_use"],
        "training_data": corpora,
        "licence_note": LICENCE_NOTE,
        "scores": _scores(spec["recipe"]),
        "latency": _latency(spec["recipe"]),
        "not_tested_on": NOT_TESTED_ON,
        "built_by": "python -m benchmarks.pretrained (make pretrained)",
        "random_state": SEED,
        "training_time_s": round(seconds, 1),
    }
    metadata = {"classes": [str(c) for c in frozen.classes_], "recipe": spec["recipe"],
                "model_card": card}
    return skser.save(frozen, out, metadata=metadata)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pretrained",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", default="acted-en-7", choices=MODELS)
    parser.add_argument("--out", help="where to write (default: skser/pretrained/NAME.skser)")
    parser.add_argument("--refresh-card", action="store_true",
                        help="only update the card of the built model from the latest "
                             "benchmark results (no training)")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else ROOT / "skser" / "pretrained" / f"{args.name}.skser"
    if args.refresh_card:
        path = refresh_card(out)
    else:
        require_data()
        path = build(args.name, out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
