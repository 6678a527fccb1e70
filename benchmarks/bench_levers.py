"""Levers on the default's linear member, leaving speakers and corpora out (issue 22).

The default recipe (:data:`skser.recipes.DEFAULT_RECIPE`) is a soft vote of a log-mel CNN
and a logistic regression on 416 utterance statistics, both reading each file from its
first sound (silence trimmed 40 dB below its loudest frame), 4 s at 16 kHz. Training the
CNN on every fold of both protocols takes hours on 2 cores; the linear member trains in
seconds. This benchmark measures, on that member alone, levers that change what it reads
or how it weighs its training files, so that a lever is carried to the whole recipe (and
the end-to-end ``generalization`` benchmark) only when the member gains from it:

``statistics``
    The member as the default trains it: its statistics (its ``AcousticFeatures`` with
    the loader's ``trim_db``), standardized, into its ``LogisticRegression``.
``corpus-balanced``
    The same, each training file weighted by the inverse share of its corpus, so that
    each training corpus weighs the same (CREMA-D holds most of the files).
``level-relative``
    The statistics without the recording's level: each file's mean log-mel level (the
    mean over bands of the per-band means) is subtracted from the log-mel means and
    percentiles, and MFCC 0's mean and percentiles (a scaled copy of that level) are
    dropped. The corpora differ in level by far more than emotions do.
``pitch and spectral shape``
    The 464 statistics of ``bench_svc_features``: the 416 with YIN pitch and spectral
    centroid, bandwidth, roll-off, flatness and contrast.
``eGeMAPS`` and ``statistics + eGeMAPS``
    The 88 eGeMAPS v02 functionals of the ``opensmile`` package (its license forbids
    commercial use; the rows are skipped when it is not installed), computed on the same
    audio (from the first sound, at most 4 s) without the zero padding the other
    features read; alone, appended to the 416 statistics, and as a member of its own
    beside the statistics member (a soft vote: the mean of the two members'
    probabilities, as the default votes its members). The same vote with the pitch and
    spectral shape member in its place tells a gain of eGeMAPS from a gain of voting.

Protocols, 7 emotions, the known duplicate recordings dropped (the folds of the
protocols benchmark): speaker-independent 5-fold ``GroupKFold`` by speaker, and
leave-one-corpus-out. Each file is predicted once by the fold that did not train on it;
each row reports the pooled scores with the confusion matrix they come from (the report
gives their bootstrap intervals), the UAR of each fold (for leave-one-corpus-out, of each
held-out corpus) and the training time of all folds.

The statistics are read through their per-file cache (``benchmarks/cache/features``);
eGeMAPS is computed in the run. Run: ``python -m benchmarks levers``.
"""

from __future__ import annotations

import time

import numpy as np

from ._common import _version, peak_rss_mb
from .bench_protocols import FEATURE_CACHE, SEVEN, _corpus, _report, corpus_folds, speaker_folds

#: Variant name -> (feature set, corpus-balanced weights).
VARIANTS = {
    "statistics": ("stats", False),
    "statistics, corpus-balanced": ("stats", True),
    "level-relative statistics": ("relative", False),
    "statistics with pitch and spectral shape": ("prosody", False),
    "eGeMAPS": ("egemaps", False),
    "statistics + eGeMAPS": ("stats+egemaps", False),
}
#: Soft votes (the mean of the members' probabilities) of variants trained above: name ->
#: members. Does a second linear member on other features, making other errors, help the
#: statistics member (as the default's vote pairs it with a CNN)?
VOTES = {"soft vote of the statistics and eGeMAPS members": ("statistics", "eGeMAPS"),
         # The control: a second member on other features of the package's own.
         "soft vote of the statistics and pitch-and-spectral-shape members":
             ("statistics", "statistics with pitch and spectral shape")}
PROTOCOLS = {"speaker-independent 5-fold": speaker_folds,
             "leave-one-corpus-out": corpus_folds}


# -- the member and its features -----------------------------------------------------------
def default_member():
    """The default recipe's statistics member: (its feature step, its classifier steps)."""
    from skser.recipes import DEFAULT_RECIPE, make_recipe

    loader, *_, vote = make_recipe(DEFAULT_RECIPE)
    member = dict(vote.estimators)["lr"]
    features, *classifier = (step for _, step in member.steps)
    # The member reads the loader's waveforms: the file from its first sound, 4 s. The same
    # feature step with the loader's trimming reads the same samples from the path.
    features = features.set_params(trim_db=loader.trim_db)
    return features, classifier


