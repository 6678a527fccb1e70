"""Accuracy and cost on the four real corpora, beside the reference pipelines (issue 6).

Protocols (``SKSER_BENCH_PARTS``, comma-separated, default all of them):

``refb``
    Reference B's protocol: 7 emotions (calm dropped), stratified random 80/20 split
    (``random_state=0``) of the four corpora. The pipelines every protocol trains (below),
    and reference B's mel CNN trained for the same wall time as recipe mel-cnn2d (its cost
    per epoch measured in the same run).
``speaker``
    Speaker-independent: 5-fold ``GroupKFold`` by speaker, 7 emotions; every file is
    predicted once, by the fold that did not train on its speaker.
``loco``
    Leave-one-corpus-out, 7 emotions: train on three corpora, test on the fourth.
``refa``
    Reference A's protocol: 8 emotions, stratified random 75/25 split (``random_state=0``);
    reference A's pipeline with its augmentation applied to training files only (trained
    for ``REFERENCE_A_EPOCHS``), and the pipelines every protocol trains.

Features are per-file transforms with no fitted state, so each feature set is extracted
once for all files and every split trains the classifier steps on the rows of its training
files: the same as fitting the whole pipeline on the paths. The extraction goes through the
feature step's own per-file cache (its ``memory=`` parameter, folder
``benchmarks/cache/features``, which ``bench_generalization`` shares), so a later run reads
the files' features from there. The extraction cost in the results is measured, not read
from the cache: ``TIMING_FILES`` files drawn with a fixed seed are extracted again without
the cache (``n_jobs=2``, as the extraction), and each row reports the seconds per file
(``extraction_seconds_per_file``) and that rate times the number of files extracted
(``extract_seconds_all_files``, extrapolated from the sample). Nothing else is cached: each
pipeline is trained in the run, except the reference rows that ``SKSER_BENCH_REFERENCES=0``
carries over (marked as such). The known duplicate recordings of the corpora
(``skser.datasets.KNOWN_DUPLICATES``) are dropped first. Results:
``benchmarks/results/protocols_<part>.json``, and the Markdown table of all parts run so far
is printed and written to ``benchmarks/results/protocols.md``.

Run: ``python -m benchmarks protocols`` (``make bench BENCH=protocols``);
``SKSER_BENCH_PARTS=refb python -m benchmarks protocols`` for one part;
``SKSER_BENCH_EPOCHS=N`` caps the training epochs of the Keras models (for a quick look;
the published table is run without it); ``SKSER_BENCH_REFERENCES=0`` does not retrain the
reference pipelines (reference A's pipeline; reference B's equal-time CNN) and carries their
rows over from the last results, marked as such.

Every protocol trains the classical baseline, recipe ``mel-cnn2d`` (the log-mel CNN), the
same CNN on speaker-normalized log-mel images, the baseline's SVC calibrated, and the SVC on
speaker-normalized statistics (plain and calibrated): the package's SpeakerNormalizer over
the extracted features, reading each file's speaker. The soft votes of recipes
``mel-cnn2d+stats-svc``, ``mel-cnn2d+spk-svc`` and of the speaker vote,
``spk-mel-cnn2d+spk-svc``, are scored from their members' probabilities, so each member is
trained once per split. In every protocol each test file's speaker has statistics (from
training, or from at least 10 files of the speaker in the test fold), so the speaker vote's
SpeakerAdaptiveClassifiers answer with their speaker-normalized models (the CNN's averaged
with mel-cnn2d's, ``fallback_weight=0.5``): the vote scored here.
"""

from __future__ import annotations

import json
import os
import time
import warnings

import numpy as np

from ._common import RESULTS, ROOT, machine, peak_rss_mb, require_data, timer

#: The feature steps' per-file cache (``memory=``): the folder of ``bench_generalization``.
FEATURE_CACHE = ROOT / "benchmarks" / "cache" / "features"
#: Files whose extraction is timed without the cache, drawn with ``default_rng(0)``.
TIMING_FILES = 100
PARTS = ("refb", "speaker", "loco", "refa")
#: Training epochs of reference A's pipeline: a stated compute budget, 30 of its 50 epochs
#: (its augmentation triples the training rows; 50 epochs would take about 40 minutes here).
REFERENCE_A_EPOCHS = 30
SEVEN = ("neutral", "happy", "sad", "angry", "fearful", "disgust", "surprised")


