"""SeedEnsembleClassifier: the mean of copies of a model trained from different seeds."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import SGDClassifier
from sklearn.neighbors import KNeighborsClassifier

from skser.ensemble import SeedEnsembleClassifier
from skser.exceptions import SkserError


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
