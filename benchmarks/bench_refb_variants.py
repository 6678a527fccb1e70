"""Classifier variants on reference B's protocol, for choosing skser's defaults (issue 6).

The split and features of ``bench_protocols`` (part ``refb``: 7 emotions, stratified random
80/20, ``random_state=0``; skser's default 64 x 188 log-mel images, read through the feature
step's per-file cache), with one ``CNN2DClassifier`` per variant named in
``SKSER_BENCH_VARIANTS`` (comma-separated):

``plain``     ``CNN2DClassifier(spec_augment=False)``
``specaug``   ``CNN2DClassifier(spec_augment=True)`` (the default since it won here)
``deltas``    as ``specaug``, on log-mel + delta + delta-delta channels
``ensemble``  recipe ``mel-cnn2d+stats-svc``: the mean of ``specaug``'s probabilities and
              those of a calibrated RBF SVC on the 416 utterance statistics (the baseline)
``vote3``     ``ensemble`` plus a third member, recipe ``mfcc-cnn2d``'s CNN on 40 x 188 MFCC
              images (its training time is the sum of the three members')

The members of ``ensemble`` and ``vote3`` are trained once per run and shared, and so are
those of the variants below.

Variants of skser's previous default vote (recipe ``mel-cnn2d+spk-svc``), its members built
and trained in this run as the protocol benchmark builds them (``bench_protocols``'s
pipelines, the same seeds; nothing is read from an earlier run):

``spk``          that vote: recipe ``mel-cnn2d`` + the calibrated SVC on the statistics and
                 their speaker-normalized values (the protocol's row, retrained)
``spk-c3``       the same with ``SVC(C=3)`` (inner cross-validation of the SVC alone on the
                 training files had preferred 3 to 10)
``spk-prosody``  the SVC on 464 statistics: the 416 plus YIN pitch and spectral shape
``spk+mlp``      ``spk`` plus a third member: an MLP (256 units) on the same normalized
                 statistics
``spk+lr``       ``spk`` plus a logistic regression (C=0.1) on them
``spk-cnn2``     ``spk`` with the mean of two CNNs (``random_state`` 0 and 1) as its CNN member
``spk+mfcc``     ``spk`` plus recipe ``mfcc-cnn2d``'s CNN on 40 x 188 MFCC images
``spk-cnn2+mfcc``  ``spk-cnn2`` plus that MFCC CNN

Default: ``plain``, the ablation published in docs/benchmarks.md (the default classifier and
the vote are rows of ``python -m benchmarks protocols``).
Run: ``SKSER_BENCH_VARIANTS=plain,deltas python -m benchmarks refb_variants``.
"""

from __future__ import annotations

import os

import numpy as np

from ._common import timer
from .bench_protocols import SEVEN, _corpus, _features, _report, _row, refb_split


def main() -> dict:
    from skser.models import CNN2DClassifier

    variants = [v for v in os.environ.get("SKSER_BENCH_VARIANTS", "plain").split(",") if v]
    df = _corpus()
    names = ["mel", "stats"]
    if {"vote3", "spk+mfcc", "spk-cnn2+mfcc"} & set(variants):
        names.append("mfcc")
    if "spk-prosody" in variants:
        names.append("prosody")
    sets = {k: v[0] for k, v in _features(df, names, SEVEN).items()}
    df = df[df["emotion"].isin(SEVEN)].reset_index(drop=True)
    y, corpus = df["emotion"].to_numpy(), df["corpus"].to_numpy()
    train, test = refb_split(y)
    rows, members, spk_members = [], {}, {}
    for name in variants:
        if name in VOTES:
            rows.append(_vote(name, sets, members, y, corpus, train, test))
            continue
        if name in SPK_VOTES:
            rows.append(_spk_vote(name, sets, spk_members, y, corpus, train, test))
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
    rows += _earlier_rows({r["pipeline"] for r in rows})
    md = ["| variant | accuracy | macro F1 | UAR | epochs | training time |",
          "|---|---|---|---|---|---|"]
    md += [f"| {r['pipeline']}{' (an earlier run)' * ('carried_over_from' in r)} "
           f"| {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['uar']:.3f} "
           f"| {r['epochs_run']} | {r['fit_seconds']:.0f} s |" for r in rows]
    return {"rows": rows, "markdown": "\n".join(md)}


def _earlier_rows(names: set) -> list[dict]:
    """The rows of the last results that this run did not measure, marked as carried over.

    Each run measures the variants it is asked for; the others keep their last measured
    row (with the command and machine that measured them), so the results file holds every
    variant's latest figures.
    """
    import json

    from ._common import RESULTS

    path = RESULTS / "refb_variants.json"
    if not path.exists():
        return []
    earlier = json.loads(path.read_text())
    carried = []
    for row in earlier.get("rows", []):
        if row["pipeline"] not in names:
            row.setdefault("carried_over_from", {"command": earlier.get("command"),
                                                 "machine": earlier.get("machine")})
            carried.append(row)
    return carried