# -- data and features -------------------------------------------------------------------
def _corpus():
    from skser.datasets import drop_known_duplicates, load_corpora

    return drop_known_duplicates(load_corpora(require_data())).reset_index(drop=True)


def _feature_steps() -> dict:
    from skser.features import MelImage, MFCCImage
    from skser.recipes import make_recipe

    return {
        # The image of recipe mel-cnn2d: 64 x 188 log-mel at 16 kHz, 3 s.
        "mel": MelImage(),
        # The image of recipe mfcc-cnn2d: 40 MFCCs x 188 frames (a member of refb_variants'
        # three-way vote).
        "mfcc": MFCCImage(),
        # The classical baseline's utterance statistics (recipe stats-svc's feature step).
        "stats": make_recipe("stats-svc")[0],
        # Reference B's mel image: 128 x 345 at 44.1 kHz, 4 s, power_to_db(ref=np.min).
        "refb_mel": MelImage(sr=44100, duration=4.0, n_mels=128, n_fft=2048, hop_length=512,
                             ref="min"),
        # Reference A's 162 values (2.5 s from 0.6 s at 22,050 Hz): recipe
        # acoustic-conv1d's feature step.
        "acoustic": make_recipe("acoustic-conv1d")[0],
        # The baseline's statistics plus YIN pitch and spectral shape (centroid, bandwidth,
        # roll-off, flatness, contrast): 464 values (a variant of bench_refb_variants).
        "prosody": make_recipe("stats-svc")[0].set_params(
            features=("logmel", "mfcc", "f0", "spectral")),
    }


def extract(name: str, paths: list[str]) -> tuple[np.ndarray, dict]:
    """Features ``name`` of ``paths``, and the cost of extracting them (:func:`extraction_cost`).

    The feature step reads and writes each file's features in its per-file cache
    (``memory=FEATURE_CACHE``). Pass every file of the corpus and index rows afterwards, so
    that each feature set is extracted once for all protocols.
    """
    est = _feature_steps()[name]
    print(f"{name} features of {len(paths)} files (cache: {FEATURE_CACHE})", flush=True)
    X = est.set_params(memory=str(FEATURE_CACHE), n_jobs=2, verbose=1).fit_transform(paths)
    return X, extraction_cost(name, paths)


#: (feature set, timed files) -> seconds per file, so that each part does not time it again.
_SECONDS_PER_FILE: dict = {}


def extraction_cost(name: str, paths: list[str]) -> dict:
    """What extracting features ``name`` of ``paths`` costs, measured without the cache.

    ``TIMING_FILES`` of ``paths`` drawn with ``numpy.random.default_rng(0)`` are extracted
    with ``memory=None`` and ``n_jobs=2`` (run after :func:`extract`'s pass, so the worker
    processes are already started). Returns ``extraction_seconds_per_file``, the number
    of files timed, and ``extract_seconds_all_files``: the seconds per file times
    ``len(paths)``, an extrapolation from the sample.
    """
    n = min(TIMING_FILES, len(paths))
    sample = [paths[i] for i in np.sort(np.random.default_rng(0).choice(len(paths), n,
                                                                          replace=False))]
    key = (name, tuple(sample))
    if key not in _SECONDS_PER_FILE:
        est = _feature_steps()[name].set_params(memory=None, n_jobs=2, verbose=0)
        print(f"timing {name} extraction on {n} files without the cache", flush=True)
        with timer() as t:
            est.fit_transform(sample)
        _SECONDS_PER_FILE[key] = t() / n
    per_file = _SECONDS_PER_FILE[key]
    return {"extract_seconds_all_files": round(per_file * len(paths), 1),
            "extraction_seconds_per_file": round(per_file, 4),
            "extraction_timed_files": n}


