"""Behaviour every skser Keras classifier shares (skser.models._base), run on all three."""

from __future__ import annotations

import pickle

import joblib
import keras
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skser.exceptions import SkserError
from skser.models import CNN2DClassifier, Conv1DClassifier, CRNNClassifier
from skser.models._base import FAST_PREDICT_MAX_SAMPLES
from skser.models._layers import AttentionPooling, StatsPooling

LABELS = np.array(["angry", "happy", "sad"])
TRAIN = dict(epochs=3, batch_size=16, learning_rate=1e-2, validation_split=0.0,
             early_stopping=False, random_state=0)
# Batch normalization's moving statistics need far more than 9 steps to settle,
# so the tiny training runs go without it; SpecAugment (on by default for the
# image models) slows 3 epochs of learning and has tests of its own below.
TINY = {
    Conv1DClassifier: dict(filters=(4, 8), kernel_size=3, dense_units=8, **TRAIN),
    CNN2DClassifier: dict(filters=(4, 8), batch_norm=False, spec_augment=False, **TRAIN),
    CRNNClassifier: dict(filters=(4, 8), rnn_units=4, batch_norm=False, spec_augment=False,
                         **TRAIN),
}
CLASSES = list(TINY)


def make_images(n_per_class: int = 16, shape=(16, 20), seed: int = 0):
    """Learnable images: each class raises the mean of its own frequency band."""
    rng = np.random.default_rng(seed)
    y = np.repeat(LABELS, n_per_class)
    X = rng.normal(size=(len(y), *shape)).astype(np.float32)
    band = shape[0] // len(LABELS)
    for k, label in enumerate(LABELS):
        X[y == label, k * band:(k + 1) * band] += 1.5
    return X, y


@pytest.fixture(scope="module")
def data():
    return make_images()


@pytest.fixture(scope="module", params=CLASSES, ids=lambda c: c.__name__)
def fitted(request, data):
    X, y = data
    return request.param(**TINY[request.param]).fit(X, y)


@pytest.mark.slow
def test_fit_learns_string_labels(fitted, data):
    X, y = data
    assert list(fitted.classes_) == list(LABELS)
    pred = fitted.predict(X)
    assert pred.dtype.kind == "U" and set(pred) <= set(LABELS)
    assert np.mean(pred == y) > 0.6  # chance is 1/3
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert len(fitted.history_["loss"]) == TINY[type(fitted)]["epochs"]
    assert isinstance(fitted.model_, keras.Model)


@pytest.mark.slow
def test_one_sample_keeps_two_dimensional_proba(fitted, data):
    X, _ = data
    proba = fitted.predict_proba(X[:1])
    assert proba.shape == (1, len(fitted.classes_))
    assert fitted.predict(X[:1]).shape == (1,)


@pytest.mark.slow
def test_fast_predict_matches_model_predict(fitted, data, monkeypatch):
    X, _ = data
    small = X[:5]
    reference = fitted.model_.predict(small, verbose=0)
    # Below the threshold Model.predict must not be called at all.
    with monkeypatch.context() as m:
        m.setattr(fitted.model_, "predict", lambda *a, **k: pytest.fail("Model.predict used"))
        fast = fitted.predict_proba(small)
    np.testing.assert_allclose(fast, reference, rtol=1e-5, atol=1e-6)
    big = np.concatenate([X] * 3)[: FAST_PREDICT_MAX_SAMPLES + 1]
    np.testing.assert_allclose(fitted.predict_proba(big)[:5], fast, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_is_classifier_clone_and_params(cls):
    est = cls(epochs=7, random_state=3)
    assert is_classifier(est)
    params = est.get_params()
    assert params["epochs"] == 7 and params["random_state"] == 3
    twin = clone(est)
    assert twin.get_params() == params and twin is not est
    assert twin.set_params(epochs=2) is twin and twin.epochs == 2 and est.epochs == 7


def test_nested_params_and_stratified_cv_in_pipeline():
    pipe = make_pipeline(FunctionTransformer(), CNN2DClassifier())
    pipe.set_params(cnn2dclassifier__epochs=2, cnn2dclassifier__filters=(4,))
    assert pipe[-1].epochs == 2 and pipe.get_params()["cnn2dclassifier__filters"] == (4,)
    assert is_classifier(pipe)
    _, y = make_images()
    assert isinstance(check_cv(2, y, classifier=is_classifier(pipe)), StratifiedKFold)


@pytest.mark.slow
def test_cross_val_score_with_integer_cv(data):
    X, y = data
    pipe = make_pipeline(FunctionTransformer(), CNN2DClassifier(**TINY[CNN2DClassifier]))
    scores = cross_val_score(pipe, X, y, cv=2)
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))


@pytest.mark.slow
@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_round_trip(fitted, data, dump, tmp_path):
    X, _ = data
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(fitted))
    else:
        joblib.dump(fitted, tmp_path / "clf.joblib")
        restored = joblib.load(tmp_path / "clf.joblib")
    for rows in (X[:3], np.concatenate([X] * 2)):  # compiled path and Model.predict path
        np.testing.assert_array_equal(restored.predict_proba(rows), fitted.predict_proba(rows))
    assert list(restored.predict(X[:3])) == list(fitted.predict(X[:3]))


@pytest.mark.slow
def test_keras_format_round_trip(fitted, data, tmp_path):
    X, _ = data
    path = tmp_path / "model.keras"
    fitted.model_.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), fitted.predict_proba(X),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.slow
@pytest.mark.parametrize("fitted", [CNN2DClassifier, CRNNClassifier], indirect=True,
                         ids=lambda c: c.__name__)
