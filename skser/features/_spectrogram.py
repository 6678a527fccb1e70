"""Pure functions from one waveform to its spectrogram images: log-mel, MFCC, deltas.

Every spectral quantity of a signal is derived from one short-time Fourier
transform (Hann window, centred frames, zero padding at both ends): a signal of
``n`` samples gives ``1 + n // hop_length`` frames. Decibel conversions floor
the power at :data:`AMIN`, so silence gives finite values.
"""

from __future__ import annotations

from functools import lru_cache

import librosa
import numpy as np

__all__ = [
    "check_frame_params",
    "log_mel_spectrogram",
    "mfcc",
    "n_frames",
    "stack_deltas",
]

#: Power floor of every decibel conversion (librosa's default ``amin``).
AMIN = 1e-10
#: Dynamic range kept below the peak by MFCCs and ``"logmel"`` features
#: (librosa.feature.mfcc's default, used by both reference pipelines).
MFCC_TOP_DB = 80.0
#: Frames of the regression window of deltas (librosa's default).
DELTA_WIDTH = 9


def n_frames(n_samples: int, hop_length: int) -> int:
    """Number of centred STFT frames of a signal of ``n_samples`` samples."""
    return 1 + n_samples // hop_length


def check_frame_params(
    *,
    sr: int,
    n_samples: int,
    n_fft: int,
    hop_length: int,
    fmin: float = 0.0,
    fmax: float | None = None,
) -> None:
    """Raise ValueError when framing parameters do not fit together.

    Parameters
    ----------
    sr : int
        Sample rate in Hz.
    n_samples : int
        Length of the analysed signal in samples.
    n_fft : int
        FFT (and frame) length in samples; at most ``n_samples``.
    hop_length : int
        Samples between frames; at most ``n_fft`` so no sample is skipped.
    fmin, fmax : float
        Mel band limits in Hz, ``0 <= fmin < fmax <= sr / 2`` (``fmax=None``
        means ``sr / 2``).
    """
    if hop_length > n_fft:
        raise ValueError(
            f"hop_length={hop_length} is larger than n_fft={n_fft}: samples between "
            "frames would be skipped; use hop_length <= n_fft"
        )
    if n_fft > n_samples:
        raise ValueError(
            f"n_fft={n_fft} samples is longer than the clip (duration * sr = {n_samples} "
            "samples); lower n_fft or raise duration"
        )
    nyquist = sr / 2
    if fmax is not None and fmax > nyquist:
        raise ValueError(f"fmax={fmax} Hz exceeds the Nyquist frequency sr / 2 = {nyquist} Hz")
    top = nyquist if fmax is None else fmax
    if fmin >= top:
        raise ValueError(f"fmin={fmin} Hz must be below fmax={top} Hz")


def _power_spectrum(y: np.ndarray, n_fft: int, hop_length: int, power: float) -> np.ndarray:
    magnitude = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length))
    return magnitude if power == 1.0 else magnitude**power


@lru_cache(maxsize=32)
def _mel_basis(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None) -> np.ndarray:
    basis = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    basis.flags.writeable = False  # shared between calls
    return basis


def _to_db(S: np.ndarray, *, ref, top_db: float | None, power: float = 2.0) -> np.ndarray:
    # amplitude**power -> power: librosa.amplitude_to_db generalised to any exponent.
    exponent = 2.0 / power
    if exponent != 1.0:
        S = S**exponent
    if ref == "max":
        ref_value = np.max
    elif ref == "min":
        ref_value = np.min
    else:
        ref_value = float(ref) ** exponent
    return librosa.power_to_db(S, ref=ref_value, amin=AMIN, top_db=top_db)


