"""The meta-classifiers: SeedEnsembleClassifier (the mean of copies of a model trained from
different seeds) and SpeakerAdaptiveClassifier (a speaker-normalizing model where a row's
speaker has statistics, a plain one elsewhere)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import SGDClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import FunctionTransformer

from skser.ensemble import SeedEnsembleClassifier
from skser.exceptions import SkserError, SpeakerNormalizationWarning
from skser.preprocessing import SpeakerNormalizer


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = np.array(["angry", "happy", "sad"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 1)]
    return X, y


def _sgd():
    return SGDClassifier(loss="log_loss", max_iter=5, tol=None)


def test_copies_get_consecutive_seeds_and_the_vote_is_their_mean(data):
    X, y = data
    clf = SeedEnsembleClassifier(_sgd(), n_estimators=3, random_state=7).fit(X, y)
    assert clf.seeds_ == [7, 8, 9]
    assert [m.random_state for m in clf.estimators_] == [7, 8, 9]
    # each copy is the estimator trained alone with its seed
    for seed, model in zip(clf.seeds_, clf.estimators_):
        alone = clone(_sgd()).set_params(random_state=seed).fit(X, y)
        np.testing.assert_array_equal(model.coef_, alone.coef_)
    members = [m.predict_proba(X) for m in clf.estimators_]
    assert not np.allclose(members[0], members[1])  # the seeds made different models
    np.testing.assert_allclose(clf.predict_proba(X), np.mean(members, axis=0))
    np.testing.assert_array_equal(clf.predict(X),
                                  clf.classes_[np.mean(members, axis=0).argmax(axis=1)])
    assert list(clf.classes_) == ["angry", "happy", "sad"]
    assert clf.n_features_in_ == 4


def test_one_copy_is_the_estimator_itself(data):
    X, y = data
    one = SeedEnsembleClassifier(_sgd(), n_estimators=1, random_state=3).fit(X, y)
    alone = _sgd().set_params(random_state=3).fit(X, y)
    np.testing.assert_allclose(one.predict_proba(X), alone.predict_proba(X))


def test_random_state_none_and_instances(data):
    X, y = data
    assert SeedEnsembleClassifier(_sgd(), n_estimators=2).fit(X, y).seeds_ == [None, None]
    a = SeedEnsembleClassifier(_sgd(), random_state=np.random.RandomState(0)).fit(X, y)
    b = SeedEnsembleClassifier(_sgd(), random_state=np.random.RandomState(0)).fit(X, y)
    assert a.seeds_ == b.seeds_ and a.seeds_[0] != a.seeds_[1]
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))


def test_the_estimators_own_seed_is_replaced(data):
    X, y = data
    a = SeedEnsembleClassifier(_sgd().set_params(random_state=99), random_state=0).fit(X, y)
    b = SeedEnsembleClassifier(_sgd(), random_state=0).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))


def test_an_estimator_without_random_state_is_refused(data):
    X, y = data
    with pytest.raises(SkserError, match="KNeighborsClassifier has none"):
        SeedEnsembleClassifier(KNeighborsClassifier()).fit(X, y)


def test_invalid_n_estimators_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="n_estimators"):
        SeedEnsembleClassifier(_sgd(), n_estimators=0).fit(X, y)


def test_fit_params_reach_every_copy(data):
    X, y = data
    weights = np.where(y == "sad", 0.0, 1.0)
    clf = SeedEnsembleClassifier(_sgd(), random_state=0).fit(X, y, sample_weight=weights)
    plain = SeedEnsembleClassifier(_sgd(), random_state=0).fit(X, y)
    for weighted, unweighted in zip(clf.estimators_, plain.estimators_):
        assert not np.allclose(weighted.coef_, unweighted.coef_)


def test_verbose_names_each_copy(data, capsys):
    X, y = data
    SeedEnsembleClassifier(_sgd(), random_state=0, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "copy 1/2 (random_state=0)" in out and "copy 2/2 (random_state=1)" in out


def test_params_and_clone():
    clf = SeedEnsembleClassifier(_sgd(), n_estimators=4, random_state=1)
    assert clf.get_params()["estimator__loss"] == "log_loss"
    clf.set_params(estimator__alpha=0.1, n_estimators=2)
    copy = clone(clf)
    assert copy.n_estimators == 2 and copy.estimator.alpha == 0.1
    assert copy.estimator is not clf.estimator


# -- SpeakerAdaptiveClassifier -------------------------------------------------------------
def _columns(df):
    return df.drop(columns="speaker").to_numpy(dtype=np.float64)


def _table(features: np.ndarray, speakers) -> pd.DataFrame:
    df = pd.DataFrame(features, columns=[f"f{i}" for i in range(features.shape[1])])
    df["speaker"] = speakers
    return df


def test_speaker_adaptive_classifier_is_still_importable_from_preprocessing():
    from skser import ensemble, preprocessing

    assert preprocessing.SpeakerAdaptiveClassifier is ensemble.SpeakerAdaptiveClassifier


def _adaptive():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skser.ensemble import SpeakerAdaptiveClassifier

    features = FunctionTransformer(_columns)
    return SpeakerAdaptiveClassifier(
        make_pipeline(SpeakerNormalizer(features, keep_raw=False), LogisticRegression()),
        make_pipeline(features, LogisticRegression()),
    )


@pytest.fixture
def speakers_apart(rng):
    # Two speakers whose voices differ far more than their emotions: only per-speaker
    # normalization separates the classes with one threshold.
    y = np.tile(["sad", "happy"], 20)
    offset = np.where(y == "happy", 1.0, -1.0)[:, None]
    voice = np.repeat([[0.0], [10.0]], 20, axis=0)
    X = _table(voice + offset + rng.normal(0, 0.3, (40, 1)), ["ann"] * 20 + ["bob"] * 20)
    return X, y


def test_adaptive_classifier_routes_rows_by_speaker_statistics(speakers_apart):
    X, y = speakers_apart
    clf = _adaptive().fit(X, y)
    assert list(clf.classes_) == ["happy", "sad"]
    normalizer = clf.estimator_[0]
    np.testing.assert_array_equal(normalizer.has_statistics(X), True)
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimator_.predict_proba(X))
    assert (clf.predict(X) == y).mean() > 0.95
    # one file of a new speaker, and input without speakers: the fallback answers
    for unknown in (X.iloc[:1].assign(speaker="cat"), X.drop(columns="speaker").assign(
            speaker=None)):
        assert not normalizer.has_statistics(unknown).any()
        with warnings.catch_warnings():
            warnings.simplefilter("error", SpeakerNormalizationWarning)
            np.testing.assert_allclose(clf.predict_proba(unknown),
                                       clf.fallback_.predict_proba(unknown))
    # a mixed batch: each row from its own model, in input order
    mixed = pd.concat([X.iloc[:3], X.iloc[[30]].assign(speaker="cat")], ignore_index=True)
    expected = np.vstack([clf.estimator_.predict_proba(mixed.iloc[:3]),
                          clf.fallback_.predict_proba(mixed.iloc[[3]])])
    np.testing.assert_allclose(clf.predict_proba(mixed), expected)


def test_new_speaker_with_enough_rows_is_adapted(speakers_apart):
    X, y = speakers_apart
    clf = _adaptive().fit(X, y)
    new = X.iloc[20:].assign(speaker="dan")  # bob's voice, under a new name: 20 rows
    assert clf.estimator_[0].has_statistics(new).all()
    assert (clf.predict(new) == y[20:]).mean() > 0.95


def test_adaptive_classifier_needs_a_speaker_normalizer(speakers_apart):
    from sklearn.linear_model import LogisticRegression

    from skser.ensemble import SpeakerAdaptiveClassifier

    X, y = speakers_apart
    with pytest.raises(SkserError, match="SpeakerNormalizer step"):
        SpeakerAdaptiveClassifier(LogisticRegression(), LogisticRegression()).fit(X, y)


def test_adaptive_classifier_predicts_with_models_without_probabilities(speakers_apart):
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    from skser.ensemble import SpeakerAdaptiveClassifier

    X, y = speakers_apart
    features = FunctionTransformer(_columns)
    clf = SpeakerAdaptiveClassifier(
        make_pipeline(SpeakerNormalizer(features, keep_raw=False), SVC()),
        make_pipeline(features, SVC()),
    ).fit(X, y)
    assert not hasattr(clf, "predict_proba")
    mixed = pd.concat([X.iloc[:3], X.iloc[[30]].assign(speaker="cat")], ignore_index=True)
    expected = np.r_[clf.estimator_.predict(mixed.iloc[:3]),
                     clf.fallback_.predict(mixed.iloc[[3]])]
    np.testing.assert_array_equal(clf.predict(mixed), expected)


def test_fallback_weight_averages_both_models_on_rows_with_statistics(speakers_apart):
    X, y = speakers_apart
    clf = _adaptive().set_params(fallback_weight=0.25).fit(X, y)
    mixed = pd.concat([X.iloc[:3], X.iloc[[30]].assign(speaker="cat")], ignore_index=True)
    known = mixed.iloc[:3]
    expected = np.vstack([0.75 * clf.estimator_.predict_proba(known)
                          + 0.25 * clf.fallback_.predict_proba(known),
                          clf.fallback_.predict_proba(mixed.iloc[[3]])])
    proba = clf.predict_proba(mixed)
    np.testing.assert_allclose(proba, expected)
    assert not np.allclose(proba[:3], clf.estimator_.predict_proba(known))
    np.testing.assert_array_equal(clf.predict(mixed), clf.classes_[proba.argmax(axis=1)])
    # every row known: the weighted mean on all of them
    np.testing.assert_allclose(
        clf.predict_proba(X),
        0.75 * clf.estimator_.predict_proba(X) + 0.25 * clf.fallback_.predict_proba(X))


def test_fallback_weight_needs_probabilities_and_a_valid_weight(speakers_apart):
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    from skser.ensemble import SpeakerAdaptiveClassifier

    X, y = speakers_apart
    features = FunctionTransformer(_columns)
    clf = SpeakerAdaptiveClassifier(
        make_pipeline(SpeakerNormalizer(features, keep_raw=False), SVC()),
        make_pipeline(features, SVC()), fallback_weight=0.5)
    with pytest.raises(SkserError, match="both need predict_proba"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="fallback_weight"):
        _adaptive().set_params(fallback_weight=1.5).fit(X, y)


class _CountingColumns(FunctionTransformer):
    """The feature columns, counting the rows it transforms (a stateless feature step)."""

    rows_seen = 0

    def __init__(self, func=_columns, scale=1.0):
        super().__init__(func)
        self.scale = scale

    def transform(self, X):
        type(self).rows_seen += len(X)
        return super().transform(X) * self.scale


@pytest.mark.parametrize("same", [True, False])
def test_fallback_weight_computes_shared_features_once(speakers_apart, same):
    # estimator SpeakerNormalizer(T) -> ..., fallback T -> ... with the same stateless T:
    # predict_proba computes T's features once for both models, with the same result.
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skser.ensemble import SpeakerAdaptiveClassifier

    X, y = speakers_apart
    clf = SpeakerAdaptiveClassifier(
        make_pipeline(SpeakerNormalizer(_CountingColumns(), keep_raw=False),
                      LogisticRegression()),
        make_pipeline(_CountingColumns(scale=1.0 if same else 2.0), LogisticRegression()),
        fallback_weight=0.5,
    ).fit(X, y)
    assert clf._shared_features is same
    _CountingColumns.rows_seen = 0
    proba = clf.predict_proba(X)
    assert _CountingColumns.rows_seen == (1 if same else 2) * len(X)
    np.testing.assert_allclose(
        proba, 0.5 * clf.estimator_.predict_proba(X) + 0.5 * clf.fallback_.predict_proba(X))
    # a model pickled without the flag (before it existed) computes both, alike
    del clf._shared_features
    np.testing.assert_allclose(clf.predict_proba(X), proba)
