"""CRNNClassifier: convolutions then a bidirectional recurrent layer over time."""

from __future__ import annotations

from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from ..utils._deprecation import warn_renamed
from ._base import BaseKerasClassifier
from ._cnn2d import CONV2D_CONSTRAINTS
from ._networks import crnn_network

__all__ = ["CRNNClassifier"]

#: The arguments of :meth:`CRNNClassifier.time_pooled_bilstm`, which averages time
#: away before its LSTMs: 296,647 parameters on 128 x 345 images and 7 classes.
TIME_POOLED_BILSTM_CRNN = {
    "filters": (16, 32, 64, 128), "kernel_size": 3, "pool_size": 2, "conv_padding": "same",
    "stem_stride": 1, "batch_norm": True, "collapse_time": True, "rnn": "lstm",
    "rnn_units": 64, "rnn_layers": 2, "pooling": "last", "dropout": 0.5, "dense_units": 0,
    "batch_size": 32, "normalize": "global", "spec_augment": False,
}


class CRNNClassifier(BaseKerasClassifier):
    """Convolutional recurrent network over (frequency, time) images.

    Reads the same inputs as :class:`CNN2DClassifier`: (n_samples, height,
    width) or (n_samples, height, width, channels), height being frequency
    and width time. Convolution blocks (Conv2D (ReLU) -> MaxPooling2D ->
    BatchNormalization) pool frequency, and by default keep the time axis
    after the first convolution's stride of 2; each frame's (frequency x
    channel) vector is then one step of bidirectional GRU or LSTM layers,
    whose outputs are pooled over time (by default with learned attention
    weights) before the softmax layer.

    Parameters
    ----------
    filters : tuple of int, default=(16, 32, 64)
        Filters of each convolution block.
    kernel_size : int or (int, int), default=3
        Convolution kernel (frequency, time).
    pool_size : int or (int, int), default=(2, 1)
        Max-pooling window (and stride) after each convolution; a time size
        of 1 keeps the time resolution for the recurrent layers.
    conv_padding : {"same", "valid"}, default="same"
    stem_stride : int or (int, int), default=2
        Stride of the first convolution.
    batch_norm : bool, default=True
        Batch normalization after each pooling.
    collapse_time : bool, default=False
        Average the feature maps over frequency and time before the recurrent
        layers, so that they read a one-step sequence (the layout of
        :meth:`time_pooled_bilstm`, only there for it).
    rnn : {"gru", "lstm"}, default="gru"
    rnn_units : int, default=64
        Units of each direction of each bidirectional layer.
    rnn_layers : int, default=1
    pooling : {"attention", "avg", "max", "stats", "last"}, default="attention"
        How the last recurrent layer's outputs are collapsed over time: a
        learned attention-weighted mean, the mean, the maximum, mean and
        standard deviation, or each direction's final state ("last").
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
    CNN2DClassifier : the convolutional network alone, cheaper to train.
    skser.models._networks.crnn_network : the network alone.

    Examples
    --------
    >>> import numpy as np
    >>> from skser import CRNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 8, 12)).astype("float32"); y = np.repeat(["sad", "angry"], 20)
    >>> X[y == "angry", :4] += 1.0
    >>> clf = CRNNClassifier(filters=(4,), rnn_units=4, epochs=3, random_state=0)
    >>> clf.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _default_batch_size = 32
    _parameter_constraints: dict = {
        **CONV2D_CONSTRAINTS,
        "collapse_time": ["boolean"],
        "rnn": [StrOptions({"gru", "lstm"})],
        "rnn_units": [Interval(Integral, 1, None, closed="left")],
        "rnn_layers": [Interval(Integral, 1, None, closed="left")],
        "pooling": [StrOptions({"attention", "avg", "max", "stats", "last"})],
    }

    def __init__(
        self,
        filters=(16, 32, 64),
        kernel_size=3,
        pool_size=(2, 1),
        conv_padding: str = "same",
        stem_stride=2,
        batch_norm: bool = True,
        collapse_time: bool = False,
        rnn: str = "gru",
        rnn_units: int = 64,
        rnn_layers: int = 1,
        pooling: str = "attention",
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
        self.collapse_time = collapse_time
        self.rnn = rnn
        self.rnn_units = rnn_units
        self.rnn_layers = rnn_layers
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
    def time_pooled_bilstm(cls, **params) -> CRNNClassifier:
        """Convolutions, then two BiLSTMs over their time average; ``params`` override it.

        Four blocks Conv2D(3 x 3, ReLU, same) -> MaxPooling2D(2) ->
        BatchNormalization with 16, 32, 64, 128 filters, global average
        pooling read as a one-step sequence by two bidirectional LSTM(64)
        layers, dropout 0.5 and a softmax layer; batch size 32 and one global
        mean and variance for input scaling. 296,647 parameters on 128 x 345
        images and 7 classes. The network of the ``mfcc128-crnn`` recipe; the
        reference pipelines page of the documentation says where it was
        published. Two differences from the published network, with no
        parameter: its pooling pads like its convolutions (feature maps one
        larger on odd sizes), and batch normalization uses momentum 0.9 as in
        :meth:`CNN2DClassifier.four_block_valid`.

        Parameters
        ----------
        **params
            Any ``__init__`` argument, e.g. ``epochs=40``.

        Returns
        -------
        CRNNClassifier
        """
        return cls._from_preset(TIME_POOLED_BILSTM_CRNN, params)

    @classmethod
    def reference_b(cls, **params) -> CRNNClassifier:
        """Deprecated alias of :meth:`time_pooled_bilstm`, removed in the next release.

        Parameters
        ----------
        **params
            Any ``__init__`` argument.

        Returns
        -------
        CRNNClassifier
        """
        warn_renamed("CRNNClassifier.reference_b", "CRNNClassifier.time_pooled_bilstm")
        return cls.time_pooled_bilstm(**params)

    def _build_network(self, x, n_classes: int):
        return crnn_network(
            x, n_classes,
            filters=self.filters, kernel_size=self.kernel_size, pool_size=self.pool_size,
            conv_padding=self.conv_padding, stem_stride=self.stem_stride,
            batch_norm=self.batch_norm, collapse_time=self.collapse_time, rnn=self.rnn,
            rnn_units=self.rnn_units, rnn_layers=self.rnn_layers, pooling=self.pooling,
            dropout=self.dropout, dense_units=self.dense_units,
        )
