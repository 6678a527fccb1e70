import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import GroupKFold, cross_validate

from skser.exceptions import CorpusError, SkserError
from skser.model_selection import (
    LeaveOneCorpusOut,
    check_speaker_independent,
    corpus_groups,
    speaker_groups,
    speaker_train_test_split,
)

EMOTIONS = ["neutral", "happy", "sad", "angry", "fearful", "disgust"]


@pytest.fixture
def corpus_df():
    """20 speakers in three corpora, every emotion 4 times each (no audio needed)."""
    rows = []
    for s in range(20):
        corpus = ("ravdess", "cremad", "savee")[s % 3]
        for emotion in EMOTIONS:
            for rep in range(4):
                rows.append(dict(path=f"/data/{corpus}/{s}_{emotion}_{rep}.wav", emotion=emotion,
                                 speaker=f"{corpus}_{s:02d}", corpus=corpus))
    return pd.DataFrame(rows)


def test_groups_are_the_validated_columns(corpus_df):
    np.testing.assert_array_equal(speaker_groups(corpus_df), corpus_df["speaker"].to_numpy())
    np.testing.assert_array_equal(corpus_groups(corpus_df), corpus_df["corpus"].to_numpy())


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda df: df.drop(columns="speaker"), "no 'speaker' column"),
        (lambda df: df.assign(speaker=df["speaker"].where(df.index != 3)),
         r"1 missing value\(s\), e.g. at rows \[3\]"),
        (lambda df: df["speaker"].to_numpy(), "expected a corpus DataFrame"),
    ],
    ids=["missing-column", "missing-value", "not-a-dataframe"],
)
def test_speaker_groups_reject_bad_tables(corpus_df, make, message):
    with pytest.raises(CorpusError, match=message):
        speaker_groups(make(corpus_df))


@pytest.mark.parametrize("stratify_by", ["emotion", None])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_speaker_split_keeps_speakers_apart(corpus_df, stratify_by, seed):
    train, test = speaker_train_test_split(corpus_df, test_size=0.2, random_state=seed,
                                           stratify_by=stratify_by)
    assert not set(train["speaker"]) & set(test["speaker"])
    assert len(train) + len(test) == len(corpus_df)
    assert sorted(train.index.tolist() + test.index.tolist()) == corpus_df.index.tolist()
    assert test["speaker"].nunique() == 4  # 20% of 20 speakers
    check_speaker_independent(train, test)


def test_speaker_split_roughly_preserves_class_proportions():
    # Speakers with uneven emotion mixes, so stratification has something to balance.
    rng = np.random.default_rng(0)
    mixes = ([0.2, 0.3, 0.5], [0.6, 0.3, 0.1])
    df = pd.DataFrame([
        dict(speaker=f"s{s}", emotion=rng.choice(["sad", "angry", "calm"], p=mixes[s % 2]))
        for s in range(30) for _ in range(20)
    ])
    overall = df["emotion"].value_counts(normalize=True)

    def worst_deviation(stratify_by, seed):
        _, test = speaker_train_test_split(df, test_size=0.25, random_state=seed,
                                           stratify_by=stratify_by)
        assert 0.2 < len(test) / len(df) < 0.3
        return (test["emotion"].value_counts(normalize=True) - overall).abs().max()

    stratified = [worst_deviation("emotion", seed) for seed in range(5)]
    shuffled = [worst_deviation(None, seed) for seed in range(5)]
    assert max(stratified) < 0.05
    assert np.mean(stratified) < np.mean(shuffled)


def test_speaker_split_is_reproducible(corpus_df):
    a = speaker_train_test_split(corpus_df, random_state=3)[1]
    b = speaker_train_test_split(corpus_df, random_state=3)[1]
    pd.testing.assert_frame_equal(a, b)


def test_speaker_split_needs_two_speakers_and_a_fraction(corpus_df):
    one_speaker = corpus_df[corpus_df["speaker"] == "ravdess_00"]
    with pytest.raises(CorpusError, match="at least 2 speakers, got 1"):
        speaker_train_test_split(one_speaker)
    with pytest.raises(ValueError, match="test_size must be a fraction"):
        speaker_train_test_split(corpus_df, test_size=1.5)
    with pytest.raises(CorpusError, match="no 'valence' column"):
        speaker_train_test_split(corpus_df, stratify_by="valence")


def test_check_speaker_independent_names_the_shared_speakers(corpus_df):
    train = corpus_df[corpus_df["speaker"].isin(["ravdess_00", "cremad_01", "savee_02"])]
    test = corpus_df[corpus_df["speaker"].isin(["cremad_01", "savee_02", "ravdess_03"])]
    with pytest.raises(SkserError, match="2 speaker.*'cremad_01', 'savee_02'") as info:
        check_speaker_independent(train, test)
    assert "ravdess_00" not in str(info.value)


def test_leave_one_corpus_out_gives_one_fold_per_corpus(corpus_df):
    cv = LeaveOneCorpusOut()
    assert cv.get_n_splits(corpus_df) == 3
    assert cv.get_n_splits(groups=corpus_groups(corpus_df)) == 3
    held_out = []
    for train, test in cv.split(corpus_df):
        test_corpora = set(corpus_df["corpus"].iloc[test])
        assert len(test_corpora) == 1
        assert not test_corpora & set(corpus_df["corpus"].iloc[train])
        held_out += test_corpora
    assert held_out == ["cremad", "ravdess", "savee"]


def test_leave_one_corpus_out_inside_cross_validate(corpus_df):
    result = cross_validate(DummyClassifier(), corpus_df, corpus_df["emotion"],
                            cv=LeaveOneCorpusOut(), return_indices=True)
    assert len(result["test_score"]) == 3
    with pytest.raises(ValueError, match="'groups' parameter should not be None"):
        LeaveOneCorpusOut().get_n_splits(corpus_df["path"].to_numpy())


def test_group_kfold_with_speaker_groups_is_speaker_independent(corpus_df):
    for train, test in GroupKFold(5).split(corpus_df, groups=speaker_groups(corpus_df)):
        check_speaker_independent(corpus_df.iloc[train], corpus_df.iloc[test])


def test_split_of_a_synthetic_corpus(synthetic_corpus):
    train, test = speaker_train_test_split(synthetic_corpus, test_size=0.25, random_state=0)
    check_speaker_independent(train, test)
    assert test["speaker"].nunique() == 1 and train["speaker"].nunique() == 3
