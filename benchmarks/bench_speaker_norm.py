"""What per-speaker normalization does for the statistics SVC, and what it costs without speakers.

Speaker-independent protocol of ``bench_protocols`` (5-fold ``GroupKFold`` by speaker, 7
emotions; the cached utterance statistics of recipe stats-svc), the SVC alone, uncalibrated:

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

Run: ``python -m benchmarks speaker_norm`` (about 5 minutes here).
"""

from __future__ import annotations

import warnings

import numpy as np

from ._common import timer
from .bench_protocols import SEVEN, _corpus, _features, _report, _row, _spk, _svc, _take


class _Unnamed:
    """A fitted model asked to predict without the test files' speakers."""

    def __init__(self, model):
        self.model = model

    def fit(self, X, y):
        self.model.fit(X, y)
        self.classes_ = self.model.classes_
        return self

    def predict(self, X):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SpeakerNormalizationWarning: the point here
            return self.model.predict(X.assign(speaker=None))


def _adaptive():
    from skser.preprocessing import SpeakerAdaptiveClassifier

    from .bench_protocols import _statistics_only

    def plain():
        from sklearn.preprocessing import FunctionTransformer

        from skser.pipeline import make_pipeline

        return make_pipeline(FunctionTransformer(_statistics_only),
                             *(step for _, step in _svc().steps))

    return SpeakerAdaptiveClassifier(_spk(_svc)(), plain())


def main() -> dict:
    from sklearn.model_selection import GroupKFold

    from skser.model_selection import speaker_groups

    df = _corpus()
    sets = _features(df, ("stats",), SEVEN)
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    y, corpus = df["emotion"].to_numpy(), df["corpus"].to_numpy()
    folds = list(GroupKFold(n_splits=5).split(df, groups=speaker_groups(df)))
    variants = {
        "plain": ("stats", _svc),
        "speaker-normalized": ("stats+speaker", _spk(_svc)),
        "speaker-normalized, no test speakers": ("stats+speaker",
                                                 lambda: _Unnamed(_spk(_svc)())),
        "adaptive, no test speakers": ("stats+speaker", lambda: _Unnamed(_adaptive())),
    }
    rows = []
    for name, (feature, make) in variants.items():
        X = sets[feature][0]
        pred = np.empty(len(y), dtype=object)
        with timer() as t:
            for train, test in folds:
                model = make().fit(_take(X, train), y[train])
                pred[test] = model.predict(_take(X, test))
        rep = _report(y, pred.astype(str), corpus)
        rows.append(_row(name, rep, t()))
        print(f"{name}: acc {rep['accuracy']:.3f} UAR {rep['uar']:.3f} ({t():.0f} s)",
              flush=True)
    md = ["| SVC on utterance statistics | accuracy | macro F1 | UAR | 5 folds |",
          "|---|---|---|---|---|"]
    md += [f"| {r['pipeline']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['uar']:.3f} "
           f"| {r['fit_seconds']:.0f} s |" for r in rows]
    return {"protocol": "speaker-independent: 5-fold GroupKFold by speaker, 7 emotions",
            "rows": rows, "markdown": "\n".join(md)}