def _features(df, names, emotions=None) -> dict:
    """Feature sets ``names`` for the rows of ``df`` whose emotion is in ``emotions``: name ->
    (features, extraction cost of all files of ``df``)."""
    rows = np.flatnonzero(df["emotion"].isin(emotions)) if emotions else np.arange(len(df))
    out = {}
    for name in names:
        X, cost = extract(name, df["path"].tolist())
        out[name] = (X[rows] if emotions else X, cost)
    import pandas as pd

    if "mel" in out:
        # For the speaker-normalized CNN: each file's row of the images and its speaker
        # (the images stay one array; _image_rows reads them by row).
        images, cost = out["mel"]
        _IMAGES["mel"] = images
        table = pd.DataFrame({"row": np.arange(len(images)),
                              "speaker": df["speaker"].to_numpy()[rows]})
        out["mel+speaker"] = (table, cost)
    for name in ("stats", "prosody"):
        if name in out:
            # For SpeakerNormalizer: the statistics with each file's speaker, as the recipes'
            # inputs carry them (a DataFrame with a speaker column).
            stats, cost = out[name]
            table = pd.DataFrame(stats, columns=[f"f{i}" for i in range(stats.shape[1])])
            table["speaker"] = df["speaker"].to_numpy()[rows]
            out[f"{name}+speaker"] = (table, cost)
    return out


#: Feature set name -> its images, for the ``row`` columns of "mel+speaker" tables.
_IMAGES: dict = {}


def _image_rows(X, feature: str):
    """The images ``feature`` (of :data:`_IMAGES`) at the ``row`` column of ``X``."""
    return _IMAGES[feature][X["row"].to_numpy()]


# -- models --------------------------------------------------------------------------------
def _epochs(default=None):
    cap = os.environ.get("SKSER_BENCH_EPOCHS")
    return int(cap) if cap else default


def _svc():
    """The classical baseline's classifier steps (recipe stats-svc after its features)."""
    from skser.recipes import make_recipe

    return make_recipe("stats-svc")[1:]


def _svc_calibrated():
    """The vote's SVC member (recipe mel-cnn2d+stats-svc): the baseline's, calibrated."""
    from skser.recipes import make_recipe

    (_, _), (_, svc_pipe) = make_recipe("mel-cnn2d+stats-svc")[-1].estimators
    return svc_pipe[1:]


BASELINE = "SVC on utterance statistics (baseline)"
CNN = "recipe mel-cnn2d: MelImage -> CNN2DClassifier"
CALIBRATED = "the vote's SVC member: the baseline SVC, calibrated (5-fold)"
VOTE = "recipe mel-cnn2d+stats-svc: soft vote of mel-cnn2d and the calibrated SVC"


SPK_SVC = "SVC on speaker-normalized utterance statistics"
SPK_CALIBRATED = "the speaker vote's SVC member: SVC on speaker-normalized statistics, calibrated"
SPK_VOTE = ("recipe mel-cnn2d+spk-svc: soft vote of mel-cnn2d and the calibrated SVC on "
            "speaker-normalized statistics")
SPK_CNN = ("recipe mel-cnn2d's CNN on speaker-normalized log-mel images (SpeakerNormalizer "
           "over MelImage, keep_raw=False)")
SPEAKER_VOTE = ("speaker vote, recipe spk-mel-cnn2d+spk-svc: soft vote of the mean of "
                "mel-cnn2d's CNN and the CNN on speaker-normalized images, and the calibrated "
                "SVC on speaker-normalized statistics")
#: Soft votes scored from their members' probabilities: name -> members. A tuple member is
#: the mean of its parts' probabilities (the speaker vote's SpeakerAdaptiveClassifier of the two
#: CNNs, fallback_weight=0.5, for files whose speaker has statistics).
VOTES = {VOTE: (CNN, CALIBRATED), SPK_VOTE: (CNN, SPK_CALIBRATED),
         SPEAKER_VOTE: ((CNN, SPK_CNN), SPK_CALIBRATED)}


def _pipelines() -> dict:
    """The pipelines each protocol trains: name -> (feature set, factory)."""
    return {BASELINE: ("stats", _svc), CNN: ("mel", _cnn2d),
            SPK_CNN: ("mel+speaker", _spk_cnn),
            CALIBRATED: ("stats", _svc_calibrated),
            SPK_SVC: ("stats+speaker", _spk(_svc)),
            SPK_CALIBRATED: ("stats+speaker", _spk(_svc_calibrated))}


def _statistics_only(X):
    """The feature columns of a table of extracted statistics and speakers."""
    return X.drop(columns="speaker").to_numpy(dtype=np.float32)


