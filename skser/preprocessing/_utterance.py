"""UtteranceNormalizer: each recording's spectrum relative to its own average."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..exceptions import SkserError
from ..utils._stats import scale_of
from ._scaler import validate_stack

__all__ = ["UtteranceNormalizer"]


class UtteranceNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Normalize each image's frequency bins over its own active frames.

    Per-utterance mean (and optionally variance) normalization, as cepstral mean
    normalization does for MFCCs: from each frequency bin of each image, the
    bin's mean over that image's *active* frames is subtracted. A fixed filter on
    the signal (a microphone's or a channel's frequency response) and a change of
    recording level add a constant to every frame of a log-spectrogram bin, so
    they cancel out; what is left is how the spectrum moves within the
    recording. It learns nothing in ``fit``: a single file is normalized with
    its own statistics, no speaker's or corpus's.

    Frames of padding or silence would pull the mean towards the floor of the
    image, by an amount that depends on the file's length rather than its voice:
    only frames whose level (their mean over the bins of the first channel)
    lies within ``active_db`` of the image's loudest frame are averaged. Every
    frame is then shifted by the same means, the silent ones too.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each bin's mean over the active frames.
    with_std : bool, default=False
        Also divide by each bin's standard deviation over the active frames
        (1 where it is 0).
    active_db : float or None, default=60.0
        Frames more than this many decibels below the loudest frame are not
        averaged; ``None`` averages every frame. Meant for images in decibels,
        such as :class:`~skser.features.MelImage`'s; for other values it is a
        difference in their own units.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]``: frequency bins of images (columns of a 2-D input).
    sample_shape_ : tuple of int
        Shape of one sample seen during ``fit``; ``transform`` requires it.

    See Also
    --------
    skser.preprocessing.SpeakerNormalizer : the same idea with each speaker's
        statistics, over all of the speaker's files.
    skser.preprocessing.StandardScaler : one mean and scale per bin, learnt from
        the training data.

    Notes
    -----
    Images are ``(n_samples, n_bins, n_frames)`` or
    ``(n_samples, n_bins, n_frames, n_channels)``, frames along axis 2; each
    channel is normalized on its own, over the frames active in the first
    channel. A 2-D input ``(n_samples, n_frames)`` is a sequence of one value
    per frame (a contour), normalized over its own active frames.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.preprocessing import UtteranceNormalizer
    >>> image = np.random.default_rng(0).normal(-40.0, 5.0, (1, 4, 50))
    >>> louder = image + 20.0                    # the same recording, 20 dB louder
    >>> norm = UtteranceNormalizer()
    >>> bool(np.allclose(norm.fit_transform(image), norm.transform(louder)))
    True
    """

    _parameter_constraints: dict = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "active_db": [Interval(Real, 0, None, closed="left"), None],
    }

    def __init__(self, with_mean: bool = True, with_std: bool = False,
                 active_db: float | None = 60.0):
        self.with_mean = with_mean
        self.with_std = with_std
        self.active_db = active_db

    def fit(self, X, y=None):
        """Check ``X`` and record the shape of its samples; nothing is learnt.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_bins, n_frames), (n_samples, n_bins, \
n_frames, n_channels) or (n_samples, n_frames)
            Finite images or contours.
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        X = validate_stack(self, X, reset=True)
        self.sample_shape_ = X.shape[1:]
        return self

    def transform(self, X):
        """Normalize each sample with its own statistics.

        Parameters
        ----------
        X : array-like
            Same shape per sample as the training data, finite.

        Returns
        -------
        ndarray, same shape as ``X``; float32 input stays float32.
        """
        check_is_fitted(self)
        X = validate_stack(self, X, reset=False)
        images = X if X.ndim > 2 else X[:, np.newaxis, :]
        images = images if images.ndim == 4 else images[..., np.newaxis]
        if images.shape[2] == 0:
            raise SkserError(f"X has samples of shape {X.shape[1:]}: no frames to normalize")
        out = np.empty_like(images)
        for i, image in enumerate(images):
            out[i] = self._normalize(image.astype(np.float64))
        return out.reshape(X.shape)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _normalize(self, image: np.ndarray) -> np.ndarray:
        # image: (n_bins, n_frames, n_channels), float64
        active = slice(None)
        if self.active_db is not None:
            level = image[..., 0].mean(axis=0)
            active = level >= level.max() - self.active_db
        frames = image[:, active]
        mean = frames.mean(axis=1, keepdims=True)
        if self.with_mean:
            image = image - mean
        if self.with_std:
            image = image / scale_of(frames.std(axis=1, keepdims=True), mean, frames.shape[1])
        return image
