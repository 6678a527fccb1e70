"""Speakers, corpora and recording conditions a model never heard.

Every recipe is fitted end to end on the file paths (and speakers) of each training
fold, exactly as a user fits it, with its audio steps' feature cache (``memory=``,
under ``benchmarks/cache/features``): a file's features are computed once for all
folds and recipes that share a feature step. 7 emotions (calm dropped); the known
duplicate recordings dropped.

Protocols (``SKSER_BENCH_PARTS``, comma-separated, default ``speaker,loco``; ``refb``
on request):

``speaker``
    Speaker-independent: 5-fold ``GroupKFold`` by speaker (the folds of the protocols
    benchmark); every file is predicted once, by the fold that did not train on its
    speaker. With ``SKSER_BENCH_CONDITIONS`` (``all``, or names of
    :data:`skser.augmentation.CONDITIONS`), each fold's test files are also predicted
    after degrading them at test time only (noise, babble from other test speakers,
    rooms, telephone band, codec, gain): ``SKSER_BENCH_CONDITION_FILES`` test files of
    each fold (default 500, drawn with the fold's seed; the same files for every
    condition and recipe), scored beside the same files clean.
``loco``
    Leave-one-corpus-out: train on three corpora, test on the fourth.
``refb``
    Reference B's split (stratified random 80/20, ``random_state=0``; the split of the
    protocols benchmark): every test speaker also has files in training, so it measures
    new recordings of known speakers, not new speakers.

Regimes, side by side: *single file* (each test file given as a bare path: no speaker
statistics, what a user with one clip gets) and, for recipes that normalize per
speaker, *with speaker statistics* (the test files with their ``speaker`` column, so a
test speaker's statistics come from their other, unlabelled test files).

Recipes: ``SKSER_BENCH_RECIPES`` (comma-separated; default :data:`RECIPES`).
``SKSER_BENCH_EPOCHS=N`` caps the networks' epochs (a quick look, not for the tables).
Results: ``benchmarks/results/generalization_<part><SKSER_BENCH_SUFFIX>.json`` (the
suffix, empty by default, keeps a run of other recipes beside the main one): one row per
recipe, regime and condition, with the pooled confusion matrix (bootstrap confidence intervals are
computed from it), accuracy, UAR and macro F1, the UAR per held-out corpus and per fold,
and fit and predict times.
"""

from __future__ import annotations

import os
import time
import warnings

import numpy as np

from ._common import peak_rss_mb, require_data, write_result
from .bench_protocols import FEATURE_CACHE as CACHE
from .bench_protocols import SEVEN, corpus_folds, refb_split, speaker_folds

PARTS = ("speaker", "loco")
#: Every protocol the runner knows; ``refb`` runs only when named.
KNOWN_PARTS = (*PARTS, "refb")
#: The recipes compared by default: the classical baseline, the single-file recipe trained
#: on clean files, and the speaker vote (which uses speaker statistics when it has them).
RECIPES = ("stats-svc", "trimmed-mel-cnn2d+stats-lr", "spk-mel-cnn2d+spk-svc")
SR = 16000
#: The row of the files that the recording conditions degrade, scored clean.
CLEAN_SUBSET = "clean (the degraded files)"


def corpus_table():
    from skser.datasets import drop_known_duplicates, load_corpora

    df = drop_known_duplicates(load_corpora(require_data()))
    return df[df["emotion"].isin(SEVEN)].reset_index(drop=True)


def build(recipe: str):
    """The recipe, unfitted, with every audio step caching its features."""
    from skser.audio import AudioLoader
    from skser.features import AcousticFeatures, MelImage, MFCCImage
    from skser.recipes import make_recipe
    from skser.utils import iter_estimators

    epochs = os.environ.get("SKSER_BENCH_EPOCHS")
    model = make_recipe(recipe, random_state=0, n_jobs=int(os.environ.get("SKSER_BENCH_JOBS",
                                                                             "1")),
                        epochs=int(epochs) if epochs else None)
    for _, step in iter_estimators(model):
        if isinstance(step, AudioLoader | AcousticFeatures | MelImage | MFCCImage):
            step.set_params(memory=str(CACHE))
    return model


def uses_speakers(model) -> bool:
    from skser.preprocessing import SpeakerNormalizer
    from skser.utils import iter_estimators

    return any(isinstance(e, SpeakerNormalizer) for _, e in iter_estimators(model))


def _waveforms(paths) -> list:
    from skser.audio import load_audio

    return [load_audio(p, sr=SR) for p in paths]


def degraded(condition: str, paths, speakers, seed: int) -> list:
    """The waveforms of ``paths`` degraded by ``condition`` (babble: three files of other
    speakers of the same test fold)."""
    from skser.augmentation import apply_condition

    rng = np.random.default_rng(seed)
    clean = _waveforms(paths)
    out = []
    speakers = np.asarray(speakers)
    for i, y in enumerate(clean):
        others = ()
        if condition.startswith("babble"):
            candidates = np.flatnonzero(speakers != speakers[i])
            if len(candidates) == 0:  # a fold of one speaker: their other files
                candidates = np.delete(np.arange(len(clean)), i)
            others = [clean[j] for j in rng.choice(candidates, size=3,
                                                   replace=len(candidates) < 3)]
        out.append(apply_condition(condition, y, SR, rng=rng, others=others))
    return out


def _scores(y_true, y_pred, labels, corpora=None) -> dict:
    from skser.metrics import emotion_report

    rep = emotion_report(y_true, y_pred, labels=labels, groups=corpora)
    out = {k: float(rep[k]) for k in ("accuracy", "uar", "macro_f1")}
    out["confusion_matrix"] = rep["confusion_matrix"]
    out["labels"] = list(labels)
    if corpora is not None:
        out["per_corpus_uar"] = {g: round(float(v["uar"]), 4)
                                 for g, v in rep["per_group"].items()}
    return out