def _spk(classifier_steps):
    """A factory of SpeakerNormalizer -> ``classifier_steps`` on extracted statistics.

    The normalizer wraps a step that reads the statistics from the columns of ``X``
    (a table of the statistics and a ``speaker`` column), in place of the recipe's feature
    step: the same values, normalized by the package's SpeakerNormalizer.
    """
    from sklearn.preprocessing import FunctionTransformer

    from skser.pipeline import make_pipeline
    from skser.preprocessing import SpeakerNormalizer

    def make():
        normalizer = SpeakerNormalizer(FunctionTransformer(_statistics_only))
        return make_pipeline(normalizer, *(step for _, step in classifier_steps().steps))

    return make


def _spk_cnn():
    """SpeakerNormalizer(images, keep_raw=False) -> the CNN of recipe mel-cnn2d, on the
    extracted log-mel images (a table of their rows and speakers as ``X``)."""
    from sklearn.preprocessing import FunctionTransformer

    from skser.pipeline import make_pipeline
    from skser.preprocessing import SpeakerNormalizer

    images = FunctionTransformer(_image_rows, kw_args={"feature": "mel"})
    return make_pipeline(SpeakerNormalizer(images, keep_raw=False), _cnn2d())


def _cnn2d(**params):
    from skser.models import CNN2DClassifier

    epochs = _epochs()
    if epochs:
        params.setdefault("epochs", epochs)
    params.setdefault("random_state", 0)
    return CNN2DClassifier(**params)


def _fit_predict(model, X, y, train, test, labels):
    """Train on rows ``train``, predict rows ``test``.

    Returns the predictions, the class probabilities in ``labels`` order (None for a model
    without ``predict_proba``), the seconds of fitting and of predicting, and extra facts.
    """
    Xtr, Xte = _take(X, train), _take(X, test)
    with timer() as t_fit:
        model.fit(Xtr, y[train])
    proba = None
    with timer() as t_pred:
        if hasattr(model, "predict_proba"):
            p = model.predict_proba(Xte)
            proba = np.zeros((len(test), len(labels)))
            proba[:, np.searchsorted(labels, model.classes_)] = p
            pred = labels[proba.argmax(axis=1)]
        else:
            pred = model.predict(Xte)
    extra = {}
    clf = model[-1] if hasattr(model, "steps") else model
    if hasattr(clf, "history_"):
        extra["epochs_run"] = len(clf.history_["loss"])
    return pred, proba, t_fit(), t_pred(), extra


def _take(X, rows):
    """Rows ``rows`` of an array or a DataFrame."""
    return X.iloc[rows].reset_index(drop=True) if hasattr(X, "iloc") else np.asarray(X[rows])


def _report(y_true, y_pred, groups) -> dict:
    from skser.metrics import emotion_report

    rep = emotion_report(y_true, y_pred, groups=groups)
    return {k: rep[k] for k in ("accuracy", "uar", "macro_f1", "per_class",
                                "confusion_matrix", "labels", "per_group") if k in rep}


def _row(name: str, rep: dict, fit_s: float, **extra) -> dict:
    return {"pipeline": name, "accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"],
            "uar": rep["uar"], "fit_seconds": round(fit_s, 1), **extra, "report": rep}


# -- protocols -----------------------------------------------------------------------------
def _split_protocol(df, X_sets, pipelines, train, test) -> list[dict]:
    y = df["emotion"].to_numpy()
    corpus = df["corpus"].to_numpy()
    labels = np.unique(y)
    rows, probas = [], {}
    for name, (feature, make) in pipelines.items():
        X, cost = X_sets[feature]
        print(f"  {name}: training on {len(train)} files", flush=True)
        pred, probas[name], fit_s, pred_s, extra = _fit_predict(make(), X, y, train, test,
                                                                labels)
        rep = _report(y[test], pred, corpus[test])
        rows.append(_row(name, rep, fit_s, features=feature, **cost,
                         predict_ms_per_file=round(1000 * pred_s / len(test), 2), **extra))
        print(f"    acc {rep['accuracy']:.3f} F1 {rep['macro_f1']:.3f} UAR {rep['uar']:.3f} "
              f"fit {fit_s:.0f} s", flush=True)
    for vote, members in VOTES.items():
        if all(p in probas for p in _parts(members)):
            pred = _vote(probas, members, labels)
            rows.append(_vote_row(vote, members, rows, _report(y[test], pred, corpus[test])))
    return rows