def level_relative(X: np.ndarray, names) -> np.ndarray:
    """Statistics ``X`` (columns ``names``) without the recording's level.

    Each row's mean log-mel level (the mean of its ``logmel<k>_mean`` columns) is
    subtracted from every ``logmel<k>_mean``, ``_p10`` and ``_p90`` column (a gain shifts
    all of them by the same decibels; the standard deviations do not move), and the
    ``mfcc0`` mean and percentiles are dropped (MFCC 0 is a scaled sum of the log-mel
    bands, so it carries the level too).
    """
    names = np.asarray(names)
    X = np.array(X, dtype=np.float64)
    means = np.flatnonzero([n.startswith("logmel") and n.endswith("_mean") for n in names])
    shifted = np.flatnonzero([n.startswith("logmel") and n.endswith(("_mean", "_p10", "_p90"))
                              for n in names])
    if not len(means):
        raise ValueError("level_relative needs logmel<k>_mean columns")
    X[:, shifted] -= X[:, means].mean(axis=1, keepdims=True)
    dropped = np.isin(names, ["mfcc0_mean", "mfcc0_p10", "mfcc0_p90"])
    return X[:, ~dropped]


def corpus_weights(corpus: np.ndarray) -> np.ndarray:
    """Sample weights under which every corpus of ``corpus`` weighs the same (mean 1)."""
    corpus = np.asarray(corpus)
    _, inverse, counts = np.unique(corpus, return_inverse=True, return_counts=True)
    w = 1.0 / counts[inverse]
    return w * (len(w) / w.sum())


def _egemaps(paths: list[str], trim_db: float, sr: int, duration: float) -> np.ndarray | None:
    """eGeMAPS v02 functionals of each file from its first sound, at most ``duration`` s;
    None when ``opensmile`` is not installed."""
    try:
        import opensmile  # noqa: F401
    except ImportError:
        print("opensmile is not installed: no eGeMAPS rows", flush=True)
        return None
    from joblib import Parallel, delayed

    chunks = [paths[i:i + 200] for i in range(0, len(paths), 200)]
    print(f"eGeMAPS of {len(paths)} files", flush=True)
    parts = Parallel(n_jobs=2, verbose=5)(
        delayed(_egemaps_chunk)(c, trim_db, sr, duration) for c in chunks)
    return np.concatenate(parts)


def _egemaps_chunk(paths, trim_db, sr, duration) -> np.ndarray:
    import opensmile

    from skser.audio import load_audio, trim_silence

    smile = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                            feature_level=opensmile.FeatureLevel.Functionals)
    rows = []
    for path in paths:
        y = trim_silence(load_audio(path, sr=sr, offset=0.0), sr, trim_db)[:int(sr * duration)]
        rows.append(smile.process_signal(y, sr).to_numpy()[0])
    return np.stack(rows).astype(np.float64)


def feature_sets(paths: list[str]) -> dict[str, np.ndarray]:
    """Every variant's features of ``paths``: name -> array (eGeMAPS only with opensmile)."""
    from sklearn.base import clone

    features, _ = default_member()
    step = features.set_params(memory=str(FEATURE_CACHE), n_jobs=2, verbose=1)
    print(f"statistics of {len(paths)} files (cache: {FEATURE_CACHE})", flush=True)
    stats = step.fit_transform(paths).astype(np.float64)
    sets = {"stats": stats,
            "relative": level_relative(stats, step.get_feature_names_out())}
    prosody = clone(step).set_params(features=("logmel", "mfcc", "f0", "spectral"))
    print("statistics with pitch and spectral shape", flush=True)
    sets["prosody"] = prosody.fit_transform(paths).astype(np.float64)
    egemaps = _egemaps(paths, features.trim_db, features.sr, features.duration)
    if egemaps is not None:
        sets["egemaps"] = egemaps
        sets["stats+egemaps"] = np.hstack([stats, egemaps])
    return sets


