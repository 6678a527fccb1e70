"""CNN2DClassifier and cnn2d_network."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from skser.exceptions import SkserError
from skser.models import CNN2DClassifier
from skser.models._networks import cnn2d_network

SEVEN = np.array(["angry", "disgust", "fearful", "happy", "neutral", "sad", "surprised"])


def _images(shape, n=24, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(["calm", "angry"], n // 2)
    X = rng.normal(size=(n, *shape)).astype(np.float32)
    X[y == "angry", : shape[0] // 2] += 2.0
    return X, y


def test_four_block_valid_has_its_parameter_count():
    clf = CNN2DClassifier.four_block_valid()
    assert clf.filters == (32, 64, 128, 256) and clf.conv_padding == "valid"
    assert clf.batch_size == 32 and clf.pooling == "avg"
    model = clf.initialize(np.zeros((7, 128, 345), np.float32), SEVEN).model_
    assert model.count_params() == 391_559
    assert CNN2DClassifier.four_block_valid(epochs=40, dropout=0.3).dropout == 0.3
    with pytest.raises(SkserError, match="no parameter"):
        CNN2DClassifier.four_block_valid(n_filters=3)


def test_reference_b_is_a_deprecated_alias():
    with pytest.warns(FutureWarning, match="CNN2DClassifier.four_block_valid"):
        old = CNN2DClassifier.reference_b(epochs=40)
    assert old.get_params() == CNN2DClassifier.four_block_valid(epochs=40).get_params()


@pytest.mark.slow
@pytest.mark.parametrize("shape", [(12, 16), (12, 16, 2)], ids=["3d", "4d"])
def test_fits_3d_and_4d_images_with_default_blocks(shape):
    X, y = _images(shape)
    clf = CNN2DClassifier(filters=(4, 8), epochs=2, validation_split=0.0, random_state=0)
    clf.fit(X, y)
    assert clf.model_.input_shape == (None, *shape)
    proba = clf.predict_proba(X[:3])
    assert proba.shape == (3, 2) and np.allclose(proba.sum(axis=1), 1, rtol=1e-5)
    # per_bin normalization: one statistic per frequency row
    assert clf.input_mean_.shape == (shape[0],)


def test_2d_input_is_read_as_one_column_images():
    X = np.zeros((2, 9), np.float32)
    model = CNN2DClassifier(filters=(4, 4, 4)).initialize(X, ["a", "b"]).model_
    assert model.output_shape == (None, 2)


@pytest.mark.parametrize("pooling, features", [("stats", 16), ("avg", 8), ("max", 8)])
def test_network_pooling_options(pooling, features):
    # 8 x 20 -> stride 2 -> 4 x 10 -> pool -> 2 x 5 -> pool -> 1 x 3 maps of 8 channels;
    # "stats" gives mean and std of each frame's 1 x 8 vector, the others 8 values.
    inputs = keras.Input((8, 20))
    model = keras.Model(inputs, cnn2d_network(inputs, 3, filters=(4, 8), pooling=pooling))
    assert model.get_layer("emotion").kernel.shape == (features, 3)
    assert model.output_shape == (None, 3)


def test_valid_padding_on_too_small_images_raises():
    clf = CNN2DClassifier.four_block_valid()
    with pytest.raises(SkserError, match="too small for a valid"):
        clf.initialize(np.zeros((2, 20, 20), np.float32), ["a", "b"])


def test_bad_arguments_raise_skser_errors():
    X, y = _images((8, 8))
    with pytest.raises(SkserError, match="pooling"):
        CNN2DClassifier(pooling="attention").fit(X, y)
    with pytest.raises(SkserError, match="kernel_size"):
        CNN2DClassifier(kernel_size=(3, 3, 3)).fit(X, y)
    with pytest.raises(SkserError, match=r"expected X of shape"):
        CNN2DClassifier().fit(np.zeros((4, 2, 2, 2, 2)), ["a", "b"] * 2)