def _parts(members) -> list[str]:
    """The trained pipelines of a vote's members (a tuple member is several)."""
    return [p for m in members for p in (m if isinstance(m, tuple) else (m,))]


def _vote(probas: dict, members, labels: np.ndarray) -> np.ndarray:
    """A soft vote's predictions: the mean of its members' probabilities, a tuple member's
    being the mean of its parts'."""
    def member(m):
        return np.mean([probas[p] for p in m], axis=0) if isinstance(m, tuple) else probas[m]

    return labels[sum(member(m) for m in members).argmax(axis=1)]


def _vote_row(vote: str, members, rows: list[dict], rep: dict) -> dict:
    """A soft vote's row: its members were trained once, as rows of their own."""
    parts = _parts(members)
    fit_s = sum(r["fit_seconds"] for r in rows if r["pipeline"] in parts)
    print(f"    {vote}: acc {rep['accuracy']:.3f} F1 {rep['macro_f1']:.3f} "
          f"UAR {rep['uar']:.3f}", flush=True)
    features = " + ".join(r["features"] for r in rows if r["pipeline"] in parts)
    return _row(vote, rep, fit_s, features=features)


def _cv_protocol(df, X_sets, pipelines, folds) -> list[dict]:
    """Pooled out-of-fold predictions: every file predicted by a model that did not see it."""
    y = df["emotion"].to_numpy()
    corpus = df["corpus"].to_numpy()
    labels = np.unique(y)
    rows, probas = [], {}
    for name, (feature, make) in pipelines.items():
        X, _ = X_sets[feature]
        pred = np.empty(len(y), dtype=object)
        proba = np.zeros((len(y), len(labels)))
        fold_uar, fit_total, epochs = [], 0.0, []
        for i, (train, test) in enumerate(folds):
            print(f"  {name}: fold {i + 1}/{len(folds)}", flush=True)
            p, pr, fit_s, _, extra = _fit_predict(make(), X, y, train, test, labels)
            pred[test] = p
            if pr is not None:
                proba[test] = pr
            fit_total += fit_s
            epochs.append(extra.get("epochs_run"))
            fold_uar.append(_report(y[test], p, None)["uar"])
        if pr is not None:
            probas[name] = proba
        rep = _report(y, pred.astype(str), corpus)
        extra = {"epochs_run": epochs} if epochs[0] is not None else {}
        rows.append(_row(name, rep, fit_total, features=feature,
                         fold_uar=[round(u, 4) for u in fold_uar], **extra))
        print(f"    pooled acc {rep['accuracy']:.3f} UAR {rep['uar']:.3f} "
              f"(folds {np.round(fold_uar, 3).tolist()})", flush=True)
    for vote, members in VOTES.items():
        if all(p in probas for p in _parts(members)):
            pred = _vote(probas, members, labels)
            row = _vote_row(vote, members, rows, _report(y, pred, corpus))
            row["fold_uar"] = [round(_report(y[test], pred[test], None)["uar"], 4)
                               for _, test in folds]
            rows.append(row)
    return rows


#: Samples per training call of reference B's CNN in its equal-time run.
REFB_CHUNK = 1024


def _shuffled_chunks(n: int, size: int, rng):
    """Endless chunks of ``size`` row indices, over epochs of shuffled ``range(n)``."""
    pending = np.empty(0, dtype=int)
    while True:
        while len(pending) < size:
            pending = np.concatenate([pending, rng.permutation(n)])
        yield pending[:size]
        pending = pending[size:]


