"""SpeakerNormalizer: features standardized with each speaker's own statistics."""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _num_samples, check_is_fitted

from ..exceptions import SkserError, SpeakerNormalizationWarning
from ..utils._columns import SPEAKER_COLUMN
from ..utils._stats import mean_and_variance

# SpeakerNormalizationWarning is defined in skser.exceptions and still importable from here.
__all__ = ["SpeakerNormalizationWarning", "SpeakerNormalizer", "speakers_of"]


def speakers_of(X) -> np.ndarray | None:
    """The ``speaker`` column of a DataFrame input as strings, or None for any other input.

    Parameters
    ----------
    X : DataFrame, list or array
        A pipeline's input: a DataFrame with ``path`` (or ``waveform``) and
        ``speaker`` columns, or anything without speakers.

    Returns
    -------
    ndarray of shape (n_rows,) of str, or None
        Missing speakers (NaN, None, empty strings) become ``""``: unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.preprocessing import speakers_of
    >>> speakers_of(pd.DataFrame({"path": ["a.wav", "b.wav"], "speaker": ["ann", None]})).tolist()
    ['ann', '']
    >>> speakers_of(["a.wav"]) is None
    True
    """
    columns = getattr(X, "columns", None)
    if columns is None or SPEAKER_COLUMN not in columns:
        return None
    # numpy rather than pandas string operations: a prediction of one file calls this
    # several times, and pandas' costs a fraction of a millisecond each.
    values = np.asarray(X[SPEAKER_COLUMN].to_numpy(), dtype=object)
    missing = pd.isna(values)
    names = values.astype(str)
    names[missing] = ""
    return names


def _checked_speakers(X, F: np.ndarray) -> np.ndarray | None:
    """:func:`speakers_of` ``X``, checked to name one speaker per feature row."""
    speakers = speakers_of(X)
    if speakers is not None and len(speakers) != len(F):
        raise SkserError(
            f"{len(speakers)} speakers for {len(F)} feature rows: the transformer must "
            "return one row per input row"
        )
    return speakers


