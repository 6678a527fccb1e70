"""Keras network builders, apart from their scikit-learn wrappers.

Each function takes an input tensor (already normalized) and returns the
softmax output tensor, so it can be tested and reused without scikeras.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

__all__ = ["conv1d_network"]


def _pool_time(x, pooling: str):
    """Collapse the time axis of a (batch, time, channels) tensor."""
    if pooling == "flatten":
        return layers.Flatten()(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling1D()(x)
    if pooling == "max":
        return layers.GlobalMaxPooling1D()(x)
    if pooling == "stats":
        # mean and standard deviation over time ("statistics pooling")
        mean = layers.GlobalAveragePooling1D()(x)
        sq = layers.GlobalAveragePooling1D()(keras.ops.square(x))
        std = keras.ops.sqrt(keras.ops.maximum(sq - keras.ops.square(mean), 1e-6))
        return layers.Concatenate()([mean, std])
    raise ValueError(f"unknown pooling {pooling!r}; expected flatten, avg, max or stats")


def conv1d_network(
    x,
    n_classes: int,
    *,
    filters: Sequence[int] = (256, 256, 128, 64),
    kernel_size: int = 5,
    pool_size: int = 5,
    pool_strides: int = 2,
    conv_dropout: float = 0.2,
    batch_norm: bool = False,
    pooling: str = "flatten",
    dense_units: int = 32,
    dense_dropout: float = 0.3,
):
    """Reference A's 1-D CNN, generalised.

    A 2-D input (batch, n_features) is read as a sequence of ``n_features``
    steps with one channel (reference A); a 3-D input (batch, n_bins, n_frames),
    e.g. a mel image, is read over time with the frequency bins as channels,
    which runs far faster on a CPU than 2-D convolutions.

    Parameters
    ----------
    x : KerasTensor
    n_classes : int
    filters : sequence of int
        Filters of each Conv1D block (ReLU, ``same`` padding, max pooling).
    kernel_size, pool_size, pool_strides : int
    conv_dropout : float
        Dropout after the last-but-one block (where reference A has it).
    batch_norm : bool
        Batch normalization after each convolution.
    pooling : {"flatten", "avg", "max", "stats"}
        How the time axis is collapsed before the dense head.
    dense_units : int
        Units of the hidden dense layer (0 for none).
    dense_dropout : float

    Returns
    -------
    KerasTensor of shape (batch, n_classes), softmax probabilities
    """
    if len(x.shape) == 2:
        x = layers.Reshape((x.shape[1], 1))(x)
    elif len(x.shape) == 3:
        x = layers.Permute((2, 1))(x)
    else:
        raise ValueError(
            f"conv1d_network reads (n, features) or (n, bins, frames), got {tuple(x.shape)}"
        )
    for i, n_filters in enumerate(filters):
        x = layers.Conv1D(n_filters, kernel_size, padding="same", activation="relu")(x)
        if batch_norm:
            x = layers.BatchNormalization()(x)
        x = layers.MaxPooling1D(pool_size=pool_size, strides=pool_strides, padding="same")(x)
        if conv_dropout and i == len(filters) - 2:
            x = layers.Dropout(conv_dropout)(x)
    x = _pool_time(x, pooling)
    if dense_units:
        x = layers.Dense(dense_units, activation="relu")(x)
        if dense_dropout:
            x = layers.Dropout(dense_dropout)(x)
    return layers.Dense(n_classes, activation="softmax", name="emotion")(x)