def _refb_for(X, y, train, budget_s: float):
    """Reference B's mel CNN trained for ``budget_s`` seconds of wall time.

    Training runs on chunks of ``REFB_CHUNK`` rows, drawn in epochs of shuffled training
    rows, until the time is spent (the clock includes building the network); its cost per
    epoch is the rate it reached.
    """
    from skser.models import CNN2DClassifier

    clf = CNN2DClassifier.four_block_valid(epochs=1, random_state=0, validation_split=0.0,
                                      early_stopping=False, reduce_lr_patience=None)
    Xtr, ytr = np.asarray(X[train]), y[train]
    chunks = _shuffled_chunks(len(train), REFB_CHUNK, np.random.default_rng(0))
    n = 0
    with timer() as t:
        while t() < budget_s:
            chunk = next(chunks)
            if n == 0:
                clf.fit(Xtr[chunk], ytr[chunk])
            else:
                clf.partial_fit(Xtr[chunk], ytr[chunk])
            n += len(chunk)
    rate = n / t()
    return clf, t(), {"samples_per_s": round(rate, 1),
                      "seconds_per_epoch": round(len(train) / rate, 1),
                      "budget_seconds": round(budget_s, 1), "budget_samples": int(n),
                      "budget_epochs": round(n / len(train), 2)}


def refb_split(y) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of reference B's split of labels ``y``: stratified random 80/20,
    ``random_state=0``."""
    from sklearn.model_selection import train_test_split

    return train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=0)


def speaker_folds(df) -> list:
    """The speaker-independent protocol's folds: 5-fold ``GroupKFold`` by speaker."""
    from sklearn.model_selection import GroupKFold

    from skser.model_selection import speaker_groups

    return list(GroupKFold(n_splits=5).split(df, groups=speaker_groups(df)))


def corpus_folds(df) -> list:
    """The leave-one-corpus-out protocol's folds."""
    from skser.model_selection import LeaveOneCorpusOut, corpus_groups

    return list(LeaveOneCorpusOut().split(df, groups=corpus_groups(df)))


def part_refb(df) -> dict:
    X_sets = _features(df, ("stats", "mel"), SEVEN)
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    y = df["emotion"].to_numpy()
    train, test = refb_split(y)
    pipelines = _pipelines()
    rows = _split_protocol(df, X_sets, pipelines, train, test)
    refb_row = "reference B mel CNN, same training time as recipe mel-cnn2d"
    if not _run_references():
        rows += _carried_over("refb", refb_row)
        return {"protocol": "reference B: 7 emotions, stratified random 80/20 (random_state=0)",
                "n_train": len(train), "n_test": len(test), "rows": rows}
    budget = next(r["fit_seconds"] for r in rows if r["pipeline"] == CNN)
    Xb, extraction = extract("refb_mel", df["path"].tolist())  # the 7-emotion files only
    print(f"  reference B mel CNN: training for {budget:.0f} s", flush=True)
    clf, fit_s, cost = _refb_for(Xb, y, train, budget)
    cost.update(extraction)
    print(f"  reference B mel CNN: {cost}", flush=True)
    pred = clf.predict(np.asarray(Xb[test]))
    rep = _report(y[test], pred, df["corpus"].to_numpy()[test])
    rows.append(_row(refb_row, rep, fit_s, features="refb_mel", **cost))
    return {"protocol": "reference B: 7 emotions, stratified random 80/20 (random_state=0)",
            "n_train": len(train), "n_test": len(test), "rows": rows}


def part_speaker(df) -> dict:
    X_sets = _features(df, ("stats", "mel"), SEVEN)
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    folds = speaker_folds(df)
    pipelines = _pipelines()
    return {"protocol": "speaker-independent: 5-fold GroupKFold by speaker, 7 emotions",
            "n_files": len(df), "rows": _cv_protocol(df, X_sets, pipelines, folds)}


def part_loco(df) -> dict:
    X_sets = _features(df, ("stats", "mel"), SEVEN)
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    folds = corpus_folds(df)
    pipelines = _pipelines()
    return {"protocol": "leave-one-corpus-out, 7 emotions (per_group = the held-out corpus)",
            "n_files": len(df), "rows": _cv_protocol(df, X_sets, pipelines, folds)}


