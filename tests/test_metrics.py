import json

import numpy as np
import pytest

from skser.exceptions import LabelError
from skser.metrics import chance_level, emotion_report, format_report


def test_uar_differs_from_accuracy_on_imbalanced_data():
    # Predicting the majority class: high accuracy, chance-level UAR.
    report = emotion_report(["sad"] * 8 + ["angry"] * 2, ["sad"] * 10)
    assert report["accuracy"] == pytest.approx(0.8)
    assert report["uar"] == pytest.approx(0.5)
    f1_sad = 2 * 0.8 * 1.0 / 1.8
    assert report["macro_f1"] == pytest.approx(f1_sad / 2)
    assert report["weighted_f1"] == pytest.approx(0.8 * f1_sad)
    assert report["n_samples"] == 10


def test_per_class_and_confusion_matrix_by_hand():
    y_true = ["sad", "sad", "sad", "happy", "happy", "angry"]
    y_pred = ["sad", "sad", "angry", "happy", "sad", "angry"]
    report = emotion_report(y_true, y_pred, labels=["sad", "happy", "angry"])
    assert report["labels"] == ["sad", "happy", "angry"]
    assert report["confusion_matrix"] == [[2, 0, 1], [1, 1, 0], [0, 0, 1]]
    sad = report["per_class"]["sad"]
    assert sad == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "support": 3})
    assert report["per_class"]["angry"]["precision"] == pytest.approx(0.5)
    assert report["per_class"]["happy"]["recall"] == pytest.approx(0.5)
    assert report["uar"] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert report["accuracy"] == pytest.approx(4 / 6)


def test_uar_ignores_labels_without_true_samples():
    report = emotion_report(["sad", "sad"], ["sad", "calm"], labels=["sad", "calm", "angry"])
    assert report["uar"] == pytest.approx(0.5)
    assert report["per_class"]["angry"]["support"] == 0


def test_per_group_breakdown():
    y_true = ["sad", "sad", "angry", "angry", "sad", "angry"]
    y_pred = ["sad", "angry", "angry", "angry", "sad", "sad"]
    groups = ["tess", "tess", "tess", "savee", "savee", "savee"]
    report = emotion_report(y_true, y_pred, groups=groups)
    tess, savee = report["per_group"]["tess"], report["per_group"]["savee"]
    assert tess["n"] == 3 and savee["n"] == 3
    assert tess["accuracy"] == pytest.approx(2 / 3)
    assert tess["uar"] == pytest.approx((1 / 2 + 1) / 2)
    assert savee["uar"] == pytest.approx((1 + 1 / 2) / 2)
    # F1 of each label within the group: tess sad 2/3, angry 2/3.
    assert tess["macro_f1"] == pytest.approx(2 / 3)


def test_group_macro_f1_only_over_labels_in_the_group():
    report = emotion_report(["sad", "calm"], ["sad", "calm"], groups=["tess", "ravdess"])
    assert report["per_group"]["tess"]["macro_f1"] == 1.0
    assert report["per_group"]["ravdess"]["macro_f1"] == 1.0


def test_report_is_json_serialisable_with_numpy_inputs():
    report = emotion_report(np.array([1, 2, 2]), np.array([1, 2, 1]), groups=np.array([0, 0, 1]))
    assert json.loads(json.dumps(report)) == report
    assert set(report["per_class"]) == {"1", "2"}


@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "match"),
    [
        (["sad", "sad"], ["sad"], {}, "different lengths"),
        ([], [], {}, "empty"),
        (["sad"], ["calm"], {"labels": ["sad"]}, r"y_pred holds labels not in labels: \['calm'\]"),
        (["sad", "sad"], ["sad", "sad"], {"groups": ["a"]}, "one value per sample"),
        ([["sad"]], [["sad"]], {}, "1-D"),
    ],
)
def test_bad_inputs_raise_label_error(y_true, y_pred, kwargs, match):
    with pytest.raises(LabelError, match=match):
        emotion_report(y_true, y_pred, **kwargs)


def test_format_report_lists_every_label_and_group():
    labels = ["neutral", "happy", "sad", "angry"]
    y_true = labels * 3
    y_pred = labels * 2 + ["sad", "sad", "happy", "angry"]
    report = emotion_report(y_true, y_pred, labels=labels, groups=["cremad", "tess"] * 6)
    text = format_report(report)
    lines = text.splitlines()
    assert lines[0].startswith(f"n=12  accuracy={report['accuracy']:.3f}")
    assert f"UAR={report['uar']:.3f}" in lines[0]
    for label in labels:
        # once in the per-emotion table, once as a confusion-matrix row
        assert sum(line.startswith(label + " ") for line in lines) == 2
    assert any(line.startswith("cremad") for line in lines)
    assert any(line.startswith("tess") for line in lines)
    matrix_header = next(line for line in lines if line.startswith("true \\ pred"))
    assert matrix_header.split()[3:] == labels
    # the confusion-matrix row of "neutral": 2 correct, 1 predicted "sad"
    neutral_row = [line for line in lines if line.startswith("neutral ")][-1]
    assert neutral_row.split()[1:] == ["2", "0", "1", "0"]


def test_format_report_without_groups_has_no_group_table():
    text = format_report(emotion_report(["sad", "angry"], ["sad", "sad"]))
    assert "group" not in text
    assert "confusion matrix" in text


def test_chance_level_is_the_majority_share_and_one_over_the_classes():
    chance = chance_level(np.array(["sad"] * 6 + ["angry"] * 3 + ["happy"]))
    assert chance == {"accuracy": 0.6, "majority_class": "sad", "uar": 1 / 3, "n_classes": 3}
    json.dumps(chance)
    # what always predicting the majority scores
    report = emotion_report(["sad"] * 6 + ["angry"] * 3 + ["happy"], ["sad"] * 10)
    assert report["accuracy"] == chance["accuracy"] and report["uar"] == chance["uar"]
    assert chance_level([3, 3, 1])["majority_class"] == "3"
    with pytest.raises(LabelError, match="at least one label"):
        chance_level([])
