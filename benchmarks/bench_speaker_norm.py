"""What per-speaker normalization does for the statistics SVC, and what it costs without speakers.

Speaker-independent protocol of ``bench_protocols`` (5-fold ``GroupKFold`` by speaker, 7
emotions; the utterance statistics of recipe stats-svc, extracted once for all files through
the feature step's per-file cache), the SVC alone, uncalibrated; every model is trained in
the run:

``plain``
    The classical baseline: StandardScaler -> SVC(C=10).
``speaker-normalized``
    SpeakerNormalizer (the statistics and their values standardized with each speaker's own
    statistics; a test speaker's come from that speaker's test files) -> the same steps.
``speaker-normalized, no test speakers``
    The same model, predicting test files whose speakers it is not told: every test row is
    standardized with the training population's statistics (what SpeakerNormalizer does
    for one file of a new speaker).
``adaptive, no test speakers``
    SpeakerAdaptiveClassifier(speaker-normalized, plain) on the same unnamed test files:
    its plain model answers them.

The speaker-normalized model is trained once per fold and predicts the test files both with
and without their speakers (both rows give the time of that one model).

Run: ``python -m benchmarks speaker_norm`` (about 10 minutes here).
"""

from __future__ import annotations

import warnings

import numpy as np

from ._common import timer
from .bench_protocols import (
    SEVEN,
    _corpus,
    _features,
    _report,
    _row,
    _spk,
    _svc,
    _take,
    speaker_folds,
)


def _adaptive():
    """SpeakerAdaptiveClassifier(speaker-normalized SVC, plain SVC) on the extracted statistics."""
    from sklearn.preprocessing import FunctionTransformer

    from skser.ensemble import SpeakerAdaptiveClassifier
    from skser.pipeline import make_pipeline

    from .bench_protocols import _statistics_only

    plain = make_pipeline(FunctionTransformer(_statistics_only),
                          *(step for _, step in _svc().steps))
    return SpeakerAdaptiveClassifier(_spk(_svc)(), plain)


def _unnamed(X):
    """The test files without their speakers."""
    return X.assign(speaker=None)


def main() -> dict:
    df = _corpus()
    sets = _features(df, ("stats",), SEVEN)
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    y, corpus = df["emotion"].to_numpy(), df["corpus"].to_numpy()
    folds = speaker_folds(df)
    names = ["plain", "speaker-normalized", "speaker-normalized, no test speakers",
             "adaptive, no test speakers"]
    preds = {name: np.empty(len(y), dtype=object) for name in names}
    seconds = dict.fromkeys(names, 0.0)
    stats, table = sets["stats"][0], sets["stats+speaker"][0]
    for i, (train, test) in enumerate(folds):
        print(f"fold {i + 1}/{len(folds)}", flush=True)
        with timer() as t:
            model = _svc().fit(stats[train], y[train])
        preds["plain"][test] = model.predict(stats[test])
        seconds["plain"] += t()
        # One speaker-normalized model predicts the test files with and without speakers.
        with timer() as t:
            model = _spk(_svc)().fit(_take(table, train), y[train])
        test_table = _take(table, test)
        preds["speaker-normalized"][test] = model.predict(test_table)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SpeakerNormalizationWarning: the point here
            preds["speaker-normalized, no test speakers"][test] = model.predict(
                _unnamed(test_table))
        seconds["speaker-normalized"] += t()
        seconds["speaker-normalized, no test speakers"] += t()  # the same model
        with timer() as t:
            model = _adaptive().fit(_take(table, train), y[train])
        preds["adaptive, no test speakers"][test] = model.predict(_unnamed(test_table))
        seconds["adaptive, no test speakers"] += t()
    rows = []
    for name in names:
        rep = _report(y, preds[name].astype(str), corpus)
        rows.append(_row(name, rep, seconds[name]))
        print(f"{name}: acc {rep['accuracy']:.3f} UAR {rep['uar']:.3f}", flush=True)
    md = ["| SVC on utterance statistics | accuracy | macro F1 | UAR | time (5 folds) |",
          "|---|---|---|---|---|"]
    md += [f"| {r['pipeline']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['uar']:.3f} "
           f"| {r['fit_seconds']:.0f} s |" for r in rows]
    return {"protocol": "speaker-independent: 5-fold GroupKFold by speaker, 7 emotions",
            "rows": rows, "markdown": "\n".join(md)}
