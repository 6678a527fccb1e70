"""Bootstrap confidence intervals of accuracy, UAR and macro F1.

A test set is one draw of files from the population a model will meet; the
bootstrap estimates how much a score would move with another draw of the same
size by resampling the test files with replacement. Every score here is a
function of the confusion matrix alone, and resampling ``n`` files with
replacement is a multinomial draw of ``n`` files over the matrix's cells (with
the cells' observed frequencies as probabilities). So
:func:`bootstrap_ci_from_confusion` gives the interval from a stored confusion
matrix, without the per-file predictions, and :func:`bootstrap_ci` (which
resamples the files themselves) gives intervals of the same distribution.

The interval is the percentile interval of the resampled scores. It measures
the uncertainty due to the choice of test files only: not the variation
between trainings of a network, and not the correlation between the files of
one speaker (files are resampled one by one).
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from .exceptions import InputTypeError, LabelError, SkserError

__all__ = ["bootstrap_ci", "bootstrap_ci_from_confusion"]

#: The scores a confidence interval can be computed for.
METRICS = ("accuracy", "uar", "macro_f1")

# Resamples drawn per batch by bootstrap_ci: bounds its memory to this many times
# the number of files (int64 indices).
_BATCH = 64


def bootstrap_ci(
    y_true,
    y_pred,
    metric: str = "uar",
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state=0,
) -> tuple[float, float]:
    """Bootstrap confidence interval of a score, resampling the files.

    Draws ``n_resamples`` test sets of ``len(y_true)`` files with replacement,
    scores each, and returns the percentile interval of the scores.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (emotions), one per file.
    metric : {"uar", "accuracy", "macro_f1"}, default="uar"
        The score: unweighted average recall (the mean of the per-label
        recalls over the labels present in the resample's ``y_true``, i.e.
        balanced accuracy), the fraction of correct predictions, or the mean
        F1 over the labels of ``y_true`` and ``y_pred``; as in
        :func:`skser.metrics.emotion_report`.
    n_resamples : int, default=1000
        Number of bootstrap resamples.
    confidence : float, default=0.95
        Coverage of the interval, strictly between 0 and 1.
    random_state : int, RandomState instance or None, default=0
        Seed of the resampling; the default gives the same interval on every
        call.

    Returns
    -------
    low, high : float
        The ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles of
        the resampled scores.

    Raises
    ------
    skser.exceptions.LabelError
        If ``y_true`` and ``y_pred`` are empty, not 1-D, or of different
        lengths.
    skser.exceptions.SkserError
        If ``metric``, ``n_resamples`` or ``confidence`` is invalid.

    See Also
    --------
    bootstrap_ci_from_confusion : the same interval from a confusion matrix.

    Examples
    --------
    >>> from skser._bootstrap import bootstrap_ci
    >>> y_true = ["sad"] * 60 + ["angry"] * 40
    >>> y_pred = ["sad"] * 50 + ["angry"] * 10 + ["angry"] * 30 + ["sad"] * 10
    >>> low, high = bootstrap_ci(y_true, y_pred, "accuracy")
    >>> print(f"accuracy 0.80, 95 % CI {low:.2f} to {high:.2f}")
    accuracy 0.80, 95 % CI 0.72 to 0.88
    """
    metric, n_resamples, confidence = _check_params(metric, n_resamples, confidence)
    y_true, y_pred = check_label_vectors(y_true, y_pred, empty="no file to resample")
    labels, codes = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
    n, k = len(y_true), len(labels)
    # One code per file: its (true, predicted) cell of the confusion matrix.
    cells = codes[:n] * k + codes[n:]
    rng = check_random_state(random_state)
    counts = np.empty((n_resamples, k * k), dtype=np.int64)
    for start in range(0, n_resamples, _BATCH):
        stop = min(start + _BATCH, n_resamples)
        drawn = cells[rng.randint(0, n, size=(stop - start, n))]
        offsets = np.arange(stop - start)[:, None] * (k * k)
        counts[start:stop] = np.bincount(
            (drawn + offsets).ravel(), minlength=(stop - start) * k * k
        ).reshape(stop - start, k * k)
    return _interval(_SCORES[metric](counts.reshape(-1, k, k)), confidence)


def bootstrap_ci_from_confusion(
    confusion_matrix,
    metric: str = "uar",
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state=0,
) -> tuple[float, float]:
    """Bootstrap confidence interval of a score from its confusion matrix.

    Resampling the ``n`` files of a test set with replacement is a
    multinomial draw of ``n`` files over the confusion matrix's cells, each
    with its observed frequency: all ``n_resamples`` matrices are drawn at
    once, and the interval is the percentile interval of their scores. It has
    the same distribution as :func:`bootstrap_ci` on the per-file labels.

    Parameters
    ----------
    confusion_matrix : array-like of shape (n_labels, n_labels)
        Counts of files, row = true label, column = predicted label (as in
        :func:`skser.metrics.emotion_report`'s ``"confusion_matrix"``).
        Non-negative whole numbers (floats such as ``3.0`` are accepted).
    metric : {"uar", "accuracy", "macro_f1"}, default="uar"
        The score; see :func:`bootstrap_ci`. Macro F1 averages over every
        label of the matrix.
    n_resamples : int, default=1000
        Number of bootstrap resamples.
    confidence : float, default=0.95
        Coverage of the interval, strictly between 0 and 1.
    random_state : int, RandomState instance or None, default=0
        Seed of the resampling; the default gives the same interval on every
        call.

    Returns
    -------
    low, high : float
        The ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles of
        the resampled scores.

    Raises
    ------
    skser.exceptions.InputTypeError
        If the matrix does not hold numbers.
    skser.exceptions.LabelError
        If the matrix is not square, is empty, counts no file, or holds
        negative, fractional or non-finite counts.
    skser.exceptions.SkserError
        If ``metric``, ``n_resamples`` or ``confidence`` is invalid.

    See Also
    --------
    bootstrap_ci : the same interval from per-file labels.

    Examples
    --------
    >>> from skser._bootstrap import bootstrap_ci_from_confusion
    >>> cm = [[50, 10],   # true sad: 50 predicted sad, 10 angry
    ...       [10, 30]]   # true angry
    >>> low, high = bootstrap_ci_from_confusion(cm, "uar")
    >>> print(f"UAR 0.79, 95 % CI {low:.2f} to {high:.2f}")
    UAR 0.79, 95 % CI 0.71 to 0.87
    """
    metric, n_resamples, confidence = _check_params(metric, n_resamples, confidence)
    cm = _check_confusion(confusion_matrix)
    n, k = int(cm.sum()), cm.shape[0]
    rng = check_random_state(random_state)
    counts = rng.multinomial(n, cm.ravel() / n, size=n_resamples)
    return _interval(_SCORES[metric](counts.reshape(-1, k, k)), confidence)


# -- scores of a stack of confusion matrices (n_resamples, n_labels, n_labels) ---------------
def _accuracy(cm: np.ndarray) -> np.ndarray:
    return np.trace(cm, axis1=1, axis2=2) / cm.sum(axis=(1, 2))


def _uar(cm: np.ndarray) -> np.ndarray:
    support = cm.sum(axis=2)
    present = support > 0
    recall = np.diagonal(cm, axis1=1, axis2=2) / np.where(present, support, 1)
    return (recall * present).sum(axis=1) / present.sum(axis=1)


def _macro_f1(cm: np.ndarray) -> np.ndarray:
    # F1 = 2 TP / (2 TP + FP + FN) = 2 TP / (true count + predicted count); 0 for a label
    # neither true nor predicted in a resample (scikit-learn's zero_division=0).
    denominator = cm.sum(axis=2) + cm.sum(axis=1)
    f1 = 2 * np.diagonal(cm, axis1=1, axis2=2) / np.where(denominator > 0, denominator, 1)
    return f1.mean(axis=1)


_SCORES = {"accuracy": _accuracy, "uar": _uar, "macro_f1": _macro_f1}


def _interval(scores: np.ndarray, confidence: float) -> tuple[float, float]:
    low, high = np.quantile(scores, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(low), float(high)


# -- validation ---------------------------------------------------------------------------------
def _check_params(metric, n_resamples, confidence) -> tuple[str, int, float]:
    if metric not in METRICS:
        raise SkserError(f"metric must be one of {list(METRICS)}, got {metric!r}")
    if (not isinstance(n_resamples, numbers.Integral) or isinstance(n_resamples, bool)
            or n_resamples < 1):
        raise SkserError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    if (not isinstance(confidence, numbers.Real) or isinstance(confidence, bool)
            or not 0 < float(confidence) < 1):
        raise SkserError(
            f"confidence must be a number strictly between 0 and 1 (e.g. 0.95), "
            f"got {confidence!r}"
        )
    return metric, int(n_resamples), float(confidence)


def check_label_vectors(y_true, y_pred, *, empty: str) -> tuple[np.ndarray, np.ndarray]:
    """``y_true`` and ``y_pred`` as 1-D arrays of one length, or a LabelError;
    ``empty`` says why an empty pair is refused."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.ndim != 1:
        raise LabelError(
            f"y_true and y_pred must be 1-D, got shapes {y_true.shape} and {y_pred.shape}"
        )
    if len(y_true) != len(y_pred):
        raise LabelError(
            f"y_true and y_pred have different lengths ({len(y_true)} and {len(y_pred)}); "
            "pass one prediction per true label"
        )
    if len(y_true) == 0:
        raise LabelError(f"y_true and y_pred are empty: {empty}")
    return y_true, y_pred


def _check_confusion(confusion_matrix) -> np.ndarray:
    try:
        cm = np.asarray(confusion_matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            f"confusion_matrix must hold numbers (counts of files): {exc}"
        ) from None
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise LabelError(
            "confusion_matrix must be square, one row and one column per label "
            f"(row = true, column = predicted), got shape {cm.shape}"
        )
    for bad, what in ((~np.isfinite(cm), "non-finite"), (cm < 0, "negative"),
                      (cm != np.round(cm), "fractional")):
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise LabelError(
                "confusion_matrix must hold counts of files (non-negative whole numbers), "
                f"got a {what} count {cm[row, col]:g} at row {row}, column {col}"
            )
    if cm.sum() == 0:
        raise LabelError("confusion_matrix counts no file: nothing to resample")
    return cm.astype(np.int64)
