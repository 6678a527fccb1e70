"""MelImage and MFCCImage: audio -> fixed-size time-frequency images."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..audio._base import BaseAudioTransformer
from ..audio._io import DEFAULT_DURATION, DEFAULT_OFFSET, DEFAULT_SR
from ._spectrogram import (
    check_frame_params,
    log_mel_spectrogram,
    mfcc,
    n_frames,
    stack_deltas,
)

__all__ = ["MelImage", "MFCCImage"]


class _SpectrogramImage(BaseAudioTransformer):
    """Shared shape logic of the image transformers: (rows, frames[, channels])."""

    _parameter_constraints: dict = {
        **BaseAudioTransformer._parameter_constraints,
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "n_fft": [Interval(Integral, 2, None, closed="left")],
        "hop_length": [Interval(Integral, 1, None, closed="left")],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "deltas": [Interval(Integral, 0, 2, closed="both")],
    }

    def _n_rows(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _image(self, y: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_params(self) -> None:
        check_frame_params(
            sr=self.sr, n_samples=int(round(self.duration * self.sr)),
            n_fft=self.n_fft, hop_length=self.hop_length, fmin=self.fmin, fmax=self.fmax,
        )

    def _output_shape(self) -> tuple[int, ...]:
        channels = (1 + self.deltas,) if self.deltas else ()
        return (self._n_rows(), n_frames(self.n_samples_, self.hop_length), *channels)

    def _extract(self, y: np.ndarray) -> np.ndarray:
        image = self._image(y)
        return stack_deltas(image, self.deltas) if self.deltas else image

    @property
    def n_frames_(self) -> int:
        """Frames (columns) of every image, ``1 + n_samples_ // hop_length``."""
        check_is_fitted(self, "output_shape_")
        return self.output_shape_[1]


