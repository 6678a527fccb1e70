"""CRNNClassifier and crnn_network."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from skser.exceptions import SkserError
from skser.models import CRNNClassifier
from skser.models._networks import crnn_network

SEVEN = np.array(["angry", "disgust", "fearful", "happy", "neutral", "sad", "surprised"])


def _rnn_input_steps(model) -> int:
    rnn = next(layer for layer in model.layers if isinstance(layer, layers.Bidirectional))
    return rnn.input.shape[1]


def test_time_pooled_bilstm_has_its_parameter_count_and_one_step():
    clf = CRNNClassifier.time_pooled_bilstm()
    assert clf.rnn == "lstm" and clf.rnn_layers == 2 and clf.collapse_time
    model = clf.initialize(np.zeros((7, 128, 345), np.float32), SEVEN).model_
    assert model.count_params() == 296_647
    assert _rnn_input_steps(model) == 1


def test_reference_b_is_a_deprecated_alias():
    with pytest.warns(FutureWarning, match="CRNNClassifier.time_pooled_bilstm"):
        old = CRNNClassifier.reference_b(epochs=40)
    assert old.get_params() == CRNNClassifier.time_pooled_bilstm(epochs=40).get_params()


def test_default_keeps_the_time_axis():
    inputs = keras.Input((64, 188))
    model = keras.Model(inputs, crnn_network(inputs, 7))
    assert _rnn_input_steps(model) == 94  # only the first convolution's stride of 2
    assert model.output_shape == (None, 7)


@pytest.mark.parametrize("pooling", ["attention", "avg", "max", "stats", "last"])
@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_network_options_build(pooling, rnn):
    inputs = keras.Input((8, 12, 2))
    out = crnn_network(inputs, 3, filters=(4,), rnn=rnn, rnn_units=3, rnn_layers=2,
                       pooling=pooling)
    assert keras.Model(inputs, out).output_shape == (None, 3)


@pytest.mark.slow
def test_lstm_last_state_fits_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    y = np.repeat(["calm", "sad"], 12)
    X = rng.normal(size=(24, 8, 10)).astype(np.float32)
    X[y == "sad", :4] += 2.0
    clf = CRNNClassifier(filters=(4,), rnn="lstm", rnn_units=4, pooling="last", epochs=2,
                         validation_split=0.0, random_state=0).fit(X, y)
    clf.model_.save(tmp_path / "crnn.keras")
    loaded = keras.models.load_model(tmp_path / "crnn.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), clf.predict_proba(X),
                               rtol=1e-6, atol=1e-7)


def test_bad_arguments_raise_skser_errors():
    X = np.zeros((4, 8, 8), np.float32)
    y = ["a", "b"] * 2
    for bad in (dict(rnn="transformer"), dict(rnn_units=0), dict(pooling="flatten")):
        with pytest.raises(SkserError):
            CRNNClassifier(**bad).fit(X, y)
