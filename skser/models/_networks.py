"""Keras network builders, apart from their scikit-learn wrappers.

Each function takes an input tensor (already normalized) and returns the
softmax output tensor, so it can be tested and reused without scikeras. Every
layer is a built-in Keras layer or one of :mod:`skser.models._layers`, so the
models save to and load from Keras's ``.keras`` format.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

from keras import layers

from ..exceptions import SkserError
from ._layers import AttentionPooling, StatsPooling

__all__ = ["cnn2d_network", "conv1d_network", "crnn_network"]

# Keras's default moving-average momentum (0.99) needs hundreds of steps before
# inference-mode statistics match training ones; an emotion corpus of a few
# thousand clips gives tens of steps an epoch, and early stopping then judges
# stale statistics. 0.9 (PyTorch's default) settles within an epoch.
_BN_MOMENTUM = 0.9


def _positive_ints(value, name: str, length: int | None = None) -> tuple[int, ...]:
    """``value`` as a tuple of positive ints (of ``length`` items if given), or a SkserError."""
    items = tuple(value) if isinstance(value, Sequence) else (value,)
    if (not items or (length is not None and len(items) != length)
            or not all(isinstance(v, Integral) and int(v) >= 1 for v in items)):
        what = f"{length} positive ints" if length else "positive ints"
        raise SkserError(f"{name} must be {what}, got {value!r}")
    return tuple(int(v) for v in items)


def _pair(value, name: str) -> tuple[int, int]:
    """An int or a pair of ints as a (frequency, time) pair of positive ints."""
    if isinstance(value, Integral):
        value = (value, value)
    first, second = _positive_ints(value, f"{name} (an int or a pair)", length=2)
    return first, second


def _check_filters(filters) -> tuple[int, ...]:
    return _positive_ints(filters, "filters (a sequence)")


def _as_image(x):
    """(batch, features) -> one-column image; (batch, h, w) -> one channel."""
    if len(x.shape) == 2:
        return layers.Reshape((x.shape[1], 1, 1))(x)
    if len(x.shape) == 3:
        return layers.Reshape((*x.shape[1:], 1))(x)
    return x


def _conv2d_blocks(x, filters, *, kernel_size, pool_size, conv_padding, stem_stride,
                   batch_norm: bool):
    """Blocks of Conv2D(ReLU) -> MaxPooling2D -> BatchNormalization, in that order.

    Normalizing after the pooling is a quarter of the work of normalizing
    before it. The first convolution moves by ``stem_stride``. With ``"same"``
    convolutions the pooling pads too, so any input size works; with
    ``"valid"`` ones (``CNN2DClassifier.four_block_valid``) a too small input
    raises a SkserError.
    """
    kernel = _pair(kernel_size, "kernel_size")
    pool = _pair(pool_size, "pool_size")
    stride = _pair(stem_stride, "stem_stride")
    for i, n_filters in enumerate(_check_filters(filters)):
        strides = stride if i == 0 else (1, 1)
        # A valid convolution then pooling needs k + (p - 1) * s input cells.
        needed = [k + (p - 1) * s for k, p, s in zip(kernel, pool, strides)]
        if conv_padding == "valid" and any(d < n for d, n in zip(x.shape[1:3], needed)):
            raise SkserError(
                f"block {i + 1} gets a {x.shape[1]} x {x.shape[2]} map, too small for a "
                f"valid {kernel} convolution and {pool} pooling (needs at least "
                f"{needed[0]} x {needed[1]}); use conv_padding='same', fewer blocks or "
                "larger inputs"
            )
        x = layers.Conv2D(n_filters, kernel, strides=strides, padding=conv_padding,
                          activation="relu")(x)
        x = layers.MaxPooling2D(pool, padding=conv_padding)(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=_BN_MOMENTUM)(x)
    return x


def _frames(x):
    """(batch, freq, time, channels) -> (batch, time, freq * channels)."""
    x = layers.Permute((2, 1, 3))(x)
    return layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]))(x)


def _head(x, n_classes: int, dense_units: int, dropout: float):
    """Optional hidden dense layer, dropout, then the softmax output."""
    if dense_units:
        x = layers.Dense(dense_units, activation="relu")(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    return layers.Dense(n_classes, activation="softmax", name="emotion")(x)


def _pool_time(x, pooling: str):
    """Collapse the time axis of a (batch, time, features) tensor."""
    if pooling == "flatten":
        return layers.Flatten()(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling1D()(x)
    if pooling == "max":
        return layers.GlobalMaxPooling1D()(x)
    if pooling == "stats":
        return StatsPooling()(x)
    if pooling == "attention":
        return AttentionPooling()(x)
    raise SkserError(
        f"unknown pooling {pooling!r}; expected flatten, avg, max, stats or attention"
    )


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
    """1-D CNN over a feature vector or over time.

    A 2-D input (batch, n_features) is read as a sequence of ``n_features``
    steps with one channel (as ``Conv1DClassifier``'s default network reads
    :class:`~skser.features.AcousticFeatures`); a 3-D input (batch, n_bins, n_frames),
    e.g. a mel image, is read over time with the frequency bins as channels,
    which runs far faster on a CPU than 2-D convolutions.

    Parameters
    ----------
    x : KerasTensor of shape (batch, n_features) or (batch, n_bins, n_frames)
    n_classes : int
    filters : sequence of int
        Filters of each Conv1D block (ReLU, ``same`` padding, max pooling).
    kernel_size, pool_size, pool_strides : int
    conv_dropout : float
        Dropout after the last-but-one block.
    batch_norm : bool
        Batch normalization after each convolution.
    pooling : {"flatten", "avg", "max", "stats", "attention"}
        How the time axis is collapsed before the dense head; ``"stats"`` is
        the mean and standard deviation of each channel.
    dense_units : int
        Units of the hidden dense layer (0 for none).
    dense_dropout : float
        Dropout before the output layer.

    Returns
    -------
    KerasTensor of shape (batch, n_classes), softmax probabilities
    """
    if len(x.shape) == 2:
        x = layers.Reshape((x.shape[1], 1))(x)
    elif len(x.shape) == 3:
        x = layers.Permute((2, 1))(x)
    else:
        raise SkserError(
            f"conv1d_network reads (n, features) or (n, bins, frames), got {tuple(x.shape)}"
        )
    filters = _check_filters(filters)
    for i, n_filters in enumerate(filters):
        x = layers.Conv1D(n_filters, kernel_size, padding="same", activation="relu")(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=_BN_MOMENTUM)(x)
        x = layers.MaxPooling1D(pool_size=pool_size, strides=pool_strides, padding="same")(x)
        if conv_dropout and i == len(filters) - 2:
            x = layers.Dropout(conv_dropout)(x)
    return _head(_pool_time(x, pooling), n_classes, dense_units, dense_dropout)


def cnn2d_network(
    x,
    n_classes: int,
    *,
    filters: Sequence[int] = (16, 32, 64, 128),
    kernel_size: int | tuple[int, int] = 3,
    pool_size: int | tuple[int, int] = 2,
    conv_padding: str = "same",
    stem_stride: int | tuple[int, int] = 2,
    batch_norm: bool = True,
    pooling: str = "stats",
    dropout: float = 0.5,
    dense_units: int = 0,
):
    """2-D CNN over a (frequency, time) image.

    Blocks of Conv2D (ReLU) -> MaxPooling2D -> BatchNormalization, then the
    feature maps are collapsed and fed to the dense head. With
    ``filters=(32, 64, 128, 256), conv_padding="valid", stem_stride=1,
    pooling="avg", dropout=0.5`` this is the network of
    ``CNN2DClassifier.four_block_valid`` (391,559 parameters on 128 x 345 x 1
    images and 7 classes).

    Parameters
    ----------
    x : KerasTensor of shape (batch, height, width[, channels])
        Height is frequency, width is time. A (batch, n_features) input is read
        as a one-column image.
    n_classes : int
    filters : sequence of int
        Filters of each block.
    kernel_size : int or (int, int)
    pool_size : int or (int, int)
        Max-pooling window (and stride) after each convolution.
    conv_padding : {"same", "valid"}
        Padding of convolutions and pooling.
    stem_stride : int or (int, int)
        Stride of the first convolution. 2 quarters the size of every later
        feature map, the largest saving on a CPU.
    batch_norm : bool
        Batch normalization (moving-average momentum 0.9) after each pooling.
    pooling : {"stats", "avg", "max"}
        ``"stats"``: mean and standard deviation over time of each frame's
        (frequency x channel) vector, so the head still sees where in
        frequency a pattern lies; ``"avg"``/``"max"``: global pooling over
        frequency and time.
    dropout : float
        Dropout before the output layer.
    dense_units : int
        Units of a hidden dense layer before the dropout (0 for none).

    Returns
    -------
    KerasTensor of shape (batch, n_classes), softmax probabilities
    """
    x = _conv2d_blocks(_as_image(x), filters, kernel_size=kernel_size, pool_size=pool_size,
                       conv_padding=conv_padding, stem_stride=stem_stride,
                       batch_norm=batch_norm)
    if pooling == "stats":
        x = StatsPooling()(_frames(x))
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    else:
        raise SkserError(f"unknown pooling {pooling!r}; expected stats, avg or max")
    return _head(x, n_classes, dense_units, dropout)


def crnn_network(
    x,
    n_classes: int,
    *,
    filters: Sequence[int] = (16, 32, 64),
    kernel_size: int | tuple[int, int] = 3,
    pool_size: int | tuple[int, int] = (2, 1),
    conv_padding: str = "same",
    stem_stride: int | tuple[int, int] = 2,
    batch_norm: bool = True,
    collapse_time: bool = False,
    rnn: str = "gru",
    rnn_units: int = 64,
    rnn_layers: int = 1,
    pooling: str = "attention",
    dropout: float = 0.5,
    dense_units: int = 0,
):
    """Convolutional recurrent network over a (frequency, time) image.

    The convolution blocks (as in :func:`cnn2d_network`) pool frequency but,
    with the default ``pool_size=(2, 1)``, keep the time axis; each remaining
    frame's (frequency x channel) vector is one step of a stack of
    bidirectional recurrent layers, whose outputs are pooled over time and fed
    to the dense head.

    ``CRNNClassifier.time_pooled_bilstm`` is ``filters=(16, 32, 64, 128),
    pool_size=2, stem_stride=1, collapse_time=True, rnn="lstm", rnn_layers=2,
    pooling="last"``: it averages time away before the LSTMs, which then
    read a one-step sequence.

    Parameters
    ----------
    x : KerasTensor of shape (batch, height, width[, channels])
        Height is frequency, width is time. A (batch, n_features) input is read
        as a one-column image.
    n_classes : int
    filters, kernel_size, pool_size, conv_padding, stem_stride, batch_norm
        The convolution blocks, see :func:`cnn2d_network`.
    collapse_time : bool
        Average the feature maps over frequency and time before the recurrent
        layers, which then see a one-step sequence.
    rnn : {"gru", "lstm"}
    rnn_units : int
        Units of each direction of each recurrent layer.
    rnn_layers : int
    pooling : {"attention", "avg", "max", "stats", "last"}
        How the last recurrent layer's outputs are collapsed over time;
        ``"last"`` takes each direction's final state.
    dropout : float
        Dropout before the output layer.
    dense_units : int
        Units of a hidden dense layer before the dropout (0 for none).

    Returns
    -------
    KerasTensor of shape (batch, n_classes), softmax probabilities
    """
    cell = {"gru": layers.GRU, "lstm": layers.LSTM}.get(rnn)
    if cell is None:
        raise SkserError(f"unknown rnn {rnn!r}; expected 'gru' or 'lstm'")
    x = _conv2d_blocks(_as_image(x), filters, kernel_size=kernel_size, pool_size=pool_size,
                       conv_padding=conv_padding, stem_stride=stem_stride,
                       batch_norm=batch_norm)
    if collapse_time:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Reshape((1, x.shape[-1]))(x)
    else:
        x = _frames(x)
    for i in range(rnn_layers):
        sequences = pooling != "last" or i < rnn_layers - 1
        x = layers.Bidirectional(cell(rnn_units, return_sequences=sequences))(x)
    if pooling != "last":
        x = _pool_time(x, pooling)
    return _head(x, n_classes, dense_units, dropout)
