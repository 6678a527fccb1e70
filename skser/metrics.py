"""Evaluation of emotion classifiers: :func:`emotion_report`, :func:`format_report` and
:func:`chance_level`.

The field's headline number is the unweighted average recall (UAR): the mean of
the per-emotion recalls, i.e. scikit-learn's balanced accuracy. Unlike
accuracy it does not reward predicting the most frequent emotion, which
matters because every corpus has fewer neutral (or calm) files than others.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, precision_recall_fscore_support
from sklearn.utils.multiclass import unique_labels

from ._bootstrap import bootstrap_ci, bootstrap_ci_from_confusion, check_label_vectors
from .exceptions import LabelError

__all__ = ["bootstrap_ci", "bootstrap_ci_from_confusion", "chance_level", "emotion_report",
           "format_report"]


def _check_predictions(y_true, y_pred, labels=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate a pair of label vectors and the label order used to report them.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : sequence, optional
        Label order; default: the sorted union of both vectors.

    Returns
    -------
    y_true, y_pred, labels : ndarray

    Raises
    ------
    skser.exceptions.LabelError
        If the vectors are empty, not 1-D, of different lengths, or hold a label
        missing from ``labels``.
    """
    y_true, y_pred = check_label_vectors(y_true, y_pred, empty="nothing to evaluate")
    if labels is None:
        labels = unique_labels(y_true, y_pred)
    else:
        labels = np.asarray(labels)
        for name, y in (("y_true", y_true), ("y_pred", y_pred)):
            unknown = sorted(set(y.tolist()) - set(labels.tolist()), key=str)
            if unknown:
                raise LabelError(f"{name} holds labels not in labels: {unknown}")
    return y_true, y_pred, labels