class MelImage(_SpectrogramImage):
    """Log-mel spectrogram images (dB), one fixed-size image per file.

    Each input is zero-padded or trimmed to ``duration`` seconds first, so
    every image has ``1 + round(duration * sr) // hop_length`` frames.
    ``MelImage(sr=44100, duration=4.0, n_mels=128, n_fft=2048, hop_length=512,
    ref="min")``, the images of the ``mel128-cnn2d`` recipe, are 128 x 345:
    librosa's default frames at 44.1 kHz, in decibels above each image's
    quietest value.

    Parameters
    ----------
    sr : int, default=skser.audio.DEFAULT_SR (16000)
        Sample rate in Hz; files are resampled to it, waveforms must be at it.
    duration : float, default=skser.audio.DEFAULT_DURATION (3.0)
        Seconds per image.
    offset : float, default=skser.audio.DEFAULT_OFFSET (0.0)
        Seconds skipped at the start of each file (not applied to waveforms).
    n_mels : int, default=64
        Mel bands (image rows).
    n_fft : int, default=1024
        FFT length in samples (Hann window of the same length).
    hop_length : int, default=256
        Samples between frames (image columns).
    fmin : float, default=0.0
        Lowest mel band edge in Hz.
    fmax : float or None, default=None
        Highest mel band edge in Hz, at most ``sr / 2`` (None: ``sr / 2``).
    ref : float, "max" or "min", default=1.0
        Mel value mapped to 0 dB, or each image's own maximum or minimum.
    top_db : float or None, default=None
        Clip each image ``top_db`` dB below its peak.
    power : float, default=2.0
        Exponent of the STFT magnitude before the mel filters (2: power,
        1: magnitude).
    deltas : {0, 1, 2}, default=0
        Add deltas (1) and delta-deltas (2) as channels (last axis).
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
        ``"warn"`` returns NaN images for files that fail and warns once.
    memory : str, joblib.Memory or None, default=None
        Per-file cache keyed on the file (path, mtime, size) and on the
        parameters above except ``n_jobs``, ``verbose``, ``on_error``.

    Attributes
    ----------
    n_samples_ : int
        Samples per input, ``round(duration * sr)``.
    n_frames_ : int
        Frames (columns) of every image.
    output_shape_ : tuple of int
        ``(n_mels, n_frames_)``, or ``(n_mels, n_frames_, 1 + deltas)``.

    See Also
    --------
    MFCCImage : the cepstrum of the same images.
    skser.features.log_mel_spectrogram : the function applied to each input.
    skser.preprocessing.StandardScaler : per-bin or global scaling of images.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import MelImage
    >>> waves = np.random.default_rng(0).uniform(-0.1, 0.1, (2, 8000))
    >>> X = MelImage(duration=1.0).fit_transform(waves)
    >>> X.shape, X.dtype
    ((2, 64, 63), dtype('float32'))
    >>> MelImage(duration=1.0, deltas=2).fit_transform(waves).shape
    (2, 64, 63, 3)
    """

    _progress_desc = "mel images"

    _parameter_constraints: dict = {
        **_SpectrogramImage._parameter_constraints,
        "ref": [Interval(Real, 0, None, closed="neither"), StrOptions({"max", "min"})],
        "top_db": [Interval(Real, 0, None, closed="left"), None],
        "power": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        sr: int = DEFAULT_SR,
        duration: float = DEFAULT_DURATION,
        offset: float = DEFAULT_OFFSET,
        n_mels: int = 64,
        n_fft: int = 1024,
        hop_length: int = 256,
        fmin: float = 0.0,
        fmax: float | None = None,
        ref: float | str = 1.0,
        top_db: float | None = None,
        power: float = 2.0,
        deltas: int = 0,
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
        self.n_mels = n_mels
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.fmin = fmin
        self.fmax = fmax
        self.ref = ref
        self.top_db = top_db
        self.power = power
        self.deltas = deltas
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.on_error = on_error
        self.memory = memory
        self.trim_db = trim_db

    def _n_rows(self) -> int:
        return self.n_mels

    def _image(self, y: np.ndarray) -> np.ndarray:
        return log_mel_spectrogram(
            y, sr=self.sr, n_mels=self.n_mels, n_fft=self.n_fft, hop_length=self.hop_length,
            fmin=self.fmin, fmax=self.fmax, ref=self.ref, top_db=self.top_db, power=self.power,
        )


class MFCCImage(_SpectrogramImage):
    """MFCC images, one fixed-size (n_mfcc x n_frames) image per file.

    Computed as :func:`librosa.feature.mfcc` does (DCT of the log-mel power
    spectrogram, 80 dB range).
    ``MFCCImage(sr=44100, duration=4.0, n_mfcc=128, n_mels=128, n_fft=2048,
    hop_length=512)`` gives 128 x 345 images, as ``librosa.feature.mfcc(n_mfcc=128)``
    does on 4 s at 44.1 kHz (the ``mfcc128-cnn2d`` and ``mfcc128-crnn`` recipes).

    Parameters
    ----------
    sr : int, default=skser.audio.DEFAULT_SR (16000)
        Sample rate in Hz; files are resampled to it, waveforms must be at it.
    duration : float, default=skser.audio.DEFAULT_DURATION (3.0)
        Seconds per image.
    offset : float, default=skser.audio.DEFAULT_OFFSET (0.0)
        Seconds skipped at the start of each file (not applied to waveforms).
    n_mfcc : int, default=40
        Coefficients (image rows), at most ``n_mels``.
    n_mels : int, default=64
        Mel bands the coefficients are computed from.
    n_fft : int, default=1024
        FFT length in samples.
    hop_length : int, default=256
        Samples between frames (image columns).
    fmin : float, default=0.0
        Lowest mel band edge in Hz.
    fmax : float or None, default=None
        Highest mel band edge in Hz, at most ``sr / 2`` (None: ``sr / 2``).
    deltas : {0, 1, 2}, default=0
        Add deltas (1) and delta-deltas (2) as channels (last axis).
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
        ``"warn"`` returns NaN images for files that fail and warns once.
    memory : str, joblib.Memory or None, default=None
        Per-file cache keyed on the file (path, mtime, size) and on the
        parameters above except ``n_jobs``, ``verbose``, ``on_error``.

    Attributes
    ----------
    n_samples_ : int
        Samples per input, ``round(duration * sr)``.
    n_frames_ : int
        Frames (columns) of every image.
    output_shape_ : tuple of int
        ``(n_mfcc, n_frames_)``, or ``(n_mfcc, n_frames_, 1 + deltas)``.

    See Also
    --------
    MelImage : the log-mel images the coefficients come from.
    skser.features.mfcc : the function applied to each input.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import MFCCImage
    >>> waves = np.random.default_rng(0).uniform(-0.1, 0.1, (2, 8000))
    >>> MFCCImage(duration=1.0, deltas=1).fit_transform(waves).shape
    (2, 40, 63, 2)
    """

    _progress_desc = "MFCC images"

    _parameter_constraints: dict = {
        **_SpectrogramImage._parameter_constraints,
        "n_mfcc": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        sr: int = DEFAULT_SR,
        duration: float = DEFAULT_DURATION,
        offset: float = DEFAULT_OFFSET,
        n_mfcc: int = 40,
        n_mels: int = 64,
        n_fft: int = 1024,
        hop_length: int = 256,
        fmin: float = 0.0,
        fmax: float | None = None,
        deltas: int = 0,
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
        self.n_mfcc = n_mfcc
        self.n_mels = n_mels
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.fmin = fmin
        self.fmax = fmax
        self.deltas = deltas
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.on_error = on_error
        self.memory = memory
        self.trim_db = trim_db

    def _check_params(self) -> None:
        super()._check_params()
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"n_mfcc={self.n_mfcc} exceeds n_mels={self.n_mels}")

    def _n_rows(self) -> int:
        return self.n_mfcc

    def _image(self, y: np.ndarray) -> np.ndarray:
        return mfcc(
            y, sr=self.sr, n_mfcc=self.n_mfcc, n_mels=self.n_mels, n_fft=self.n_fft,
            hop_length=self.hop_length, fmin=self.fmin, fmax=self.fmax,
        )