def part_refa(df) -> dict:
    from sklearn.model_selection import train_test_split

    from skser.recipes import make_recipe

    y = df["emotion"].to_numpy()
    idx = np.arange(len(df))
    train, test = train_test_split(idx, test_size=0.25, stratify=y, random_state=0)
    paths = df["path"].to_numpy()
    X_sets = _features(df, ("stats", "mel"))
    rows = _split_protocol(df, X_sets, _pipelines(), train, test)
    reference = "reference A (augmentation on training files only)"
    if not _run_references():
        rows += _carried_over("refa", reference)
        return _refa_result(train, test, rows)
    # Reference A augments files, so it runs as a whole pipeline on the paths: the
    # Augmenter adds copies of the training files only.
    pipe = make_recipe("acoustic-conv1d-augmented", epochs=_epochs(REFERENCE_A_EPOCHS),
                       n_jobs=2, verbose=1)
    print(f"  reference A pipeline: training on {len(train)} files (+2 augmented copies)",
          flush=True)
    with timer() as t:
        pipe.fit(paths[train].tolist(), y[train])
    with timer() as tp:
        pred = pipe.predict(paths[test].tolist())
    rep = _report(y[test], pred, df["corpus"].to_numpy()[test])
    rows.append(_row(reference, rep, t(),
                     features="acoustic (+ augmentation, extracted inside fit)",
                     predict_ms_per_file=round(1000 * tp() / len(test), 2),
                     epochs_run=len(pipe[-1].history_["loss"])))
    return _refa_result(train, test, rows)


def _refa_result(train, test, rows) -> dict:
    return {"protocol": "reference A: 8 emotions, stratified random 75/25 (random_state=0)",
            "n_train": len(train), "n_test": len(test), "rows": rows,
            "leaky_reference": {"accuracy": 0.60, "macro_f1": 0.62,
                                "why": "reference A split after augmenting, so augmented "
                                       "copies of test files were in its training set"}}


def _run_references() -> bool:
    """False with ``SKSER_BENCH_REFERENCES=0``: the reference pipelines are not retrained."""
    return os.environ.get("SKSER_BENCH_REFERENCES", "1") != "0"


def _carried_over(part: str, prefix: str) -> list[dict]:
    """The rows named ``prefix...`` of the last results of ``part``, marked as carried over.

    For a rerun that changes only skser's pipelines: a reference's code and seed are fixed,
    so its rows stand, and they say that they come from an earlier run.
    """
    path = RESULTS / f"protocols_{part}.json"
    if not path.exists():
        raise SystemExit(f"SKSER_BENCH_REFERENCES=0 needs earlier results in {path}")
    rows = [r for r in json.loads(path.read_text())["rows"] if r["pipeline"].startswith(prefix)]
    for r in rows:
        r.setdefault("carried_over", "not rerun (SKSER_BENCH_REFERENCES=0): from an earlier "
                                     "run of this part, same code and seed")
    return rows


# -- output --------------------------------------------------------------------------------
def markdown(results: dict) -> str:
    lines = []
    for part in PARTS:
        if part not in results:
            continue
        res = results[part]
        lines += [f"### {res['protocol']}", "",
                  "| pipeline | accuracy | macro F1 | UAR | per corpus (accuracy) | "
                  "training time |", "|---|---|---|---|---|---|"]
        for r in res["rows"]:
            per = r["report"].get("per_group", {})
            per_s = ", ".join(f"{g} {v['accuracy']:.2f}" for g, v in sorted(per.items()))
            lines.append(f"| {r['pipeline']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | "
                         f"{r['uar']:.3f} | {per_s} | {r['fit_seconds']:.0f} s |")
        lines.append("")
    return "\n".join(lines)


def main() -> dict:
    warnings.filterwarnings("ignore", category=UserWarning)
    parts = [p for p in os.environ.get("SKSER_BENCH_PARTS", ",".join(PARTS)).split(",") if p]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise SystemExit(f"unknown SKSER_BENCH_PARTS {unknown}; choose from {PARTS}")
    df = _corpus()
    results = {}
    for part in parts:
        print(f"-- {part}", flush=True)
        start = time.perf_counter()
        res = globals()[f"part_{part}"](df)
        res["seconds"] = round(time.perf_counter() - start, 1)
        # The process's peak so far: the parts run before this one in the same process count.
        res["peak_rss_mb"] = peak_rss_mb()
        res["machine"] = machine()
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"protocols_{part}.json").write_text(json.dumps(res, indent=2, default=str))
    for part in PARTS:  # the table shows every part run so far
        path = RESULTS / f"protocols_{part}.json"
        if path.exists():
            results[part] = json.loads(path.read_text())
    md = markdown(results)
    (RESULTS / "protocols.md").write_text(md)
    return {"parts_run": parts, "markdown": md}