def _confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Counts, row = true label, column = predicted, in ``labels`` order.

    Unlike scikit-learn's, it does not warn when there is a single label (a
    legitimate case here, e.g. one corpus of one emotion).
    """
    index = {label: i for i, label in enumerate(labels.tolist())}
    cm = np.zeros((len(labels), len(labels)), dtype=np.int64)
    rows = [index[label] for label in y_true.tolist()]
    cols = [index[label] for label in y_pred.tolist()]
    np.add.at(cm, (rows, cols), 1)
    return cm


def _summary(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray) -> dict:
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    present = support > 0
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1.mean()),
        # Recall is undefined for labels absent from y_true: average the others,
        # which is exactly balanced accuracy.
        "uar": float(recall[present].mean()),
        "weighted_f1": float(np.average(f1, weights=support)),
        "per_class": {
            str(label): {
                "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
    }


def emotion_report(y_true, y_pred, *, labels: Sequence | np.ndarray | None = None,
                   groups=None) -> dict:
    """Summarise predictions: accuracy, UAR, F1 scores, per-emotion table, confusions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted emotions.
    labels : sequence, optional
        Emotions to report, in this order (rows and columns of the confusion
        matrix); default: the sorted union of ``y_true`` and ``y_pred``.
    groups : array-like of shape (n_samples,), optional
        A group per sample, e.g. the ``corpus`` or ``speaker`` column: adds a
        per-group breakdown.

    Returns
    -------
    dict
        JSON-serialisable (plain ``float``, ``int``, ``str`` and lists):

        - ``n_samples`` : int
        - ``accuracy`` : float, fraction of correct predictions
        - ``uar`` : float, unweighted average recall (balanced accuracy) over
          the labels present in ``y_true``
        - ``macro_f1`` : float, mean F1 over ``labels``
        - ``weighted_f1`` : float, F1 averaged with support weights
        - ``per_class`` : dict label -> {precision, recall, f1, support}
        - ``labels`` : list of str, the order of ``confusion_matrix``
        - ``confusion_matrix`` : list of lists of int; row = true, column =
          predicted
        - ``per_group`` (with ``groups``) : dict group -> {accuracy, macro_f1,
          uar, n}; each group's macro F1 is over the labels occurring in that
          group (true or predicted), so a corpus without "calm" is not scored
          on it.

    Raises
    ------
    skser.exceptions.LabelError
        If the inputs are empty or their lengths differ, or a label is missing
        from ``labels``.

    See Also
    --------
    format_report : the report as a text table.
    skser.plotting.plot_confusion_matrix

    Examples
    --------
    >>> from skser.metrics import emotion_report
    >>> y_true = ["sad"] * 8 + ["angry"] * 2
    >>> y_pred = ["sad"] * 10
    >>> report = emotion_report(y_true, y_pred)
    >>> report["accuracy"], report["uar"]
    (0.8, 0.5)
    """
    y_true, y_pred, labels = _check_predictions(y_true, y_pred, labels)
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape != y_true.shape:
            raise LabelError(
                f"groups must have one value per sample: got {len(groups)} groups for "
                f"{len(y_true)} samples"
            )
    report = {"n_samples": int(len(y_true)), **_summary(y_true, y_pred, labels)}
    report["labels"] = [str(label) for label in labels]
    report["confusion_matrix"] = _confusion_matrix(y_true, y_pred, labels).tolist()
    if groups is not None:
        report["per_group"] = {}
        for group in unique_labels(groups):
            mask = groups == group
            present = np.isin(labels, np.concatenate([y_true[mask], y_pred[mask]]))
            summary = _summary(y_true[mask], y_pred[mask], labels[present])
            report["per_group"][str(group)] = {
                "accuracy": summary["accuracy"], "macro_f1": summary["macro_f1"],
                "uar": summary["uar"], "n": int(mask.sum()),
            }
    return report


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    line = "  ".join([f"{{:<{widths[0]}}}"] + [f"{{:>{w}}}" for w in widths[1:]])
    return [line.format(*header)] + [line.format(*row) for row in rows]


def format_report(report: dict) -> str:
    """Render an :func:`emotion_report` as a plain-text table.

    Parameters
    ----------
    report : dict
        The output of :func:`emotion_report` (or the same loaded from JSON).

    Returns
    -------
    str
        An overall line, a per-emotion table, a per-group table (when the
        report has one) and the confusion matrix with true labels as rows and
        predicted labels as columns.

    Examples
    --------
    >>> from skser.metrics import emotion_report, format_report
    >>> print(format_report(emotion_report(["sad", "angry"], ["sad", "sad"])))
    n=2  accuracy=0.500  UAR=0.500  macro F1=0.333  weighted F1=0.333
    <BLANKLINE>
    emotion  precision  recall     f1  support
    angry        0.000   0.000  0.000        1
    sad          0.500   1.000  0.667        1
    <BLANKLINE>
    confusion matrix (rows: true, columns: predicted)
    true \\ pred  angry  sad
    angry            0    1
    sad              0    1
    """
    lines = [
        f"n={report['n_samples']}  accuracy={report['accuracy']:.3f}  "
        f"UAR={report['uar']:.3f}  macro F1={report['macro_f1']:.3f}  "
        f"weighted F1={report['weighted_f1']:.3f}",
        "",
    ]
    lines += _table(
        ["emotion", "precision", "recall", "f1", "support"],
        [[label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}",
          str(m["support"])] for label, m in report["per_class"].items()],
    )
    if report.get("per_group"):
        lines += [""] + _table(
            ["group", "accuracy", "UAR", "macro F1", "n"],
            [[group, f"{m['accuracy']:.3f}", f"{m['uar']:.3f}", f"{m['macro_f1']:.3f}",
              str(m["n"])] for group, m in report["per_group"].items()],
        )
    labels = report["labels"]
    lines += ["", "confusion matrix (rows: true, columns: predicted)"]
    lines += _table(
        ["true \\ pred", *labels],
        [[label, *map(str, row)] for label, row in zip(labels, report["confusion_matrix"])],
    )
    return "\n".join(lines)


def chance_level(y_true) -> dict:
    """The scores to beat: those of a classifier that ignores its input.

    Always predicting the most frequent label scores its share of the
    samples as accuracy; any constant prediction, and guessing at random,
    scores ``1 / n_classes`` as UAR (one class fully recalled, the others not
    at all, or every class recalled at random).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true labels of the evaluation set.

    Returns
    -------
    dict
        - ``accuracy`` : float, the share of the most frequent label
        - ``majority_class`` : str, that label (the first of those tied)
        - ``uar`` : float, ``1 / n_classes``
        - ``n_classes`` : int, the labels present in ``y_true``

    Raises
    ------
    skser.exceptions.LabelError
        If ``y_true`` is empty.

    See Also
    --------
    emotion_report : the scores of actual predictions.

    Examples
    --------
    >>> from skser.metrics import chance_level
    >>> chance_level(["sad", "sad", "sad", "happy"])
    {'accuracy': 0.75, 'majority_class': 'sad', 'uar': 0.5, 'n_classes': 2}
    """
    counts = pd.Series(y_true).value_counts()
    if len(counts) == 0:
        raise LabelError("chance_level needs at least one label, got none")
    return {
        "accuracy": float(counts.iloc[0] / counts.sum()),
        "majority_class": str(counts.index[0]),
        "uar": 1 / len(counts),
        "n_classes": len(counts),
    }
