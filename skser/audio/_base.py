"""The base class of every transformer that turns audio into arrays.

Subclasses implement :meth:`BaseAudioTransformer._extract` (one fixed-length
waveform -> one array) and :meth:`BaseAudioTransformer._output_shape`; this class
does the rest: recognising paths or waveforms, decoding, pad/trim, the
``on_error`` policy, per-file caching, ``n_jobs`` and progress bars.
"""

from __future__ import annotations

import os
import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ..exceptions import AudioLoadWarning, FeatureCacheWarning, SkserError
from ..utils._cache import FeatureCache, cache_location
from ..utils._inputs import as_audio_items
from ..utils._parallel import parallel_map
from ._io import MAX_LEADING_SILENCE, check_waveform, fix_length, load_audio, trim_silence

# AudioLoadWarning is defined in skser.exceptions and still importable from here.
__all__ = ["BaseAudioTransformer", "AudioLoadWarning"]


class BaseAudioTransformer(TransformerMixin, BaseEstimator):
    """Shared machinery of the audio transformers (not for direct use).

    Subclass contract: ``__init__`` stores its arguments, which include at least
    ``sr``, ``duration``, ``offset``, ``trim_db``, ``n_jobs``, ``verbose``,
    ``on_error`` and ``memory``; ``_extract(y)`` maps a float32 waveform of exactly
    ``n_samples_`` samples at ``sr`` Hz to a float32 array of shape
    ``_output_shape()``. Bump ``_feature_version`` whenever the output of
    ``_extract`` changes for the same parameters, so cached results are not reused.
    """

    _feature_version = 1
    _progress_desc = "audio"

    _parameter_constraints: dict = {
        "sr": [Interval(Integral, 1, None, closed="left")],
        "duration": [Interval(Real, 0, None, closed="neither")],
        "offset": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "on_error": [StrOptions({"raise", "warn"})],
        "memory": [None, str, os.PathLike, HasMethods(["cache"])],
        "trim_db": [Interval(Real, 0, None, closed="neither"), None],
    }

    @classmethod
    def _get_param_names(cls):
        # scikit-learn reads __init__'s signature with inspect on every get_params,
        # clone and parameter validation; transform does all three, so a
        # one-file prediction spent more time there than in some features. The
        # signature of a class does not change: read it once per class.
        names = cls.__dict__.get("_param_names_cache")
        if names is None:
            names = super()._get_param_names()
            cls._param_names_cache = names
        return names

    # -- subclass hooks -----------------------------------------------------
    def _extract(self, y: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _output_shape(self) -> tuple[int, ...]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_params(self) -> None:
        """Extra parameter checks of a subclass (raise ValueError)."""

    def _cache_identity(self) -> dict:
        """What else, besides the parameters, decides the output (e.g. the content
        of a file a parameter names): joins the feature cache's key."""
        return {}

    # -- public API ---------------------------------------------------------
    def fit(self, X, y=None):
        """Validate the parameters; the transform itself learns nothing.

        Parameters
        ----------
        X : list of paths, or array of shape (n_samples, n_times)
            Audio files, or mono waveforms sampled at ``sr`` Hz.
        y : ignored

        Returns
        -------
        self
        """
        items, kind = as_audio_items(X)
        if kind == "waveforms":
            for i, y in enumerate(items):
                check_waveform(y, f"waveform at row {i}")
            if isinstance(X, np.ndarray) and X.ndim == 2:
                self.n_features_in_ = X.shape[1]
        self._configure()
        return self

    def _configure(self) -> None:
        """Validate the parameters and derive the fixed output geometry."""
        self._validate_params()
        self._check_params()
        self.n_samples_ = int(round(self.duration * self.sr))
        self.output_shape_ = tuple(self._output_shape())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Stateless: fit only validates. Rows of a waveform array may have any
        # length (they are padded/trimmed to `duration`), so the column count
        # seen in fit is not enforced in transform.
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def transform(self, X) -> np.ndarray:
        """Turn each file or waveform into a fixed-shape float32 array.

        Parameters
        ----------
        X : list of paths, or array of shape (n_samples, n_times)
            Audio files (any format soundfile reads), or mono waveforms sampled
            at ``sr`` Hz (any length: they are zero-padded or trimmed at the end
            to ``duration`` seconds; ``offset`` applies to files only).

        Returns
        -------
        ndarray of shape ``(n_samples, *output_shape_)``, dtype float32
            One row per input, in input order. With ``on_error="warn"`` the rows
            of inputs that failed are NaN and one :class:`AudioLoadWarning`
            lists them.
        """
        items, kind = as_audio_items(X)
        self._configure()
        worker = self._file_worker() if kind == "paths" else self._array_worker()
        indexed = list(enumerate(items))
        results = parallel_map(
            worker, indexed, n_jobs=self.n_jobs, verbose=self.verbose,
            desc=self._progress_desc,
        )
        out = np.empty((len(items), *self.output_shape_), dtype=np.float32)
        failures, recomputed = [], []
        for i, res in enumerate(results):
            if isinstance(res, _Recomputed):
                recomputed.append(res.reason)
                res = res.features
            if isinstance(res, SkserError):
                if self.on_error == "raise":
                    raise res
                failures.append(str(res))
                out[i] = np.nan
            elif res.shape != self.output_shape_:  # never broadcast a wrong shape into a row
                raise SkserError(f"{items[i]}: {type(self).__name__} produced shape "
                                 f"{res.shape}, expected {self.output_shape_}")
            else:
                out[i] = res
        if recomputed:
            warnings.warn(
                f"{type(self).__name__}: {len(recomputed)} damaged cache entr"
                f"{'y was' if len(recomputed) == 1 else 'ies were'} recomputed:\n  "
                + "\n  ".join(recomputed[:20]), FeatureCacheWarning, stacklevel=2)
        if failures:
            shown = "\n  ".join(failures[:20])
            more = f"\n  ... and {len(failures) - 20} more" if len(failures) > 20 else ""
            warnings.warn(
                f"{type(self).__name__}: {len(failures)} of {len(items)} input(s) failed and "
                f"were returned as NaN rows:\n  {shown}{more}",
                AudioLoadWarning,
                stacklevel=2,
            )
        return out

    # -- internals ----------------------------------------------------------
    def _extractor(self) -> BaseAudioTransformer:
        """A copy without the runtime parameters: what the cache key hashes."""
        # clone(self).set_params(...) without clone's deep copies of every parameter (all
        # are immutable values; memory is dropped): the same object, for a fraction of the
        # time, which a prediction of one file pays for each audio step.
        params = self.get_params(deep=False)
        params.update(n_jobs=None, verbose=0, on_error="raise", memory=None)
        ex = type(self)(**params)
        ex.n_samples_ = self.n_samples_
        ex.output_shape_ = self.output_shape_
        return ex

    def _file_worker(self):
        extractor = self._extractor()
        location = cache_location(self.memory)
        if location is None:
            return partial(_features_from_file, extractor)
        setting = {"class": f"{type(self).__module__}.{type(self).__qualname__}",
                   "version": type(self)._feature_version,
                   "params": extractor.get_params(deep=False), **self._cache_identity()}
        cache = FeatureCache(location, setting, self.output_shape_)
        cache.clean_temporaries()
        return partial(_cached_features_from_file, cache, extractor)

    def _array_worker(self):
        return partial(_features_from_array, self._extractor())

    def _finish(self, y: np.ndarray, source) -> np.ndarray:
        if self.trim_db is not None:
            y = trim_silence(y, self.sr, self.trim_db)
        y = fix_length(y, self.n_samples_)
        feats = np.asarray(self._extract(y), dtype=np.float32)
        if feats.shape != self.output_shape_:
            raise SkserError(
                f"{source}: {type(self).__name__} produced shape {feats.shape}, "
                f"expected {self.output_shape_}"
            )
        if not np.isfinite(feats).all():
            raise SkserError(f"{source}: features are not finite (NaN or Inf)")
        return feats

    def _read(self, path) -> np.ndarray:
        # Trimming may skip leading silence: read enough to still hold `duration` after it.
        extra = MAX_LEADING_SILENCE if self.trim_db is not None else 0.0
        return load_audio(path, sr=self.sr, mono=True, offset=self.offset,
                          duration=self.duration + extra)


def _features_from_file(extractor: BaseAudioTransformer, item):
    _, path = item
    try:
        return extractor._finish(extractor._read(path), path)
    except SkserError as exc:
        return exc


def _features_from_array(extractor: BaseAudioTransformer, item):
    i, y = item
    source = f"waveform at row {i}"
    try:
        return extractor._finish(check_waveform(y, source), source)
    except SkserError as exc:
        return exc


def _cached_features_from_file(cache: FeatureCache, extractor, item):
    """Features of one file through the cache: an array, a SkserError, or
    ``_Recomputed`` when a bad entry was replaced (the caller warns)."""
    _, path = item
    entry = cache.entry(path)
    if entry is None:
        return _features_from_file(extractor, item)
    cached, problem = cache.read(entry)
    if cached is not None:
        return cached
    result = _features_from_file(extractor, item)
    if isinstance(result, np.ndarray):
        cache.write(entry, result)
        if problem is not None:
            return _Recomputed(result, f"{path}: cache entry {entry} {problem}")
    return result


class _Recomputed:
    """Features recomputed because their cache entry was bad, and why."""

    def __init__(self, features: np.ndarray, reason: str):
        self.features = features
        self.reason = reason
