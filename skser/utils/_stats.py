"""Means and variances of feature tables and image stacks, without a float64 copy of them."""

from __future__ import annotations

from collections.abc import Iterator
from math import prod

import numpy as np

__all__ = ["mean_and_variance", "sample_blocks"]

#: Values per block of :func:`sample_blocks`: 16 MiB of float32, 32 MiB of float64.
BLOCK_VALUES = 2**22


def sample_blocks(X: np.ndarray, max_values: int | None = BLOCK_VALUES) -> Iterator[slice]:
    """Slices of whole samples (rows of axis 0) holding about ``max_values`` values each.

    ``max_values=None`` gives one slice of every sample.
    """
    if max_values is None:
        yield slice(0, X.shape[0])
        return
    step = max(1, max_values // max(1, X[0].size))
    for start in range(0, X.shape[0], step):
        yield slice(start, start + step)


def mean_and_variance(X: np.ndarray, axes: tuple[int, ...] | None = None, *,
                      dtype=np.float64, max_values: int | None = BLOCK_VALUES,
                      keepdims: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The mean and (population) variance of ``X`` over ``axes``, a block of samples at a time.

    skser's one computation of these statistics, whatever they are of:
    ``axes=(0,)`` gives those of each feature of a table (n_samples,
    n_features); ``(0, 2)`` those of each frequency bin (and channel) of
    images (n_samples, n_bins, n_frames[, n_channels]) over samples and
    frames, ``(0, 2, 3)`` pools the channels too; ``None`` gives one mean and
    variance of all values. Sums run in ``dtype`` over blocks of whole samples
    of about ``max_values`` values each, so a float32 stack is never copied
    whole to float64. The variance is the mean squared deviation from the mean
    (two passes).

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
    axes : tuple of int or None, default=None
        The axes pooled, which include 0 (the samples); ``None``: all.
    dtype : dtype, default=numpy.float64
        Of the sums and the results.
    max_values : int or None, default=4194304
        Values per block; ``None`` sums all samples at once (as ``X.mean`` and
        ``X.var`` do).
    keepdims : bool, default=False
        Keep the pooled axes, with length 1.

    Returns
    -------
    mean, var : ndarray or scalar of ``dtype``
        Of the shape of ``X`` without ``axes`` (scalars for ``axes=None``).
    """
    axes = tuple(range(X.ndim)) if axes is None else tuple(axes)
    n = prod(X.shape[a] for a in axes)
    blocks = list(sample_blocks(X, max_values))
    mean = sum(X[s].sum(axis=axes, dtype=dtype, keepdims=True) for s in blocks) / n
    var = sum(np.square(X[s] - mean).sum(axis=axes, dtype=dtype, keepdims=True)
              for s in blocks) / n
    if not keepdims:  # [()]: a 0-d result as a numpy scalar
        mean, var = mean.squeeze(axis=axes)[()], var.squeeze(axis=axes)[()]
    return mean, var


def scale_of(std, mean, n_pooled: int) -> np.ndarray:
    """``std`` as a divisor: 1 where a value is constant over the ``n_pooled`` values its
    ``mean`` and ``std`` were computed from (float64 rounding can leave a constant bin a
    spread of a few ulps of its mean, which must not become a divisor)."""
    constant = std <= n_pooled * np.finfo(np.float64).eps * np.abs(mean)
    return np.where(constant, 1.0, std)