# -- the protocols ---------------------------------------------------------------------------
def out_of_fold(X, y, corpus, folds, *, balanced: bool) -> tuple[np.ndarray, float]:
    """The member trained on each fold's training rows of ``X``: every tested row's class
    probabilities (columns in ``np.unique(y)`` order; untested rows zero) and the seconds
    of training all folds."""
    from sklearn.base import clone

    from skser.pipeline import make_pipeline

    _, classifier = default_member()
    labels = np.unique(y)
    proba = np.zeros((len(y), len(labels)))
    fit_seconds = 0.0
    for train, test in folds:
        model = make_pipeline(*(clone(step) for step in classifier))
        fit_params = {}
        if balanced:
            fit_params[f"{model.steps[-1][0]}__sample_weight"] = corpus_weights(corpus[train])
        start = time.perf_counter()
        model.fit(X[train], y[train], **fit_params)
        fit_seconds += time.perf_counter() - start
        proba[np.ix_(test, np.searchsorted(labels, model.classes_))] = model.predict_proba(X[test])
    return proba, fit_seconds


def score(proba, y, corpus, folds) -> dict:
    """Pooled scores of the out-of-fold probabilities ``proba``, with the UAR of each fold
    (and of each held-out corpus when every fold tests one corpus)."""
    labels = np.unique(y)
    pred = labels[proba.argmax(axis=1)]
    fold_uar = [round(_report(y[test], pred[test], None)["uar"], 4) for _, test in folds]
    tested = np.concatenate([test for _, test in folds])
    rep = _report(y[tested], pred[tested], corpus[tested])
    row = {"accuracy": rep["accuracy"], "macro_f1": rep["macro_f1"], "uar": rep["uar"],
           "fold_uar": fold_uar, "report": rep}
    held_out = [str(corpus[test][0]) if len(set(corpus[test])) == 1 else None
                for _, test in folds]
    if all(held_out):
        row["per_corpus_uar"] = dict(zip(held_out, fold_uar))
    return row


def member_row(proba, fit_seconds: float, X, y, corpus, folds) -> dict:
    """A member's row: the scores of its out-of-fold probabilities, its training time and
    its number of features."""
    return {**score(proba, y, corpus, folds), "fit_seconds": round(fit_seconds, 1),
            "n_features": X.shape[1]}


def cross_validate(X, y, corpus, folds, *, balanced: bool) -> dict:
    """The member trained on each fold's training rows of ``X``: pooled out-of-fold scores."""
    proba, fit_seconds = out_of_fold(X, y, corpus, folds, balanced=balanced)
    return member_row(proba, fit_seconds, X, y, corpus, folds)


def main() -> dict:
    start = time.perf_counter()
    df = _corpus()
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    y, corpus = df["emotion"].to_numpy(), df["corpus"].to_numpy()
    sets = feature_sets(df["path"].tolist())
    protocols = {}
    for protocol, make_folds in PROTOCOLS.items():
        folds = make_folds(df)
        rows, probas = [], {}
        for variant, (feature, balanced) in VARIANTS.items():
            if feature not in sets:
                continue
            X = sets[feature]
            probas[variant], fit_seconds = out_of_fold(X, y, corpus, folds, balanced=balanced)
            rows.append({"pipeline": variant,
                         **member_row(probas[variant], fit_seconds, X, y, corpus, folds)})
        for vote, members in VOTES.items():
            if all(m in probas for m in members):
                proba = np.mean([probas[m] for m in members], axis=0)
                parts = [r for r in rows if r["pipeline"] in members]
                rows.append({"pipeline": vote, **score(proba, y, corpus, folds),
                             "fit_seconds": round(sum(r["fit_seconds"] for r in parts), 1),
                             "n_features": sum(r["n_features"] for r in parts),
                             "members": list(members)})
        for row in rows:
            print(f"  {protocol}, {row['pipeline']}: UAR {row['uar']:.3f} "
                  f"(folds {row['fold_uar']})", flush=True)
        protocols[protocol] = rows
    md = ["| protocol | member | features | UAR | accuracy | UAR per fold |",
          "|---|---|---|---|---|---|"]
    md += [f"| {p} | {r['pipeline']} | {r['n_features']} | {r['uar']:.3f} | "
           f"{r['accuracy']:.3f} | {r['fold_uar']} |" for p, rows in protocols.items()
           for r in rows]
    return {"n_files": len(df), "protocols": protocols, "opensmile": _version("opensmile"),
            "seconds": round(time.perf_counter() - start, 1), "peak_rss_mb": peak_rss_mb(),
            "markdown": "\n".join(md)}
