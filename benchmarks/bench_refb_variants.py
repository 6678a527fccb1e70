"""Classifier variants on reference B's protocol, for choosing skser's defaults (issue 6).

The split and features of ``bench_protocols`` (part ``refb``: 7 emotions, stratified random
80/20, ``random_state=0``; skser's default 64 x 188 log-mel images, cached), with one
``CNN2DClassifier`` per variant named in ``SKSER_BENCH_VARIANTS`` (comma-separated):

``plain``     ``CNN2DClassifier(spec_augment=False)``
``specaug``   ``CNN2DClassifier(spec_augment=True)`` (the default since it won here)
``deltas``    as ``specaug``, on log-mel + delta + delta-delta channels
``ensemble``  recipe ``mel-cnn2d+stats-svc``: the mean of ``specaug``'s probabilities and
              those of a calibrated RBF SVC on the 416 utterance statistics (the baseline)

Default: ``plain``, the ablation published in docs/benchmarks.md (the default classifier and
the vote are rows of ``python -m benchmarks protocols``).
Run: ``SKSER_BENCH_VARIANTS=plain,deltas python -m benchmarks refb_variants``.
"""

from __future__ import annotations

import os

import numpy as np

from ._common import timer
from .bench_protocols import SEVEN, _corpus, _features, _report, _row


def main() -> dict:
    from sklearn.model_selection import train_test_split

    from skser.models import CNN2DClassifier

    variants = [v for v in os.environ.get("SKSER_BENCH_VARIANTS", "plain").split(",") if v]
    df = _corpus()
    sets = _features(df, ("mel", "stats"), SEVEN)
    mel, stats = sets["mel"][0], sets["stats"][0]
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    y, corpus = df["emotion"].to_numpy(), df["corpus"].to_numpy()
    train, test = train_test_split(np.arange(len(df)), test_size=0.2, stratify=y,
                                   random_state=0)
    rows = []
    for name in variants:
        if name == "ensemble":
            rows.append(_ensemble(mel, stats, y, corpus, train, test))
            continue
        X = mel
        if name == "deltas":
            import librosa

            X = np.stack([mel, librosa.feature.delta(mel, axis=-1),
                          librosa.feature.delta(mel, order=2, axis=-1)], axis=-1)
        clf = CNN2DClassifier(spec_augment=name != "plain", random_state=0)
        with timer() as t:
            clf.fit(X[train], y[train])
        rep = _report(y[test], clf.predict(X[test]), corpus[test])
        rows.append(_row(f"CNN2DClassifier variant {name}", rep, t(),
                         epochs_run=len(clf.history_["loss"])))
        print(f"{name}: acc {rep['accuracy']:.3f} F1 {rep['macro_f1']:.3f} "
              f"UAR {rep['uar']:.3f} in {t():.0f} s", flush=True)
    md = ["| variant | accuracy | macro F1 | UAR | epochs | training time |",
          "|---|---|---|---|---|---|"]
    md += [f"| {r['pipeline']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['uar']:.3f} "
           f"| {r['epochs_run']} | {r['fit_seconds']:.0f} s |" for r in rows]
    return {"rows": rows, "markdown": "\n".join(md)}


def _ensemble(mel, stats, y, corpus, train, test) -> dict:
    """The soft vote of recipe mel-cnn2d+stats-svc, its members trained on cached features."""
    from sklearn.base import clone

    from skser.recipes import make_recipe

    vote = make_recipe("mel-cnn2d+stats-svc")[-1]
    (_, cnn_pipe), (_, svc_pipe) = vote.estimators
    cnn = clone(cnn_pipe[-1])  # the CNN2DClassifier (random_state=0 from the recipe)
    svc = clone(svc_pipe[1:])  # StandardScaler -> calibrated SVC
    with timer() as t:
        cnn.fit(mel[train], y[train])
        svc.fit(stats[train], y[train])
    assert list(cnn.classes_) == list(svc.classes_)
    proba = (cnn.predict_proba(mel[test]) + svc.predict_proba(stats[test])) / 2
    rep = _report(y[test], cnn.classes_[proba.argmax(axis=1)], corpus[test])
    print(f"ensemble: acc {rep['accuracy']:.3f} F1 {rep['macro_f1']:.3f} UAR {rep['uar']:.3f} "
          f"in {t():.0f} s", flush=True)
    return _row("recipe mel-cnn2d+stats-svc (soft vote)", rep, t(),
                epochs_run=len(cnn.history_["loss"]))
