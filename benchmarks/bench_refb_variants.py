"""Classifier variants on reference B's protocol, for choosing skser's defaults (issue 6).

The split and features of ``bench_protocols`` (part ``refb``: 7 emotions, stratified random
80/20, ``random_state=0``; skser's default 64 x 188 log-mel images, cached), with one
``CNN2DClassifier`` per variant named in ``SKSER_BENCH_VARIANTS`` (comma-separated):

``plain``     ``CNN2DClassifier(spec_augment=False)``
``specaug``   ``CNN2DClassifier(spec_augment=True)`` (the default since it won here)
``deltas``    as ``specaug``, on log-mel + delta + delta-delta channels

Run: ``SKSER_BENCH_VARIANTS=specaug python -m benchmarks refb_variants``.
"""

from __future__ import annotations

import os

import numpy as np

from ._common import timer
from .bench_protocols import SEVEN, _corpus, _features, _report, _row


def main() -> dict:
    from sklearn.model_selection import train_test_split

    from skser.models import CNN2DClassifier

    variants = [v for v in os.environ.get("SKSER_BENCH_VARIANTS", "specaug").split(",") if v]
    df = _corpus()
    mel = _features(df, ("mel",), SEVEN)["mel"][0]
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    y, corpus = df["emotion"].to_numpy(), df["corpus"].to_numpy()
    train, test = train_test_split(np.arange(len(df)), test_size=0.2, stratify=y,
                                   random_state=0)
    rows = []
    for name in variants:
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