def test_same_seed_same_model_then_unseeded_fit(fitted, data):
    X, y = data
    cls = type(fitted)
    again = cls(**TINY[cls]).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))
    # scikeras sets TF_DETERMINISTIC_OPS for seeded fits and TensorFlow keeps
    # it; an unseeded fit in the same process must still work.
    unseeded = cls(**{**TINY[cls], "random_state": None, "epochs": 1}).fit(X, y)
    assert unseeded.predict_proba(X[:2]).shape == (2, 3)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_paths_nan_and_bad_hyperparameters_raise_skser_errors(cls, data):
    X, y = data
    with pytest.raises(SkserError, match="file paths"):
        cls().fit(["a.wav", "b.wav"], ["sad", "angry"])
    bad = X.copy()
    bad[2, 0, 0] = np.nan
    with pytest.raises(SkserError, match=r"NaN or infinite values in 1 row\(s\), first rows \[2\]"):
        cls().fit(bad, y)
    with pytest.raises(SkserError, match="epochs"):
        cls(epochs=0).fit(X, y)
    with pytest.raises(SkserError, match="random_state"):
        cls(random_state=np.random.RandomState(0)).fit(X, y)
    with pytest.raises(SkserError, match="filters"):
        cls(filters=(4, 0)).fit(X, y)
    with pytest.raises(SkserError, match="no parameter"):
        cls._from_preset({}, {"bogus": 1})


@pytest.mark.slow
def test_wrong_shape_or_nan_at_predict_raises(fitted, data):
    X, _ = data
    with pytest.raises(SkserError, match=r"fitted on samples of shape \(16, 20\), got \(16, 21\)"):
        fitted.predict(np.zeros((2, 16, 21), np.float32))
    with pytest.raises(SkserError, match="NaN"):
        fitted.predict_proba(np.full((1, 16, 20), np.nan, np.float32))


def test_stats_pooling_is_mean_and_std_over_time(rng):
    x = rng.normal(size=(2, 7, 3)).astype(np.float32)
    out = keras.ops.convert_to_numpy(StatsPooling()(x))
    np.testing.assert_allclose(out, np.concatenate([x.mean(1), x.std(1)], axis=1), atol=1e-5)


def test_attention_pooling_is_a_weighted_mean(rng):
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    out = keras.ops.convert_to_numpy(AttentionPooling(units=4)(x))
    assert out.shape == (2, 3)
    # A convex combination of the frames lies within their range.
    assert np.all(out <= x.max(1) + 1e-6) and np.all(out >= x.min(1) - 1e-6)
    same = np.repeat(x[:, :1], 5, axis=1)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(AttentionPooling(4)(same)),
                               x[:, 0], atol=1e-6)


class _Interrupt(keras.callbacks.Callback):
    """Stops a fit with an error after ``after`` epochs, like a killed process."""

    def __init__(self, after: int):
        super().__init__()
        self.after = after

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.after:
            raise KeyboardInterrupt("simulated interruption")


@pytest.mark.slow
def test_interrupted_fit_resumes_from_checkpoint(data, tmp_path, monkeypatch):
    X, y = data
    ckpt = tmp_path / "ckpt"
    params = {**TINY[Conv1DClassifier], "epochs": 5, "reduce_lr_patience": None}
    clf = Conv1DClassifier(checkpoint_dir=ckpt, **params)
    original = Conv1DClassifier._initialize_callbacks

    def with_interrupt(self):
        original(self)
        self._fit_callbacks = [*self._fit_callbacks, _Interrupt(after=3)]

    with monkeypatch.context() as m:
        m.setattr(Conv1DClassifier, "_initialize_callbacks", with_interrupt)
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    assert any(ckpt.rglob("*")), "no checkpoint was written before the interruption"
    clf.fit(X, y)  # same data, same folder: resumes after epoch 3
    assert len(clf.history_["loss"]) == 2
    assert not any(ckpt.rglob("*.weights.h5")), "checkpoint kept after a finished fit"
    assert np.mean(clf.predict(X) == y) > 0.5
    # Without a checkpoint folder every fit starts from epoch 0.
    fresh = Conv1DClassifier(**params).fit(X, y)
    assert len(fresh.history_["loss"]) == 5


def test_spec_augment_masks_only_in_training():
    from skser.models import SpecAugment

    x = np.ones((8, 20, 30), dtype=np.float32)
    layer = SpecAugment(freq_width=0.2, time_width=0.2, seed=0)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    masked = np.asarray(layer(x, training=True))
    assert set(np.unique(masked)) <= {0.0, 1.0}
    zero_rows = (masked == 0).all(axis=2).sum(axis=1)  # whole frequency bins masked
    zero_cols = (masked == 0).all(axis=1).sum(axis=1)  # whole frames masked
    assert (zero_rows <= 2 * 4).all() and (zero_cols <= 2 * 6).all()
    assert (zero_rows + zero_cols).sum() > 0
    # Images with channels are masked alike in every channel.
    x4 = np.ones((2, 20, 30, 3), dtype=np.float32)
    m4 = np.asarray(SpecAugment(seed=1)(x4, training=True))
    np.testing.assert_array_equal(m4[..., 0], m4[..., 2])
    restored = SpecAugment.from_config(layer.get_config())
    assert restored.get_config() == layer.get_config()


@pytest.mark.slow
def test_spec_augment_classifier_learns_and_reloads(data, tmp_path):
    X, y = data
    clf = CNN2DClassifier(**{**TINY[CNN2DClassifier], "epochs": 6, "spec_augment": True})
    clf.fit(X, y)
    assert "spec_augment" in [layer.name for layer in clf.model_.layers]
    assert np.mean(clf.predict(X) == y) > 0.6
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(proba, clf.predict_proba(X))  # identity at inference
    path = tmp_path / "m.keras"
    clf.model_.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), proba, rtol=1e-5, atol=1e-6)