def log_mel_spectrogram(
    y: np.ndarray,
    *,
    sr: int,
    n_mels: int = 64,
    n_fft: int = 1024,
    hop_length: int = 256,
    fmin: float = 0.0,
    fmax: float | None = None,
    ref: float | str = 1.0,
    top_db: float | None = None,
    power: float = 2.0,
) -> np.ndarray:
    """Log-mel spectrogram in decibels.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Mono waveform sampled at ``sr`` Hz.
    sr : int
        Sample rate in Hz.
    n_mels : int, default=64
        Mel bands.
    n_fft : int, default=1024
        FFT length in samples (Hann window of the same length).
    hop_length : int, default=256
        Samples between frames.
    fmin, fmax : float, default=0.0 and None
        Band limits in Hz; ``fmax=None`` means ``sr / 2``.
    ref : float or {"max", "min"}, default=1.0
        Mel value mapped to 0 dB (in the units of ``|STFT| ** power``), or the
        image's own maximum or minimum.
    top_db : float or None, default=None
        Clip values more than ``top_db`` dB below the image's peak.
    power : float, default=2.0
        Exponent of the magnitude before the mel filters (2: power, 1:
        magnitude); the result is in decibels either way.

    Returns
    -------
    ndarray of shape (n_mels, 1 + n_samples // hop_length), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> log_mel_spectrogram(np.zeros(8000, np.float32), sr=16000).shape
    (64, 32)
    """
    S = _power_spectrum(y, n_fft, hop_length, power)
    mel = _mel_basis(sr, n_fft, n_mels, fmin, fmax) @ S
    return _to_db(mel, ref=ref, top_db=top_db, power=power).astype(np.float32, copy=False)


def mfcc(
    y: np.ndarray,
    *,
    sr: int,
    n_mfcc: int = 40,
    n_mels: int = 64,
    n_fft: int = 1024,
    hop_length: int = 256,
    fmin: float = 0.0,
    fmax: float | None = None,
) -> np.ndarray:
    """Mel-frequency cepstral coefficients, as :func:`librosa.feature.mfcc` computes them.

    The type-II orthonormal DCT of the log-mel power spectrogram (0 dB at 1.0,
    clipped :data:`MFCC_TOP_DB` dB below the peak).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Mono waveform sampled at ``sr`` Hz.
    sr : int
        Sample rate in Hz.
    n_mfcc : int, default=40
        Coefficients kept, at most ``n_mels``.
    n_mels, n_fft, hop_length, fmin, fmax
        As in :func:`log_mel_spectrogram`.

    Returns
    -------
    ndarray of shape (n_mfcc, 1 + n_samples // hop_length), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> mfcc(np.zeros(8000, np.float32), sr=16000, n_mfcc=13).shape
    (13, 32)
    """
    log_mel = log_mel_spectrogram(
        y, sr=sr, n_mels=n_mels, n_fft=n_fft, hop_length=hop_length,
        fmin=fmin, fmax=fmax, top_db=MFCC_TOP_DB,
    )
    return librosa.feature.mfcc(S=log_mel, n_mfcc=n_mfcc).astype(np.float32, copy=False)


def _deltas(M: np.ndarray, order: int) -> list[np.ndarray]:
    # Savitzky-Golay "interp" edges need a full window; shorter clips repeat
    # their edge frames instead, so any clip length works.
    mode = "interp" if M.shape[-1] >= DELTA_WIDTH else "nearest"
    return [
        librosa.feature.delta(M, order=k, width=DELTA_WIDTH, mode=mode, axis=-1)
        for k in range(1, order + 1)
    ]


def stack_deltas(M: np.ndarray, order: int) -> np.ndarray:
    """Stack ``M`` with its time derivatives as channels.

    Parameters
    ----------
    M : ndarray of shape (n_bins, n_frames)
        A spectrogram-like matrix, time last.
    order : {0, 1, 2}
        Highest derivative: 1 adds deltas, 2 adds deltas and delta-deltas
        (regression over :data:`DELTA_WIDTH` frames).

    Returns
    -------
    ndarray of shape (n_bins, n_frames, 1 + order), dtype of ``M``

    Examples
    --------
    >>> import numpy as np
    >>> stack_deltas(np.ones((4, 20), np.float32), 2).shape
    (4, 20, 3)
    """
    return np.stack([M, *_deltas(M, order)], axis=-1).astype(M.dtype, copy=False)