def _mean_scale(F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means and standard deviations (1 where constant), float64: of each column of 2-D
    features; of each frequency bin (and channel) of images, over their rows and frames,
    of shape (n_bins, 1[, n_channels])."""
    if F.ndim == 2:
        mean, var = mean_and_variance(F, (0,))
    else:  # (rows, bins, frames[, channels]): statistics over rows and frames
        mean, var = (stat[0] for stat in mean_and_variance(F, (0, 2), keepdims=True))
    std = np.sqrt(var)
    return mean, np.where(std > 1e-8 * np.maximum(np.abs(mean), 1.0), std, 1.0)


class SpeakerNormalizer(TransformerMixin, BaseEstimator):
    """Standardize each speaker's features with that speaker's own statistics.

    Who says something shapes its acoustics as much as how they feel: a
    high-pitched voice is not a sign of fear. Subtracting each speaker's mean
    and dividing by their standard deviation, computed over several of their
    recordings, removes that and leaves how a recording differs from the
    speaker's usual voice. The field's name for it is per-speaker (z-)
    normalization.

    The step wraps a feature transformer: it computes ``transformer``'s
    features of ``X`` and standardizes each row with the statistics of its
    speaker. Speakers come from the ``speaker`` column of a DataFrame input
    (:func:`skser.datasets.load_corpora` makes one); rows of other inputs, and
    empty or missing speakers, are unknown.

    Where each row's statistics come from:

    1. A speaker with at least ``min_files`` rows in ``fit``: the statistics of
       those training rows (also at ``transform`` time).
    2. Otherwise, a speaker with at least ``min_files`` rows in the ``transform``
       call: the statistics of those rows. This reads the other, unlabelled
       recordings of a new speaker (transductive), so each row's output
       depends on the rest of its speaker's rows in the batch; give a new
       speaker's recordings in one call.
    3. Otherwise (an unknown speaker, or too few rows): the statistics of all
       training rows, and a :class:`SpeakerNormalizationWarning` says how many
       rows. A model trained on speaker-normalized features is markedly less
       accurate on such rows (see the benchmarks page of the documentation),
       which is why ``keep_raw`` keeps the plain features beside them.

    Parameters
    ----------
    transformer : transformer
        Feature step whose output is normalized: 2-D features (n_samples,
        n_features), e.g. :class:`~skser.features.AcousticFeatures`, each
        column standardized; or images (n_samples, n_bins, n_frames) or
        (n_samples, n_bins, n_frames, n_channels), e.g.
        :class:`~skser.features.MelImage`, each frequency bin (and channel)
        standardized with its mean and standard deviation over the frames of
        all the speaker's rows. It is cloned, and receives ``X`` (a DataFrame's
        ``path`` or ``waveform`` column is read by skser's audio steps).
    keep_raw : bool, default=True
        Output the features themselves followed by their speaker-normalized
        values: 2 x n_features columns, or for images the two as channels
        (n_samples, n_bins, n_frames, 2 x n_channels). False outputs the
        normalized values only.
    min_files : int, default=10
        Fewest rows a speaker needs for statistics of their own.

    Attributes
    ----------
    transformer_ : transformer
        The fitted clone of ``transformer``.
    speaker_stats_ : dict of str to (ndarray, ndarray)
        Speaker -> (mean, standard deviation) of their training rows, for
        speakers with at least ``min_files`` of them: one value per column, or
        for images of shape (n_bins, 1[, n_channels]).
    population_stats_ : tuple of (ndarray, ndarray)
        Mean and standard deviation of every training row.
    n_features_out_ : int
        Columns of the output (2-D features); for images, values per output
        image.
    n_features_in_ : int
        The fitted transformer's, where it has one.

    See Also
    --------
    skser.preprocessing.StandardScaler : one set of statistics for everyone.
    skser.model_selection.speaker_groups : speakers for ``groups=`` of a splitter.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skser.preprocessing import SpeakerNormalizer
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"f": np.r_[rng.normal(0, 1, 20), rng.normal(50, 1, 20)],
    ...                   "speaker": ["ann"] * 20 + ["bob"] * 20})
    >>> features = FunctionTransformer(lambda df: df[["f"]].to_numpy())
    >>> norm = SpeakerNormalizer(features, keep_raw=False).fit(X)
    >>> sorted(norm.speaker_stats_)
    ['ann', 'bob']
    >>> out = norm.transform(X)
    >>> bool(abs(out[:20].mean()) < 1e-9 and abs(out[20:].mean()) < 1e-9)
    True
    """

    _parameter_constraints: dict = {
        "transformer": [HasMethods(["fit", "transform"])],
        "keep_raw": ["boolean"],
        "min_files": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(self, transformer, *, keep_raw: bool = True, min_files: int = 10):
        self.transformer = transformer
        self.keep_raw = keep_raw
        self.min_files = min_files

    def fit(self, X, y=None):
        """Fit ``transformer`` and learn each training speaker's statistics.

        Parameters
        ----------
        X : DataFrame with a ``speaker`` column, or any input of ``transformer``
        y : ignored

        Returns
        -------
        self
        """
        self._fit(X, y)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then return the normalized features of ``X`` (one pass of ``transformer``).

        Parameters
        ----------
        X : DataFrame with a ``speaker`` column, or any input of ``transformer``
        y : ignored
        **fit_params : ignored

        Returns
        -------
        ndarray of shape ``(n_samples, n_features_out_)`` (or images), dtype float32
        """
        F, speakers = self._fit(X, y)
        return self._standardize(F, speakers)

    def transform(self, X) -> np.ndarray:
        """Features of ``X``, standardized with each row's speaker statistics.

        Parameters
        ----------
        X : DataFrame with a ``speaker`` column, or any input of ``transformer``

        Returns
        -------
        ndarray of shape ``(n_samples, n_features_out_)`` (or images), dtype float32
            The features (with ``keep_raw``), then their normalized values.
        """
        check_is_fitted(self, "speaker_stats_")
        return self.normalize(self.transformer_.transform(X), X)

    def normalize(self, features, X) -> np.ndarray:
        """Standardize ``X``'s features, already computed, with each row's speaker statistics.

        ``transform(X)`` is ``normalize(transformer_.transform(X), X)``: where the
        features of ``X`` are at hand (computed once for several models), this
        normalizes them without computing them again.

        Parameters
        ----------
        features : array-like of shape (n_samples, n_features) or images
            The output of ``transformer_.transform(X)``, or of a transformer
            equal to it.
        X : DataFrame with a ``speaker`` column, or any input of ``transformer``
            What ``features`` were computed from: its speakers are read.

        Returns
        -------
        ndarray of shape ``(n_samples, n_features_out_)`` (or images), dtype float32
            As :meth:`transform`.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from sklearn.preprocessing import FunctionTransformer
        >>> from skser.preprocessing import SpeakerNormalizer
        >>> X = pd.DataFrame({"f": np.arange(20.0), "speaker": ["ann", "bob"] * 10})
        >>> features = FunctionTransformer(lambda df: df[["f"]].to_numpy())
        >>> norm = SpeakerNormalizer(features, keep_raw=False).fit(X)
        >>> F = norm.transformer_.transform(X)
        >>> bool(np.array_equal(norm.normalize(F, X), norm.transform(X)))
        True
        """
        check_is_fitted(self, "speaker_stats_")
        F = self._features(features)
        return self._standardize(F, _checked_speakers(X, F))

    def has_statistics(self, X) -> np.ndarray:
        """Which rows of ``X`` would be normalized with their own speaker's statistics.

        A row has them when its speaker had at least ``min_files`` training rows,
        or has at least ``min_files`` rows in ``X``; the others would get the
        training population's.

        Parameters
        ----------
        X : DataFrame with a ``speaker`` column, or any input of ``transformer``

        Returns
        -------
        ndarray of shape (n_samples,), dtype bool
        """
        check_is_fitted(self, "speaker_stats_")
        speakers = speakers_of(X)
        if speakers is None:
            return np.zeros(_num_samples(X), dtype=bool)
        names, counts = np.unique(speakers, return_counts=True)
        enough = {n for n, c in zip(names, counts) if n and c >= self.min_files}
        return np.array([s in self.speaker_stats_ or s in enough for s in speakers], bool)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output column names: the transformer's, then each with a ``spknorm_`` prefix.

        Defined for 2-D features only (images have no column names).
        """
        check_is_fitted(self, "speaker_stats_")
        if self.population_stats_[0].ndim > 1:
            raise SkserError("SpeakerNormalizer's output is images, which have no feature names")
        if hasattr(self.transformer_, "get_feature_names_out"):
            names = [str(n) for n in self.transformer_.get_feature_names_out()]
        else:
            names = [f"x{i}" for i in range(len(self.population_stats_[0]))]
        normalized = [f"spknorm_{n}" for n in names]
        return np.asarray(names + normalized if self.keep_raw else normalized, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]  # like skser's feature steps
        return tags

    # -- internals ------------------------------------------------------------
    def _fit(self, X, y):
        self._validate_params()
        self.transformer_ = clone(self.transformer)
        F = self._features(self.transformer_.fit_transform(X, y))
        speakers = _checked_speakers(X, F)
        self.population_stats_ = _mean_scale(F)
        self.speaker_stats_ = {} if speakers is None else self._stats_by_speaker(F, speakers)
        self.n_features_out_ = int(np.prod(F.shape[1:])) * (2 if self.keep_raw else 1)
        if hasattr(self.transformer_, "n_features_in_"):
            self.n_features_in_ = self.transformer_.n_features_in_
        return F, speakers

    @staticmethod
    def _features(F) -> np.ndarray:
        F = np.asarray(F)
        if F.ndim not in (2, 3, 4) or F.ndim > 2 and F.shape[2] == 0:
            raise SkserError(
                "SpeakerNormalizer needs a transformer with 2-D output (n_samples, n_features) "
                f"or images (n_samples, n_bins, n_frames[, n_channels]), got shape {F.shape}"
            )
        finite = np.isfinite(F).all(axis=tuple(range(1, F.ndim)))
        if not finite.all():
            rows = np.flatnonzero(~finite)
            raise SkserError(
                f"{len(rows)} feature row(s) are not finite (NaN or Inf), e.g. rows "
                f"{rows[:5].tolist()}; drop the inputs that failed to load"
            )
        return F

    def _stats_by_speaker(self, F: np.ndarray, speakers: np.ndarray) -> dict:
        stats = {}
        for speaker in np.unique(speakers):
            rows = speakers == speaker
            if speaker and rows.sum() >= self.min_files:
                stats[str(speaker)] = _mean_scale(F[rows])
        return stats

    def _standardize(self, F: np.ndarray, speakers: np.ndarray | None) -> np.ndarray:
        normalized = np.empty(F.shape, dtype=np.float32)
        known = np.zeros(len(F), dtype=bool)
        if speakers is not None:
            new = np.array([s not in self.speaker_stats_ for s in speakers], dtype=bool)
            batch_stats = self._stats_by_speaker(F[new], speakers[new]) if new.any() else {}
            for speaker in np.unique(speakers):
                stats = self.speaker_stats_.get(speaker) or batch_stats.get(speaker)
                if stats is not None:
                    rows = speakers == speaker
                    normalized[rows] = (F[rows] - stats[0]) / stats[1]
                    known |= rows
        if not known.all():
            mean, scale = self.population_stats_
            normalized[~known] = (F[~known] - mean) / scale
            n = int((~known).sum())
            warnings.warn(
                f"SpeakerNormalizer: {n} of {len(F)} row(s) have no speaker statistics (no "
                f"'speaker' column, an unknown speaker, or a new speaker with fewer than "
                f"{self.min_files} rows in this call) and were standardized with the training "
                "population's statistics; give several recordings of each speaker, with a "
                "'speaker' column, for speaker-normalized predictions",
                SpeakerNormalizationWarning,
                stacklevel=3,
            )
        if not self.keep_raw:
            return normalized
        raw = F.astype(np.float32, copy=False)
        if F.ndim == 3:  # images: the raw and the normalized image as two channels
            return np.stack([raw, normalized], axis=-1)
        return np.concatenate([raw, normalized], axis=-1)
