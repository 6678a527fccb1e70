"""Conv1DClassifier: a 1-D CNN as a scikit-learn classifier."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseKerasClassifier
from ._networks import conv1d_network

__all__ = ["Conv1DClassifier"]


class Conv1DClassifier(BaseKerasClassifier):
    """1-D convolutional network over a feature vector or over time.

    The default architecture is that of a published pipeline on 162
    handcrafted features (557,288 parameters on 162 features and 8 classes;
    see the reference pipelines page of the documentation). On a 2-D input
    (n_samples, n_features), e.g. from
    :class:`~skser.features.AcousticFeatures`, it convolves along the feature
    vector; on a 3-D input (n_samples, n_bins, n_frames), e.g. from
    :class:`~skser.features.MelImage`, it convolves over time with the
    frequency bins as channels.

    Parameters
    ----------
    filters : tuple of int, default=(256, 256, 128, 64)
        Filters of each convolution block.
    kernel_size : int, default=5
    pool_size : int, default=5
    pool_strides : int, default=2
    conv_dropout : float, default=0.2
        Dropout after the last-but-one block.
    batch_norm : bool, default=False
    pooling : {"flatten", "avg", "max", "stats", "attention"}, default="flatten"
        How the last block's output is collapsed over time before the dense
        head: flattened (the default), averaged, maxed, mean and standard
        deviation ("stats") or a learned attention-weighted mean.
    dense_units : int, default=32
        Units of the hidden dense layer (0 for none).
    dense_dropout : float, default=0.3
        Dropout before the output layer.
    %(common_parameters)s

    Attributes
    ----------
    %(common_attributes)s

    See Also
    --------
    CNN2DClassifier, CRNNClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from skser import Conv1DClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 16)).astype("float32"); y = np.repeat(["sad", "angry"], 20)
    >>> X[y == "angry"] += 1.0
    >>> clf = Conv1DClassifier(filters=(8,), dense_units=8, epochs=5, random_state=0)
    >>> clf.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _input_ndims = (2, 3)
    _parameter_constraints: dict = {
        "filters": [tuple, list],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "pool_strides": [Interval(Integral, 1, None, closed="left")],
        "conv_dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "pooling": [StrOptions({"flatten", "avg", "max", "stats", "attention"})],
        "dense_units": [Interval(Integral, 0, None, closed="left")],
        "dense_dropout": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        filters=(256, 256, 128, 64),
        kernel_size: int = 5,
        pool_size: int = 5,
        pool_strides: int = 2,
        conv_dropout: float = 0.2,
        batch_norm: bool = False,
        pooling: str = "flatten",
        dense_units: int = 32,
        dense_dropout: float = 0.3,
        *,
        learning_rate: float = 1e-3,
        epochs: int = 50,
        batch_size: int = 64,
        validation_split: float = 0.1,
        early_stopping: bool = True,
        patience: int = 10,
        reduce_lr_patience: int | None = 4,
        normalize: str | None = "per_bin",
        class_weight=None,
        checkpoint_dir=None,
        spec_augment: bool = False,
        random_state: int | None = None,
        verbose: int = 0,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.pool_strides = pool_strides
        self.conv_dropout = conv_dropout
        self.batch_norm = batch_norm
        self.pooling = pooling
        self.dense_units = dense_units
        self.dense_dropout = dense_dropout
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.patience = patience
        self.reduce_lr_patience = reduce_lr_patience
        self.normalize = normalize
        self.class_weight = class_weight
        self.checkpoint_dir = checkpoint_dir
        self.spec_augment = spec_augment
        self.random_state = random_state
        self.verbose = verbose

    def _build_network(self, x, n_classes: int):
        return conv1d_network(
            x, n_classes,
            filters=self.filters, kernel_size=self.kernel_size, pool_size=self.pool_size,
            pool_strides=self.pool_strides, conv_dropout=self.conv_dropout,
            batch_norm=self.batch_norm, pooling=self.pooling,
            dense_units=self.dense_units, dense_dropout=self.dense_dropout,
        )
