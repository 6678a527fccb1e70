"""StandardScaler for feature tables and for stacks of spectrogram images."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from ..exceptions import SkserError
from ..utils._deprecation import renamed_value
from ..utils._stats import mean_and_variance, sample_blocks, scale_of

__all__ = ["StandardScaler"]


class StandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardize features, or the frequency bins of images, with training statistics.

    Accepts a table of shape (n_samples, n_features), a stack of images of
    shape (n_samples, n_bins, n_frames), or of multi-channel images
    (n_samples, n_bins, n_frames, n_channels). Statistics are computed in
    float64 during ``fit`` only; a constant bin gets scale 1.

    Parameters
    ----------
    axis : {"per_bin", "global"}, default="per_bin"
        ``"per_bin"``: one mean and standard deviation per column of a table,
        or per row (frequency bin) of an image, pooled over samples, frames and
        channels. ``"global"``: one mean and standard deviation for all values.
        The same spelling as the Keras classifiers' ``normalize``. ``"bin"``,
        the old spelling of ``"per_bin"``, is deprecated: it still works, with
        a FutureWarning, until the next release.
    with_mean : bool, default=True
        Subtract the mean.
    with_std : bool, default=True
        Divide by the standard deviation.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or (n_bins,), or float
        Mean of each column or bin (``axis="per_bin"``) or of everything
        (``axis="global"``).
    var_ : ndarray or float
        Variance, same shape as ``mean_``.
    scale_ : ndarray or float, or None
        Divisor: the standard deviation, 1 where it is 0; None when
        ``with_std=False``.
    n_features_in_ : int
        ``X.shape[1]``: columns of a table, frequency bins of images.
    sample_shape_ : tuple of int
        Shape of one sample seen during ``fit``; ``transform`` requires it.
    n_samples_seen_ : int
        Samples in the training data.
    feature_names_in_ : ndarray of str
        Column names of a training DataFrame, if it had string names.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : the 2-D original.
    skser.features.MelImage : produces image stacks.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.preprocessing import StandardScaler
    >>> images = np.random.default_rng(0).normal(5.0, 2.0, (10, 4, 30)).astype("float32")
    >>> scaled = StandardScaler().fit_transform(images)
    >>> scaled.shape, scaled.dtype
    ((10, 4, 30), dtype('float32'))
    >>> bool(np.allclose(scaled.mean(axis=(0, 2)), 0, atol=1e-6))
    True
    >>> round(float(StandardScaler(axis="global").fit(images).scale_), 2)
    1.96
    """

    _parameter_constraints: dict = {
        "axis": [StrOptions({"per_bin", "global", "bin"}, deprecated={"bin"})],
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    def __init__(self, axis: str = "per_bin", with_mean: bool = True, with_std: bool = True):
        self.axis = axis
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None):
        """Compute the mean and standard deviation of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, n_bins, n_frames) \
or (n_samples, n_bins, n_frames, n_channels)
            Finite training data.
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        renamed_value(self.axis, {"bin": "per_bin"}, "axis")
        X = self._validate(X, reset=True)
        self.sample_shape_ = X.shape[1:]
        self.n_samples_seen_ = X.shape[0]
        # "per_bin" pools every axis except the bins (axis 1).
        axes = None if self.axis == "global" else (0, *range(2, X.ndim))
        n_pooled = X.size if axes is None else X.size // X.shape[1]
        self.mean_, self.var_ = mean_and_variance(X, axes)
        if self.with_std:
            # a float when global
            self.scale_: np.ndarray | float | None = scale_of(
                np.sqrt(self.var_), self.mean_, n_pooled)[()]
        else:
            self.scale_ = None
        return self

    def transform(self, X):
        """Standardize ``X`` with the training statistics.

        Parameters
        ----------
        X : array-like
            Same shape per sample as the training data, finite.

        Returns
        -------
        ndarray, same shape as ``X``; float32 input stays float32.
        """
        return self._map(X, inverse=False)

    def inverse_transform(self, X):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : array-like
            Standardized data, same shape per sample as the training data.

        Returns
        -------
        ndarray, same shape as ``X``
        """
        return self._map(X, inverse=True)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output column names (those of the input); tables (2-D) only.

        Parameters
        ----------
        input_features : array-like of str or None, default=None

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self)
        if len(self.sample_shape_) != 1:
            raise SkserError(
                f"StandardScaler was fitted on samples of shape {self.sample_shape_}: "
                "feature names exist only for 2-D tables"
            )
        return super().get_feature_names_out(input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # -- internals ----------------------------------------------------------
    def _broadcast(self, stat, ndim: int):
        if stat is None or self.axis == "global":
            return stat
        return np.reshape(stat, (-1, *([1] * (ndim - 2))))

    def _map(self, X, *, inverse: bool) -> np.ndarray:
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        mean = self._broadcast(self.mean_ if self.with_mean else 0.0, X.ndim)
        scale = self._broadcast(self.scale_, X.ndim)
        out = np.empty_like(X)
        # Arithmetic in float64, a chunk at a time: float32 stacks keep full
        # precision without a float64 copy of the whole stack.
        for s in sample_blocks(X):
            chunk = X[s].astype(np.float64)
            if inverse:
                out[s] = chunk * (1.0 if scale is None else scale) + mean
            else:
                out[s] = (chunk - mean) / (1.0 if scale is None else scale)
        return out

    def _validate(self, X, *, reset: bool) -> np.ndarray:
        return validate_stack(self, X, reset=reset)


def validate_stack(est, X, *, reset: bool) -> np.ndarray:
    """``X`` as a finite float table or image stack of at most 4 dimensions, checked
    against the sample shape ``est`` was fitted on unless ``reset``."""
    if not reset:
        _check_sample_shape(est, X)
    X = validate_data(
        est, X, reset=reset, allow_nd=True, dtype=FLOAT_DTYPES, ensure_all_finite=False
    )
    if X.ndim > 4:
        raise SkserError(
            f"expected a 2-D table or a 3-D/4-D image stack, got an array of shape {X.shape}"
        )
    finite = np.isfinite(X)
    if not finite.all():
        first = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise SkserError(
            f"Input X holds {int((~finite).sum())} NaN or infinite value(s), the first "
            f"at index {first} (sample {first[0]}); inputs that failed to load with "
            f"on_error='warn' are NaN rows: drop or impute them before {type(est).__name__}"
        )
    return X


def _check_sample_shape(est, X) -> None:
    # scikit-learn's own check names only the feature counts of tables.
    shape = getattr(X, "shape", None)
    if shape is None or (len(shape) <= 2 and len(est.sample_shape_) == 1):
        return
    if tuple(shape[1:]) != tuple(est.sample_shape_):
        raise SkserError(
            f"X has samples of shape {tuple(shape[1:])} (array shape {tuple(shape)}), but "
            f"{type(est).__name__} was fitted on samples of shape {tuple(est.sample_shape_)}"
        )
