"""Classifier variants on reference B's protocol, for choosing skser's defaults (issue 6).

The split and features of ``bench_protocols`` (part ``refb``: 7 emotions, stratified random
80/20, ``random_state=0``; skser's default 64 x 188 log-mel images, cached), with one
``CNN2DClassifier`` per variant named in ``SKSER_BENCH_VARIANTS`` (comma-separated):

``plain``     ``CNN2DClassifier(spec_augment=False)``
``specaug``   ``CNN2DClassifier(spec_augment=True)`` (the default since it won here)
``deltas``    as ``specaug``, on log-mel + delta + delta-delta channels
``ensemble``  recipe ``mel-cnn2d+stats-svc``: the mean of ``specaug``'s probabilities and
              those of a calibrated RBF SVC on the 416 utterance statistics (the baseline)
``vote3``     ``ensemble`` plus a third member, recipe ``mfcc-cnn2d``'s CNN on 40 x 188 MFCC
              images (its training time is the sum of the three members')

The members of ``ensemble`` and ``vote3`` are trained once per run and shared.

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
    names = ("mel", "stats", "mfcc") if "vote3" in variants else ("mel", "stats")
    sets = {k: v[0] for k, v in _features(df, names, SEVEN).items()}
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    y, corpus = df["emotion"].to_numpy(), df["corpus"].to_numpy()
    train, test = train_test_split(np.arange(len(df)), test_size=0.2, stratify=y,
                                   random_state=0)
    rows, members = [], {}
    for name in variants:
        if name in VOTES:
            rows.append(_vote(name, sets, members, y, corpus, train, test))
            continue
        X = sets["mel"]
        if name == "deltas":
            import librosa

            X = np.stack([X, librosa.feature.delta(X, axis=-1),
                          librosa.feature.delta(X, order=2, axis=-1)], axis=-1)
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


#: Vote variant -> its members: (feature set, recipe whose classifier steps are trained).
VOTES = {"ensemble": (("mel", "mel-cnn2d"), ("stats", "svc")),
         "vote3": (("mel", "mel-cnn2d"), ("stats", "svc"), ("mfcc", "mfcc-cnn2d"))}


def _member(feature: str, recipe: str):
    """The classifier steps of a vote member, as in recipe mel-cnn2d+stats-svc."""
    from sklearn.base import clone

    from skser.recipes import make_recipe

    if recipe == "svc":  # the default vote's SVC member: StandardScaler -> calibrated SVC
        (_, _), (_, svc_pipe) = make_recipe("mel-cnn2d+stats-svc")[-1].estimators
        return clone(svc_pipe[1:])
    return clone(make_recipe(recipe)[-1])  # the CNN2DClassifier, random_state=0


def _vote(name, sets, members, y, corpus, train, test) -> dict:
    """A soft vote of ``VOTES[name]``, each member trained on its cached features once."""
    probas, seconds, classes = [], 0.0, None
    for feature, recipe in VOTES[name]:
        key = (feature, recipe)
        if key not in members:
            model = _member(feature, recipe)
            X = sets[feature]
            with timer() as t:
                model.fit(X[train], y[train])
            members[key] = (model.predict_proba(X[test]), t(), model.classes_)
            print(f"  member {recipe} on {feature}: {t():.0f} s", flush=True)
        proba, fit_s, member_classes = members[key]
        assert classes is None or list(classes) == list(member_classes)
        classes = member_classes
        probas.append(proba)
        seconds += fit_s
    rep = _report(y[test], classes[np.mean(probas, axis=0).argmax(axis=1)], corpus[test])
    print(f"{name}: acc {rep['accuracy']:.3f} F1 {rep['macro_f1']:.3f} UAR {rep['uar']:.3f} "
          f"(members trained in {seconds:.0f} s)", flush=True)
    label = " + ".join(f"{recipe} ({feature})" for feature, recipe in VOTES[name])
    return _row(f"soft vote {name}: {label}", rep, seconds, epochs_run="-")
