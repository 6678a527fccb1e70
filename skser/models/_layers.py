"""Keras layers that skser's networks share.

They are registered with Keras (package ``"skser"``), so a model saved with
``model.save("model.keras")`` loads with ``keras.models.load_model`` once
``skser.models`` is imported; no Lambda layers are used anywhere.
"""

from __future__ import annotations

import keras
from keras import layers, ops

__all__ = ["AttentionPooling", "SpecAugment", "StatsPooling"]


@keras.saving.register_keras_serializable(package="skser")
class StatsPooling(layers.Layer):
    """Statistics pooling: mean and standard deviation over time.

    Input (batch, time, features); output (batch, 2 * features), the means
    followed by the standard deviations. The variance is floored at
    ``epsilon`` so the gradient of the square root stays finite on constant
    inputs.

    Parameters
    ----------
    epsilon : float, default=1e-6

    Examples
    --------
    >>> import keras, numpy as np
    >>> from skser.models import StatsPooling
    >>> x = np.array([[[1.0, 0.0], [3.0, 4.0]]], dtype="float32")  # (batch, time, features)
    >>> keras.ops.convert_to_numpy(StatsPooling()(x))  # means, then standard deviations
    array([[2., 2., 1., 2.]], dtype=float32)
    >>> StatsPooling()(keras.Input(shape=(None, 8))).shape
    (None, 16)
    """

    def __init__(self, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def call(self, inputs):
        mean = ops.mean(inputs, axis=1)
        var = ops.mean(ops.square(inputs), axis=1) - ops.square(mean)
        return ops.concatenate([mean, ops.sqrt(ops.maximum(var, self.epsilon))], axis=-1)

    def compute_output_shape(self, input_shape):
        features = input_shape[-1]
        return (input_shape[0], None if features is None else 2 * features)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="skser")
class AttentionPooling(layers.Layer):
    """Attention pooling over time: a learned weighted mean of the frames.

    Each frame gets a score ``v . tanh(W h_t + b)``; the scores are
    softmax-normalised over time and weight the mean of the frames.
    Input (batch, time, features); output (batch, features).

    Parameters
    ----------
    units : int, default=64
        Size of the hidden projection that scores the frames.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from skser.models import AttentionPooling
    >>> AttentionPooling(units=4)(keras.Input(shape=(None, 8))).shape
    (None, 8)

    The weights sum to one over time, so identical frames pool to themselves:

    >>> frames = np.tile(np.array([1.0, 2.0, 3.0], dtype="float32"), (2, 5, 1))
    >>> frames.shape
    (2, 5, 3)
    >>> keras.ops.convert_to_numpy(AttentionPooling(units=4)(frames)).round(3)
    array([[1., 2., 3.],
           [1., 2., 3.]], dtype=float32)
    """

    def __init__(self, units: int = 64, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.projection = layers.Dense(units, activation="tanh", name="projection")
        self.score = layers.Dense(1, use_bias=False, name="score")

    def build(self, input_shape):
        self.projection.build(input_shape)
        self.score.build((*input_shape[:-1], self.units))

    def call(self, inputs):
        weights = ops.softmax(self.score(self.projection(inputs)), axis=1)
        return ops.sum(weights * inputs, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="skser")
class SpecAugment(layers.Layer):
    """SpecAugment-style masking of (frequency, time) images during training.

    In training, each image gets ``freq_masks`` bands of up to
    ``freq_width`` of its frequency bins and ``time_masks`` spans of up to
    ``time_width`` of its frames set to zero (the mean, once the input is
    standardized); at inference it is the identity. Input (batch, freq, time)
    or (batch, freq, time, channels).

    Parameters
    ----------
    freq_masks, time_masks : int, default=2
    freq_width, time_width : float, default=0.15
        Largest mask, as a fraction of the bins or frames.
    seed : int or None, default=None

    References
    ----------
    Park et al., "SpecAugment: A Simple Data Augmentation Method for Automatic
    Speech Recognition", Interspeech 2019.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from skser.models import SpecAugment
    >>> images = np.ones((2, 40, 50), dtype="float32")  # (batch, freq, time)
    >>> augment = SpecAugment(seed=0)
    >>> bool((keras.ops.convert_to_numpy(augment(images)) == images).all())  # inference
    True
    >>> masked = keras.ops.convert_to_numpy(augment(images, training=True))
    >>> masked.shape, sorted(np.unique(masked).tolist())
    ((2, 40, 50), [0.0, 1.0])
    """

    def __init__(self, freq_masks: int = 2, freq_width: float = 0.15, time_masks: int = 2,
                 time_width: float = 0.15, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.freq_masks = freq_masks
        self.freq_width = freq_width
        self.time_masks = time_masks
        self.time_width = time_width
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _masks(self, batch, size: int, count: int, width: float):
        """(batch, size) float mask: 0 inside ``count`` random spans, 1 elsewhere."""
        keep = ops.ones((batch, size))
        max_width = max(1, int(width * size))
        positions = ops.cast(ops.arange(size), "float32")[None, :]
        for _ in range(count):
            w = ops.floor(keras.random.uniform((batch, 1), 0.0, max_width + 1.0,
                                               seed=self.seed_generator))
            start = ops.floor(keras.random.uniform((batch, 1), seed=self.seed_generator)
                              * (size - w + 1.0))
            inside = ops.logical_and(positions >= start, positions < start + w)
            keep = keep * (1.0 - ops.cast(inside, "float32"))
        return keep

    def call(self, inputs, training=None):
        if not training or len(inputs.shape) < 3:
            return inputs
        batch = ops.shape(inputs)[0]
        n_freq, n_time = inputs.shape[1], inputs.shape[2]
        keep = (self._masks(batch, n_freq, self.freq_masks, self.freq_width)[:, :, None]
                * self._masks(batch, n_time, self.time_masks, self.time_width)[:, None, :])
        if len(inputs.shape) == 4:
            keep = keep[..., None]
        return inputs * ops.cast(keep, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "freq_masks": self.freq_masks,
                "freq_width": self.freq_width, "time_masks": self.time_masks,
                "time_width": self.time_width, "seed": self.seed}
