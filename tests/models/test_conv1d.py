"""Conv1DClassifier and conv1d_network."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from skser.exceptions import SkserError
from skser.models import Conv1DClassifier
from skser.models._layers import StatsPooling

EIGHT = np.array(["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"])


def test_default_network_has_its_parameter_count_on_162_features():
    model = Conv1DClassifier().initialize(np.zeros((8, 162), np.float32), EIGHT).model_
    assert model.count_params() == 557_288


def test_mel_images_are_read_over_time_with_bins_as_channels():
    model = Conv1DClassifier(filters=(4,), pooling="stats").initialize(
        np.zeros((2, 6, 10), np.float32), ["a", "b"]).model_
    conv = next(layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D))
    assert conv.input.shape[1:] == (10, 6)
    assert any(isinstance(layer, StatsPooling) for layer in model.layers)


@pytest.mark.slow
def test_stats_pooling_model_round_trips_through_keras_format(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 6, 10)).astype(np.float32)
    y = np.repeat(["calm", "sad"], 10)
    clf = Conv1DClassifier(filters=(4,), kernel_size=3, pooling="stats", dense_units=4,
                           epochs=1, validation_split=0.0, random_state=0).fit(X, y)
    clf.model_.save(tmp_path / "conv1d.keras")
    loaded = keras.models.load_model(tmp_path / "conv1d.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), clf.predict_proba(X),
                               rtol=1e-6, atol=1e-7)


def test_four_dimensional_input_is_refused():
    with pytest.raises(SkserError, match=r"expected X of shape \(n, features\) or \(n, height"):
        Conv1DClassifier().fit(np.zeros((2, 3, 4, 1)), ["a", "b"])
