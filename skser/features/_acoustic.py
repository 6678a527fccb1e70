"""AcousticFeatures: audio -> one vector of utterance statistics per file."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..audio._base import BaseAudioTransformer
from ..audio._io import DEFAULT_DURATION, DEFAULT_OFFSET, DEFAULT_SR
from ._functional import _feature_names, acoustic_feature_vector, f0_range
from ._spectrogram import check_frame_params

__all__ = ["AcousticFeatures"]


class AcousticFeatures(BaseAudioTransformer):
    """Statistics over frames of handcrafted acoustic features, one row per file.

    The default features are 162 values: means over frames of the
    zero-crossing rate (1), chroma (12), MFCCs (20), RMS energy (1) and mel
    power spectrogram (128). The audio is read as by every other audio step
    (:data:`skser.audio.DEFAULT_SR` and the other defaults); the
    ``acoustic-conv1d`` recipes read 2.5 s from 0.6 s into each file at
    22,050 Hz instead. All spectral groups share one STFT per signal
    (:func:`~skser.features.acoustic_feature_vector` does the work).

    Parameters
    ----------
    sr : int, default=skser.audio.DEFAULT_SR (16000)
        Sample rate in Hz; files are resampled to it, waveforms must be at it.
    duration : float, default=skser.audio.DEFAULT_DURATION (3.0)
        Seconds analysed per file (shorter audio is zero-padded at the end).
    offset : float, default=skser.audio.DEFAULT_OFFSET (0.0)
        Seconds skipped at the start of each file (not applied to waveforms).
    features : tuple of str, default=("zcr", "chroma", "mfcc", "rms", "mel")
        Feature groups, in output order: ``"zcr"``, ``"chroma"``, ``"mfcc"``,
        ``"rms"``, ``"mel"`` (power), ``"logmel"`` (dB), ``"f0"`` (YIN, Hz),
        ``"spectral"`` (centroid, bandwidth, roll-off, flatness, 7 contrast
        bands). See :func:`~skser.features.acoustic_feature_vector`.
    stats : tuple of str, default=("mean",)
        Statistics over frames: ``"mean"``, ``"std"``, ``"min"``, ``"max"``,
        ``"median"``, ``"p10"``, ``"p90"``, ``"skew"``.
    n_mfcc : int, default=20
        MFCCs (at most ``n_mels``).
    n_mels : int, default=128
        Mel bands of the ``"mel"`` and ``"logmel"`` groups and of the MFCCs.
    n_chroma : int, default=12
        Pitch classes of the ``"chroma"`` group.
    n_fft : int, default=2048
        FFT length and frame length, in samples.
    hop_length : int, default=512
        Samples between frames.
    deltas : bool or {0, 1, 2}, default=False
        Add MFCC deltas (True or 1) and delta-deltas (2), named
        ``"mfcc3_delta_mean"`` and ``"mfcc3_delta2_mean"``.
    trim_db : float or None, default=None
        Remove the leading and trailing audio quieter than the loudest 25 ms frame
        by this many dB (:func:`~skser.audio.trim_silence`) before cutting to
        ``duration``, so that silence at the start of a recording does not take
        the place of speech (up to 10 s of it); ``None`` keeps the audio as it is.
    n_jobs : int or None, default=None
        Files processed in parallel (joblib); ``-1`` uses all cores.
    verbose : int, default=0
        0 silent; 1 a progress bar on stderr; 2 or more a plain line on stderr at
        each tenth of the files, with the time left (for logs).
    on_error : {"raise", "warn"}, default="raise"
        ``"warn"`` returns NaN rows for files that fail and warns once.
    memory : str, joblib.Memory or None, default=None
        Per-file cache keyed on the file (path, mtime, size) and on the
        parameters above except ``n_jobs``, ``verbose``, ``on_error``.

    Attributes
    ----------
    n_samples_ : int
        Samples analysed per input, ``round(duration * sr)``.
    output_shape_ : tuple of int
        ``(n_features_out_,)``.
    n_features_out_ : int
        Values per row; 162 with the defaults.

    See Also
    --------
    MelImage, MFCCImage : time-frequency images instead of statistics.
    skser.preprocessing.StandardScaler : the usual next step.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import AcousticFeatures
    >>> waves = np.random.default_rng(0).uniform(-0.1, 0.1, (2, 11025))
    >>> X = AcousticFeatures().fit_transform(waves)
    >>> X.shape, X.dtype
    ((2, 162), dtype('float32'))
    >>> est = AcousticFeatures(duration=0.5, features=("zcr", "rms"), stats=("mean", "std"))
    >>> est.fit(waves).get_feature_names_out().tolist()
    ['zcr_mean', 'zcr_std', 'rms_mean', 'rms_std']
    """

    _progress_desc = "acoustic features"

    _parameter_constraints: dict = {
        **BaseAudioTransformer._parameter_constraints,
        "features": [tuple, list],
        "stats": [tuple, list],
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "n_chroma": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 2, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "deltas": ["boolean", Interval(Integral, 0, 2, closed="both")],
    }

    def __init__(
        self,
        sr: int = DEFAULT_SR,
        duration: float = DEFAULT_DURATION,
        offset: float = DEFAULT_OFFSET,
        features=("zcr", "chroma", "mfcc", "rms", "mel"),
        stats=("mean",),
        n_mfcc: int = 20,
        n_mels: int = 128,
        n_chroma: int = 12,
        n_fft: int = 2048,
        hop_length: int = 512,
        deltas: bool | int = False,
        *,
        n_jobs: int | None = None,
        verbose: int = 0,
        on_error: str = "raise",
        memory=None,
        trim_db: float | None = None,
    ):
        self.sr = sr
        self.duration = duration
        self.offset = offset
        self.features = features
        self.stats = stats
        self.n_mfcc = n_mfcc
        self.n_mels = n_mels
        self.n_chroma = n_chroma
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.deltas = deltas
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.on_error = on_error
        self.memory = memory
        self.trim_db = trim_db

    def _check_params(self) -> None:
        self._feature_names()
        check_frame_params(
            sr=self.sr, n_samples=int(round(self.duration * self.sr)),
            n_fft=self.n_fft, hop_length=self.hop_length,
        )
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"n_mfcc={self.n_mfcc} exceeds n_mels={self.n_mels}")
        if "f0" in self.features:
            fmin, fmax = f0_range(self.sr, self.n_fft)
            if fmin >= fmax:
                raise ValueError(
                    f"'f0' cannot be estimated with sr={self.sr} and n_fft={self.n_fft}: "
                    f"the pitch range would be {fmin:.0f}-{fmax:.0f} Hz; raise n_fft or sr"
                )

    def _feature_names(self) -> list[str]:
        return list(_feature_names(
            features=self.features, stats=self.stats, n_mfcc=self.n_mfcc,
            n_mels=self.n_mels, n_chroma=self.n_chroma, deltas=self.deltas,
        ))

    def _output_shape(self) -> tuple[int, ...]:
        return (len(self._feature_names()),)

    def _extract(self, y: np.ndarray) -> np.ndarray:
        return acoustic_feature_vector(
            y, sr=self.sr, features=self.features, stats=self.stats,
            n_mfcc=self.n_mfcc, n_mels=self.n_mels, n_chroma=self.n_chroma,
            n_fft=self.n_fft, hop_length=self.hop_length, deltas=self.deltas,
        )

    @property
    def n_features_out_(self) -> int:
        check_is_fitted(self, "output_shape_")
        return self.output_shape_[0]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the output columns, e.g. ``"mfcc3_mean"``, ``"zcr_std"``.

        Parameters
        ----------
        input_features : ignored
            The inputs are audio samples, which have no names.

        Returns
        -------
        ndarray of str of shape ``(n_features_out_,)``
        """
        # Names depend on the parameters only, so (as transform) no fit is needed.
        self._validate_params()
        self._check_params()
        return np.asarray(self._feature_names(), dtype=object)
