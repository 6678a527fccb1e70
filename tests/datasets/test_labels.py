"""map_labels: merging, dropping and keeping emotions, with a summary of what changed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from skser.datasets import map_labels, parse_label_map
from skser.exceptions import LabelError

LABELS = ["calm", "neutral", "sad", "surprised", "calm", "angry", "sad"]


@pytest.fixture
def corpus():
    return pd.DataFrame({
        "path": [f"/c/{i}.wav" for i in range(len(LABELS))],
        "emotion": LABELS,
        "speaker": ["s1", "s1", "s2", "s2", "s3", "s3", "s3"],
        "corpus": "ravdess",
    }, index=np.arange(10, 10 + len(LABELS)))


def test_map_drop_keep_on_a_dataframe(corpus):
    result, summary = map_labels(corpus, mapping={"calm": "neutral"}, drop=["surprised"],
                                 keep=["neutral", "sad", "happy"])
    assert result["emotion"].tolist() == ["neutral", "neutral", "sad", "neutral", "sad"]
    assert result.index.tolist() == [10, 11, 12, 14, 16]  # the remaining rows' index
    assert result["speaker"].tolist() == ["s1", "s1", "s2", "s3", "s3"]
    assert corpus["emotion"].tolist() == LABELS  # the input is left unchanged
    assert summary == {
        "n_before": 7, "n_after": 5,
        "mapped": {"calm": {"to": "neutral", "n": 2}},
        "dropped": {"surprised": {"n": 1, "reason": "drop"},
                    "angry": {"n": 1, "reason": "not in keep"}},
    }
    json.dumps(summary)  # plain types only


def test_labels_series_and_no_op():
    result, summary = map_labels(np.array(LABELS))
    assert isinstance(result, np.ndarray) and result.tolist() == LABELS
    assert summary == {"n_before": 7, "n_after": 7, "mapped": {}, "dropped": {}}
    series = pd.Series(LABELS, index=list("abcdefg"))
    result, _ = map_labels(series, drop="sad")
    assert isinstance(result, pd.Series)
    assert result.index.tolist() == ["a", "b", "d", "e", "f"] and "sad" not in set(result)


def test_chained_merges_are_not_applied_twice():
    # calm -> neutral and neutral -> sad: each row is mapped from its original label
    result, summary = map_labels(["calm", "neutral"], mapping={"calm": "neutral",
                                                               "neutral": "sad"})
    assert result.tolist() == ["neutral", "sad"]
    assert summary["mapped"] == {"calm": {"to": "neutral", "n": 1},
                                 "neutral": {"to": "sad", "n": 1}}


def test_vocabulary_labels_absent_from_the_data_count_zero():
    result, summary = map_labels(["sad", "angry"], mapping={"calm": "neutral"},
                                 drop=["disgust"])
    assert result.tolist() == ["sad", "angry"]
    assert summary["mapped"]["calm"]["n"] == 0 and summary["dropped"]["disgust"]["n"] == 0


def test_custom_labels_of_the_data_are_known():
    result, summary = map_labels(["bored", "sad", "bored"], mapping={"bored": "sad"})
    assert result.tolist() == ["sad", "sad", "sad"]
    assert summary["mapped"]["bored"]["n"] == 2


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mapping": {"calm": "nuetral"}}, "mapping target 'nuetral'"),
    ({"mapping": {"calm": "sadness"}}, "did you mean 'sad'"),
    ({"mapping": {"clam": "neutral"}}, "mapping source 'clam'"),
    ({"drop": ["gleeful"]}, "dropped label 'gleeful'"),
    ({"mapping": {"calm": "angry"}, "keep": ["neutral", "sad"]},
     "'angry' is not one of the labels to keep: neutral, sad"),
    ({"mapping": {"calm": "neutral"}, "drop": ["calm"]}, "both mapped and dropped"),
    ({"mapping": {"calm": "neutral"}, "drop": ["neutral"]}, "both mapped and dropped"),
])
def test_unknown_or_contradictory_labels_raise(corpus, kwargs, match):
    with pytest.raises(LabelError, match=match):
        map_labels(corpus, **kwargs)


def test_dataframe_without_emotion_column():
    with pytest.raises(LabelError, match="'emotion' column"):
        map_labels(pd.DataFrame({"label": ["sad"]}))


def test_parse_label_map():
    assert parse_label_map(None) == {} and parse_label_map([]) == {}
    assert parse_label_map(["calm=neutral", " surprised = happy ,boredom=neutral,"]) == {
        "calm": "neutral", "surprised": "happy", "boredom": "neutral"}
    assert parse_label_map("calm=neutral,calm=neutral") == {"calm": "neutral"}


@pytest.mark.parametrize("pairs, message", [
    (["calm"], "--map expects FROM=TO, got 'calm'"),
    (["=neutral"], "--map expects FROM=TO, got '=neutral'"),
    (["calm="], "--map expects FROM=TO, got 'calm='"),
    (["calm=neutral", "calm=sad"], "--map maps 'calm' twice: to 'neutral' and 'sad'"),
])
def test_parse_label_map_errors_name_the_option(pairs, message):
    with pytest.raises(LabelError, match=message):
        parse_label_map(pairs, name="--map")
    with pytest.raises(LabelError, match="^label map "):
        parse_label_map(pairs)
