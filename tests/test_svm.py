"""skser.svm.SVC: scikit-learn's SVC with BLAS predictions gives libsvm's results."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import SVC as LibsvmSVC

from skser.svm import SVC


def _data(n_classes, n=300, d=12, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    X = rng.normal(size=(n, d)) + 0.8 * y[:, None]  # overlapping classes: many support vectors
    return X, y


@pytest.mark.parametrize("n_classes", [2, 3, 7])
@pytest.mark.parametrize("params", [
    {}, {"C": 10.0}, {"gamma": 0.3}, {"class_weight": "balanced"},
    {"decision_function_shape": "ovo"}, {"break_ties": True},
])
def test_same_decision_values_and_predictions_as_libsvm(n_classes, params):
    X, y = _data(n_classes)
    fast = SVC(**params).fit(X[:200], y[:200])
    slow = LibsvmSVC(**params).fit(X[:200], y[:200])
    np.testing.assert_allclose(fast.decision_function(X[200:]),
                               slow.decision_function(X[200:]), rtol=0, atol=1e-10)
    np.testing.assert_array_equal(fast.predict(X[200:]), slow.predict(X[200:]))
    np.testing.assert_array_equal(fast.support_, slow.support_)


def test_string_labels_and_probability():
    X, y = _data(4)
    labels = np.array(["angry", "happy", "neutral", "sad"])[y]
    fast = SVC(probability=True, random_state=0).fit(X, labels)
    slow = LibsvmSVC(probability=True, random_state=0).fit(X, labels)
    np.testing.assert_array_equal(fast.predict(X), slow.predict(X))
    np.testing.assert_allclose(fast.predict_proba(X), slow.predict_proba(X), atol=1e-10)


def test_calibrated_probabilities_match():
    X, y = _data(5)
    fast = CalibratedClassifierCV(SVC(C=10.0), ensemble=False).fit(X[:200], y[:200])
    slow = CalibratedClassifierCV(LibsvmSVC(C=10.0), ensemble=False).fit(X[:200], y[:200])
    np.testing.assert_allclose(fast.predict_proba(X[200:]), slow.predict_proba(X[200:]),
                               atol=1e-10)


def test_blocks_of_rows_give_the_same_values(monkeypatch):
    import skser.svm

    X, y = _data(3, n=400)
    model = SVC().fit(X, y)
    whole = model.decision_function(X)
    monkeypatch.setattr(skser.svm, "_BLOCK_ROWS", 7)  # many blocks, the last one short
    np.testing.assert_allclose(model.decision_function(X), whole, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(model.predict(X), LibsvmSVC().fit(X, y).predict(X))


@pytest.mark.parametrize("kernel", ["linear", "poly", "sigmoid"])
def test_other_kernels_go_to_libsvm(kernel):
    X, y = _data(3)
    fast = SVC(kernel=kernel).fit(X, y)
    slow = LibsvmSVC(kernel=kernel).fit(X, y)
    np.testing.assert_array_equal(fast.decision_function(X), slow.decision_function(X))


def test_sparse_input_goes_to_libsvm():
    X, y = _data(3)
    Xs = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0.0))
    fast, slow = SVC().fit(Xs, y), LibsvmSVC().fit(Xs, y)
    np.testing.assert_array_equal(fast.decision_function(Xs), slow.decision_function(Xs))
    np.testing.assert_array_equal(fast.predict(Xs), slow.predict(Xs))


def test_float32_input_and_a_single_row():
    X, y = _data(3)
    fast, slow = SVC().fit(X, y), LibsvmSVC().fit(X, y)
    x = X[:1].astype(np.float32)
    np.testing.assert_allclose(fast.decision_function(x), slow.decision_function(x), atol=1e-10)
    assert fast.predict(x).tolist() == slow.predict(x).tolist()


def test_params_clone_and_repr_as_sklearn():
    model = SVC(C=3.0, gamma=0.1)
    assert model.get_params() == LibsvmSVC(C=3.0, gamma=0.1).get_params()
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params()
    assert repr(model) == "SVC(C=3.0, gamma=0.1)"


def test_predict_does_not_change_the_model():
    X, y = _data(3)
    model = SVC().fit(X, y)
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(model).items()}
    model.predict(X)
    model.decision_function(X)
    assert set(vars(model)) == set(before)


def test_saved_model_predicts_the_same(tmp_path):
    from skser.persistence import load, save

    X, y = _data(3)
    model = CalibratedClassifierCV(SVC(C=10.0), ensemble=False).fit(X, y)
    path = save(model, tmp_path / "svc.skser")
    again = load(path)
    assert type(again.calibrated_classifiers_[0].estimator) is SVC
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
