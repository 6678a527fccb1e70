"""Bootstrap confidence intervals: from per-file labels and from a confusion matrix."""

from __future__ import annotations

import numpy as np
import pytest

from skser._bootstrap import METRICS, bootstrap_ci, bootstrap_ci_from_confusion
from skser.exceptions import InputTypeError, LabelError, SkserError
from skser.metrics import emotion_report

#: Three emotions, 300 files: row = true, column = predicted.
CM = np.array([[80, 15, 5],
               [10, 60, 30],
               [5, 25, 70]])
LABELS = np.array(["angry", "happy", "sad"])


def _labels_of(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-file true and predicted labels with the counts of ``cm``."""
    true, pred = np.nonzero(cm)
    repeats = cm[true, pred]
    return np.repeat(LABELS[true], repeats), np.repeat(LABELS[pred], repeats)


@pytest.mark.parametrize("metric", METRICS)
def test_labels_and_confusion_matrix_give_the_same_interval_in_distribution(metric):
    # Resampling the files and drawing the cells from a multinomial are the same
    # distribution: with many resamples the two intervals agree to Monte Carlo error.
    y_true, y_pred = _labels_of(CM)
    from_labels = bootstrap_ci(y_true, y_pred, metric, n_resamples=5000, random_state=1)
    from_cm = bootstrap_ci_from_confusion(CM, metric, n_resamples=5000, random_state=2)
    np.testing.assert_allclose(from_labels, from_cm, atol=0.01)
    # and the interval is not degenerate: its width is that of a binomial-like score
    assert 0.05 < from_cm[1] - from_cm[0] < 0.2


@pytest.mark.parametrize("metric", METRICS)
def test_interval_contains_the_point_estimate(metric):
    y_true, y_pred = _labels_of(CM)
    point = emotion_report(y_true, y_pred)[metric]
    for low, high in (bootstrap_ci(y_true, y_pred, metric),
                      bootstrap_ci_from_confusion(CM, metric)):
        assert low < point < high


@pytest.mark.parametrize("metric", METRICS)
def test_interval_shrinks_with_the_number_of_files(metric):
    widths = [np.diff(bootstrap_ci_from_confusion(CM * scale, metric))[0]
              for scale in (1, 4, 16)]
    assert widths[0] > widths[1] > widths[2] > 0
    # about 1 / sqrt(n): four times the files, half the width
    assert widths[0] / widths[1] == pytest.approx(2, rel=0.25)


def test_higher_confidence_gives_a_wider_interval():
    low90, high90 = bootstrap_ci_from_confusion(CM, confidence=0.90)
    low99, high99 = bootstrap_ci_from_confusion(CM, confidence=0.99)
    assert low99 < low90 < high90 < high99


def test_seeded_intervals_are_reproducible():
    y_true, y_pred = _labels_of(CM)
    assert bootstrap_ci(y_true, y_pred) == bootstrap_ci(y_true, y_pred)
    assert bootstrap_ci_from_confusion(CM, random_state=3) == \
        bootstrap_ci_from_confusion(CM, random_state=3)
    assert bootstrap_ci_from_confusion(CM, random_state=3) != \
        bootstrap_ci_from_confusion(CM, random_state=4)
    # a RandomState is used as given, as scikit-learn's random_state
    assert bootstrap_ci_from_confusion(CM, random_state=np.random.RandomState(5)) == \
        bootstrap_ci_from_confusion(CM, random_state=5)


def test_perfect_predictions_and_a_single_label():
    assert bootstrap_ci(["sad", "angry"] * 10, ["sad", "angry"] * 10) == (1.0, 1.0)
    assert bootstrap_ci_from_confusion([[7]], "macro_f1") == (1.0, 1.0)
    # float counts (as read back from JSON) are counts
    assert bootstrap_ci_from_confusion(CM.astype(float)) == bootstrap_ci_from_confusion(CM)


def test_uar_averages_the_labels_present_in_each_resample():
    # A label with a single file is missing from many resamples: those average the
    # recall of the other labels (balanced accuracy), never divide by zero.
    cm = np.array([[40, 0], [0, 1]])
    low, high = bootstrap_ci_from_confusion(cm, "uar")
    assert (low, high) == (1.0, 1.0)
    y_true = ["a"] * 30 + ["b"]
    y_pred = ["a"] * 29 + ["b", "a"]
    low, high = bootstrap_ci(y_true, y_pred, "uar", n_resamples=500)
    assert 0 <= low <= high <= 1


def test_labels_predicted_but_never_true_count_in_macro_f1():
    # as in emotion_report: F1 averages over the labels of y_true and y_pred
    y_true = ["sad"] * 20
    y_pred = ["sad"] * 18 + ["angry"] * 2
    point = emotion_report(y_true, y_pred)["macro_f1"]
    low, high = bootstrap_ci(y_true, y_pred, "macro_f1")
    assert high <= 0.5 and low <= point <= high


@pytest.mark.parametrize("kwargs, match", [
    ({"metric": "f1"}, "metric must be one of"),
    ({"n_resamples": 0}, "n_resamples must be a positive integer"),
    ({"n_resamples": 10.5}, "n_resamples must be a positive integer"),
    ({"n_resamples": True}, "n_resamples must be a positive integer"),
    ({"confidence": 95}, "strictly between 0 and 1"),
    ({"confidence": 0.0}, "strictly between 0 and 1"),
    ({"confidence": 1.0}, "strictly between 0 and 1"),
    ({"confidence": "0.95"}, "strictly between 0 and 1"),
])
def test_invalid_parameters_are_refused(kwargs, match):
    with pytest.raises(SkserError, match=match):
        bootstrap_ci(["a", "b"], ["a", "b"], **kwargs)
    with pytest.raises(SkserError, match=match):
        bootstrap_ci_from_confusion(CM, **kwargs)


@pytest.mark.parametrize("y_true, y_pred, match", [
    (["a", "b"], ["a"], "different lengths"),
    ([], [], "empty"),
    ([["a", "b"]], [["a", "b"]], "must be 1-D"),
])
def test_invalid_labels_are_refused(y_true, y_pred, match):
    with pytest.raises(LabelError, match=match):
        bootstrap_ci(y_true, y_pred)


@pytest.mark.parametrize("cm, match", [
    ([[1, 2, 3], [4, 5, 6]], "must be square"),
    ([1, 2], "must be square"),
    (np.zeros((0, 0)), "must be square"),
    ([[1, -1], [0, 2]], "negative count -1 at row 0, column 1"),
    ([[1, 0.5], [0, 2]], "fractional count 0.5 at row 0, column 1"),
    ([[1, 0], [np.nan, 2]], "non-finite count nan at row 1, column 0"),
    ([[0, 0], [0, 0]], "counts no file"),
])
def test_invalid_confusion_matrices_are_refused(cm, match):
    with pytest.raises(LabelError, match=match):
        bootstrap_ci_from_confusion(cm)


def test_a_matrix_of_words_is_refused_as_a_type_error():
    with pytest.raises(InputTypeError, match="must hold numbers") as info:
        bootstrap_ci_from_confusion([["many", "few"], ["few", "many"]])
    assert isinstance(info.value, (SkserError, TypeError))