#: Vote variant -> its members: (feature set, recipe whose classifier steps are trained).
VOTES = {"ensemble": (("mel", "mel-cnn2d"), ("stats", "svc")),
         "vote3": (("mel", "mel-cnn2d"), ("stats", "svc"), ("mfcc", "mfcc-cnn2d"))}


def _member(feature: str, recipe: str):
    """The classifier steps of a vote member, as in recipe mel-cnn2d+stats-svc."""
    from sklearn.base import clone

    from skser.recipes import make_recipe

    if recipe == "svc":  # mel-cnn2d+stats-svc's SVC member: StandardScaler -> calibrated SVC
        (_, _), (_, svc_pipe) = make_recipe("mel-cnn2d+stats-svc")[-1].estimators
        return clone(svc_pipe[1:])
    return clone(make_recipe(recipe)[-1])  # the CNN2DClassifier, random_state=0


def _vote(name, sets, members, y, corpus, train, test) -> dict:
    """A soft vote of ``VOTES[name]``, each member trained on its extracted features once."""
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
    return _scored_vote(name, VOTES[name], classes, probas, seconds, y[test], corpus[test])


def _scored_vote(name, members, classes, probas, seconds, y_test, corpus_test) -> dict:
    """The row of a soft vote: the mean of its members' probabilities, scored."""
    rep = _report(y_test, classes[np.mean(probas, axis=0).argmax(axis=1)], corpus_test)
    print(f"{name}: acc {rep['accuracy']:.3f} F1 {rep['macro_f1']:.3f} UAR {rep['uar']:.3f} "
          f"(members trained in {seconds:.0f} s)", flush=True)
    label = " + ".join(f"{member} ({feature})" for feature, member in members)
    return _row(f"soft vote {name}: {label}", rep, seconds, epochs_run="-")


#: Variants of mel-cnn2d+spk-svc's vote -> its members: (feature set, member name).
SPK_VOTES = {"spk": (("mel", "cnn"), ("stats+speaker", "spk-svc")),
             "spk-c3": (("mel", "cnn"), ("stats+speaker", "spk-svc-c3")),
             "spk-prosody": (("mel", "cnn"), ("prosody+speaker", "spk-svc")),
             "spk+mlp": (("mel", "cnn"), ("stats+speaker", "spk-svc"), ("stats+speaker", "mlp")),
             "spk+lr": (("mel", "cnn"), ("stats+speaker", "spk-svc"), ("stats+speaker", "lr")),
             "spk-cnn2": (("mel", "cnn+cnn-seed1"), ("stats+speaker", "spk-svc")),
             "spk+mfcc": (("mel", "cnn"), ("stats+speaker", "spk-svc"), ("mfcc", "mfcc-cnn")),
             "spk-cnn2+mfcc": (("mel", "cnn+cnn-seed1"), ("stats+speaker", "spk-svc"),
                               ("mfcc", "mfcc-cnn"))}


def _spk_member(member: str):
    """The unfitted model of a member of ``SPK_VOTES``."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    from skser.svm import SVC

    from .bench_protocols import _cnn2d, _spk, _svc_calibrated

    if member == "cnn":
        return _cnn2d()
    if member == "cnn-seed1":  # mel-cnn2d's CNN with another seed
        return _cnn2d(random_state=1)
    if member == "mfcc-cnn":  # mfcc-cnn2d's CNN is mel-cnn2d's, on MFCCs
        return _cnn2d()
    if member == "spk-svc":
        return _spk(_svc_calibrated)()
    model = _spk(_svc_calibrated)()
    final = {"spk-svc-c3": CalibratedClassifierCV(SVC(C=3.0), ensemble=False),
             "mlp": MLPClassifier((256,), alpha=1e-2, early_stopping=True, max_iter=300,
                                  random_state=0),
             "lr": LogisticRegression(C=0.1, max_iter=2000)}[member]
    model.steps[-1] = (model.steps[-1][0], final)
    return model


def _spk_vote(name, sets, members, y, corpus, train, test) -> dict:
    """A soft vote of ``SPK_VOTES[name]``, each member trained once per run (``members``:
    (feature set, member) -> what :func:`~benchmarks.bench_protocols._fit_predict` returned)."""
    from .bench_protocols import _fit_predict

    labels = np.unique(y)
    probas, seconds = [], 0.0
    for feature, member in SPK_VOTES[name]:
        # "a+b": one member, the mean of the probabilities of a and b.
        parts = []
        for part in member.split("+"):
            if (feature, part) not in members:
                members[feature, part] = _fit_predict(_spk_member(part), sets[feature], y,
                                                      train, test, labels)
            parts.append(members[feature, part])
        proba = np.mean([part[1] for part in parts], axis=0)
        fit_s = sum(part[2] for part in parts)
        member_rep = _report(y[test], labels[proba.argmax(axis=1)], corpus[test])
        print(f"  member {member} on {feature}: acc {member_rep['accuracy']:.3f} "
              f"({fit_s:.0f} s)", flush=True)
        probas.append(proba)
        seconds += fit_s
    return _scored_vote(name, SPK_VOTES[name], labels, probas, seconds, y[test], corpus[test])