def refb_folds(df) -> list:
    """Reference B's split as one fold: the split of the protocols benchmark."""
    return [refb_split(df["emotion"].to_numpy())]


#: Each part's folds: the protocols benchmark's splits, so both benchmarks score the same files.
FOLDS = {"speaker": speaker_folds, "loco": corpus_folds, "refb": refb_folds}
PROTOCOLS = {
    "speaker": "speaker-independent: 5-fold GroupKFold by speaker, 7 emotions",
    "loco": "leave-one-corpus-out, 7 emotions",
    "refb": "reference B's split: stratified random 80/20 (random_state=0), 7 emotions; "
            "every test speaker also in training",
}


def run_part(part: str, df, recipes, conditions, subset: int = 500) -> dict:
    folds = FOLDS[part](df)
    labels = np.array(sorted(df["emotion"].unique()))
    y = df["emotion"].to_numpy()
    rows = []
    for recipe in recipes:
        preds: dict[tuple[str, str], np.ndarray] = {}
        fold_uar: dict[tuple[str, str], list] = {}
        fit_s, predict_s, epochs = [], [], []
        for k, (train, test) in enumerate(folds):
            model = build(recipe)
            regimes = ["single file", *(["with speaker statistics"]
                                        if uses_speakers(model) else [])]
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(df.loc[train, ["path", "speaker"]].reset_index(drop=True), y[train])
            fit_s.append(round(time.perf_counter() - start, 1))
            epochs.append(_epochs_run(model))
            test_df = df.loc[test].reset_index(drop=True)
            inputs = {"single file": list(test_df["path"]),
                      "with speaker statistics": test_df[["path", "speaker"]]}
            # The recording conditions degrade a random subset of the fold's test files (the
            # same files for every condition and recipe), scored beside those files clean.
            sub = (np.sort(np.random.default_rng(k).choice(
                len(test), size=min(subset, len(test)), replace=False))
                if conditions and part == "speaker" else np.arange(0))
            for regime in regimes:
                plan = [("clean", np.arange(len(test)))]
                if regime == "single file" and len(sub):
                    plan += [(CLEAN_SUBSET, sub), *[(c, sub) for c in conditions]]
                for condition, which in plan:
                    paths, speakers = test_df["path"][which], test_df["speaker"][which]
                    if condition == "clean":
                        X = inputs[regime]
                    elif condition == CLEAN_SUBSET:
                        X = list(paths)
                    else:
                        X = degraded(condition, paths, speakers, seed=k)
                    start = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        pred = model.predict(X)
                    if condition == "clean" and regime == "single file":
                        predict_s.append(round(time.perf_counter() - start, 1))
                    key = (regime, condition)
                    preds.setdefault(key, np.full(len(df), None, dtype=object))[test[which]] = pred
                    fold_uar.setdefault(key, []).append(round(
                        _scores(y[test[which]], pred, labels)["uar"], 4))
            print(f"  {recipe} fold {k}: fit {fit_s[-1]} s, UAR "
                  + ", ".join(f"{r}/{c} {fold_uar[(r, c)][-1]}" for r, c in fold_uar),
                  flush=True)
        for (regime, condition), pred in preds.items():
            scored = np.flatnonzero(pred != None)  # noqa: E711 - an object array's missing rows
            rows.append({"recipe": recipe, "regime": regime, "condition": condition,
                         "n_files": len(scored),
                         **_scores(y[scored], pred[scored].astype(str), labels,
                                   df["corpus"].to_numpy()[scored]),
                         "fold_uar": fold_uar[(regime, condition)],
                         "fit_seconds": fit_s, "predict_seconds": predict_s,
                         "epochs_run": epochs})
    return {"protocol": PROTOCOLS[part], "n_files": len(df), "rows": rows}


def _epochs_run(model) -> dict:
    from skser.utils import iter_estimators

    return {path: len(est.history_["loss"]) for path, est in iter_estimators(model, fitted=True)
            if hasattr(est, "history_")}


def main() -> dict:
    from skser.augmentation import CONDITIONS

    df = corpus_table()
    parts = os.environ.get("SKSER_BENCH_PARTS", ",".join(PARTS)).split(",")
    unknown = sorted(set(parts) - set(KNOWN_PARTS))
    if unknown:
        raise SystemExit(f"unknown part(s) {unknown}; choose from {KNOWN_PARTS}")
    recipes = os.environ.get("SKSER_BENCH_RECIPES", ",".join(RECIPES)).split(",")
    wanted = os.environ.get("SKSER_BENCH_CONDITIONS", "")
    conditions = ([c for c in CONDITIONS if c != "clean"] if wanted == "all" else
                  [c for c in wanted.split(",") if c])
    unknown = sorted(set(conditions) - set(CONDITIONS))
    if unknown:
        raise SystemExit(f"unknown condition(s) {unknown}; choose from {list(CONDITIONS)}")
    written = []
    for part in parts:
        print(f"-- {part}", flush=True)
        start = time.perf_counter()
        res = run_part(part, df, recipes, conditions,
                       subset=int(os.environ.get("SKSER_BENCH_CONDITION_FILES", "500")))
        res["seconds"] = round(time.perf_counter() - start, 1)
        res["peak_rss_mb"] = peak_rss_mb()  # the process's peak: earlier parts count
        suffix = os.environ.get("SKSER_BENCH_SUFFIX", "")
        written.append(str(write_result(f"generalization_{part}{suffix}", res)))
    return {"parts_run": parts, "written": written}
