"""CNN2DClassifier: a 2-D CNN over spectrogram images as a scikit-learn classifier."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from ..utils._deprecation import warn_renamed
from ._base import BaseKerasClassifier
from ._networks import cnn2d_network

__all__ = ["CNN2DClassifier"]

_POSITIVE_INT_OR_PAIR = [Interval(Integral, 1, None, closed="left"), tuple, list]

#: Constraints of the convolution blocks, shared with CRNNClassifier.
CONV2D_CONSTRAINTS: dict = {
    "filters": [tuple, list],
    "kernel_size": _POSITIVE_INT_OR_PAIR,
    "pool_size": _POSITIVE_INT_OR_PAIR,
    "conv_padding": [StrOptions({"same", "valid"})],
    "stem_stride": _POSITIVE_INT_OR_PAIR,
    "batch_norm": ["boolean"],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "dense_units": [Interval(Integral, 0, None, closed="left")],
}

#: The arguments of :meth:`CNN2DClassifier.four_block_valid`: 391,559 parameters on
#: 128 x 345 x 1 images and 7 classes.
FOUR_BLOCK_VALID_CNN = {
    "filters": (32, 64, 128, 256), "kernel_size": 3, "pool_size": 2, "conv_padding": "valid",
    "stem_stride": 1, "batch_norm": True, "pooling": "avg", "dropout": 0.5, "dense_units": 0,
    "batch_size": 32, "normalize": "global", "spec_augment": False,
}


class CNN2DClassifier(BaseKerasClassifier):
    """2-D convolutional network over (frequency, time) images.

    Reads images of shape (n_samples, height, width) or (n_samples, height,
    width, channels), e.g. from :class:`~skser.features.MelImage` or
    :class:`~skser.features.MFCCImage` (with deltas as channels); height is
    frequency and width is time, and the shape is taken from the training
    data. A 2-D input (n_samples, n_features) is read as one-column images.

    The network is blocks of Conv2D (ReLU) -> MaxPooling2D ->
    BatchNormalization, then statistics pooling over time and a softmax
    layer. The defaults are built for CPU training: the first convolution
    moves by 2 (every later feature map is a quarter of the size) and the
    filters are half of those of :meth:`four_block_valid`, a larger network
    that keeps the full resolution. ``python -m benchmarks.bench_network_speed``
    measures the training throughput of both (see the benchmarks page).

    Parameters
    ----------
    filters : tuple of int, default=(16, 32, 64, 128)
        Filters of each convolution block.
    kernel_size : int or (int, int), default=3
        Convolution kernel (frequency, time).
    pool_size : int or (int, int), default=2
        Max-pooling window (and stride) after each convolution.
    conv_padding : {"same", "valid"}, default="same"
        Padding of the convolutions and poolings; "same" works on images of
        any size.
    stem_stride : int or (int, int), default=2
        Stride of the first convolution (1 in :meth:`four_block_valid`).
    batch_norm : bool, default=True
        Batch normalization after each pooling.
    pooling : {"stats", "avg", "max"}, default="stats"
        How the last feature maps are collapsed: "stats" takes the mean and
        standard deviation over time of each frame's (frequency x channel)
        vector, keeping where in frequency a pattern lies; "avg"/"max" pool
        over frequency and time at once (:meth:`four_block_valid`: "avg").
    dropout : float, default=0.5
        Dropout before the output layer.
    dense_units : int, default=0
        Units of a hidden dense layer before the dropout (0 for none).
    %(common_parameters)s

    Attributes
    ----------
    %(common_attributes)s

    See Also
    --------
    CRNNClassifier : convolutions then a recurrent layer over time.
    Conv1DClassifier : 1-D convolutions over time, the frequency bins as channels.
    skser.models._networks.cnn2d_network : the network alone.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import CNN2DClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 8, 12)).astype("float32"); y = np.repeat(["sad", "angry"], 20)
    >>> X[y == "angry", :4] += 1.0
    >>> clf = CNN2DClassifier(filters=(4, 8), epochs=3, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)

    The larger network of four valid-padding blocks, for 128 x 345 images:

    >>> CNN2DClassifier.four_block_valid(epochs=40).filters
    (32, 64, 128, 256)
    """

    _default_batch_size = 32
    _parameter_constraints: dict = {
        **CONV2D_CONSTRAINTS,
        "pooling": [StrOptions({"stats", "avg", "max"})],
    }

    def __init__(
        self,
        filters=(16, 32, 64, 128),
        kernel_size=3,
        pool_size=2,
        conv_padding: str = "same",
        stem_stride=2,
        batch_norm: bool = True,
        pooling: str = "stats",
        dropout: float = 0.5,
        dense_units: int = 0,
        *,
        learning_rate: float = 1e-3,
        epochs: int = 50,
        batch_size: int = 32,
        validation_split: float = 0.1,
        early_stopping: bool = True,
        patience: int = 10,
        reduce_lr_patience: int | None = 4,
        normalize: str | None = "per_bin",
        class_weight=None,
        checkpoint_dir=None,
        spec_augment: bool = True,
        random_state: int | None = None,
        verbose: int = 0,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.conv_padding = conv_padding
        self.stem_stride = stem_stride
        self.batch_norm = batch_norm
        self.pooling = pooling
        self.dropout = dropout
        self.dense_units = dense_units
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

    @classmethod
    def four_block_valid(cls, **params) -> CNN2DClassifier:
        """The CNN of four valid-padding blocks at full resolution; ``params`` override it.

        Four blocks Conv2D(3 x 3, ReLU, valid) -> MaxPooling2D(2) ->
        BatchNormalization with 32, 64, 128, 256 filters, global average
        pooling, dropout 0.5 and a softmax layer; batch size 32 and one global
        mean and variance for input scaling. 391,559 parameters on 128 x 345
        images and 7 classes. The network of the ``mel128-cnn2d`` and
        ``mfcc128-cnn2d`` recipes; the reference pipelines page of the
        documentation says where it was published. One difference from the
        published network, with no parameter: batch normalization's moving
        averages use momentum 0.9 (Keras's default is 0.99), which settles
        within an epoch on small corpora.

        Parameters
        ----------
        **params
            Any ``__init__`` argument, e.g. ``epochs=40``.

        Returns
        -------
        CNN2DClassifier
        """
        return cls._from_preset(FOUR_BLOCK_VALID_CNN, params)

    @classmethod
    def reference_b(cls, **params) -> CNN2DClassifier:
        """Deprecated alias of :meth:`four_block_valid`, removed in the next release.

        Parameters
        ----------
        **params
            Any ``__init__`` argument.

        Returns
        -------
        CNN2DClassifier
        """
        warn_renamed("CNN2DClassifier.reference_b", "CNN2DClassifier.four_block_valid")
        return cls.four_block_valid(**params)

    def _build_network(self, x, n_classes: int):
        return cnn2d_network(
            x, n_classes,
            filters=self.filters, kernel_size=self.kernel_size, pool_size=self.pool_size,
            conv_padding=self.conv_padding, stem_stride=self.stem_stride,
            batch_norm=self.batch_norm, pooling=self.pooling, dropout=self.dropout,
            dense_units=self.dense_units,
        )
