"""Pure functions from one waveform to its spectrogram images: log-mel, MFCC, deltas.

Every spectral quantity of a signal is derived from one short-time Fourier
transform (Hann window, centred frames, zero padding at both ends): a signal of
``n`` samples gives ``1 + n // hop_length`` frames. Decibel conversions floor
the power at :data:`AMIN`, so silence gives finite values.

The STFT, the mel filter bank (Slaney's mel scale and area normalization), the
decibel conversion, the MFCCs' DCT and the deltas are computed here with numpy
and scipy, as librosa defines them, to within float32 rounding of librosa's
results (tests compare the two). Computing them here keeps the images and
statistics of every recipe from importing librosa's numba-compiled utilities,
whose compilation costs a predicting process more memory than the model itself;
librosa computes the other features (chroma, f0, spectral shape, ...).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import scipy.fft
import scipy.signal

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


_BLOCK_BYTES = 2**18


def _hann(n_fft: int) -> np.ndarray:
    """The periodic Hann window of ``n_fft`` samples (float64), as for an STFT."""
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)


def _power_spectrum(y: np.ndarray, n_fft: int, hop_length: int, power: float) -> np.ndarray:
    """``|STFT(y)| ** power``, shape ``(1 + n_fft // 2, n_frames)``, float32.

    Centred frames: ``y`` is padded with ``n_fft // 2`` zeros at both ends and
    cut into frames every ``hop_length`` samples, each weighted by the Hann
    window; the transform is computed in float64 and rounded to complex64.
    """
    y = np.asarray(y, dtype=np.float32)
    padded = np.pad(y, n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop_length]
    window = _hann(n_fft)
    spectrum = np.empty((len(frames), n_fft // 2 + 1), dtype=np.complex64)
    # A block of frames at a time: the float64 intermediates of a whole file
    # would not stay in the CPU's cache.
    block = max(1, _BLOCK_BYTES // (spectrum.shape[1] * spectrum.itemsize))
    for start in range(0, len(frames), block):
        spectrum[start:start + block] = scipy.fft.rfft(frames[start:start + block] * window,
                                                       axis=-1)
    magnitude = np.abs(spectrum).T
    return magnitude if power == 1.0 else magnitude**power


_LOG_STEP = np.log(6.4) / 27.0  # Slaney's mel scale: mels per log-Hz above 1 kHz


def _hz_to_mel(hz: float) -> float:
    # Slaney's mel scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above.
    return hz / (200.0 / 3) if hz < 1000.0 else 15.0 + float(np.log(hz / 1000.0)) / _LOG_STEP


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= 15.0, 1000.0 * np.exp(_LOG_STEP * (mel - 15.0)),
                    (200.0 / 3) * mel)


@lru_cache(maxsize=32)
def _mel_basis(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float | None) -> np.ndarray:
    """Triangular mel filters, shape ``(n_mels, 1 + n_fft // 2)``, float32.

    Filter ``i`` rises from edge ``i`` to edge ``i + 1`` and falls to edge
    ``i + 2`` of ``n_mels + 2`` edges evenly spaced on Slaney's mel scale
    between ``fmin`` and ``fmax``; each is scaled to unit area per Hz (Slaney's
    normalization: ``2 / (edge[i + 2] - edge[i])``).
    """
    top = sr / 2 if fmax is None else fmax
    edges = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(top), n_mels + 2))
    freqs = np.fft.rfftfreq(n_fft, d=1.0 / sr)
    widths = np.diff(edges)
    ramps = edges[:, None] - freqs[None, :]
    rising = -ramps[:n_mels] / widths[:n_mels, None]
    falling = ramps[2:] / widths[1:, None]
    basis = np.maximum(0.0, np.minimum(rising, falling))
    basis *= (2.0 / (edges[2:] - edges[:n_mels]))[:, None]
    empty = (basis.max(axis=1) == 0) & (edges[:n_mels] > 0)
    if empty.any():
        warnings.warn(
            f"{int(empty.sum())} of n_mels={n_mels} mel bands hold no FFT bin at sr={sr}, "
            f"n_fft={n_fft}: they are always empty; lower n_mels or raise n_fft",
            UserWarning, stacklevel=2,
        )
    basis = basis.astype(np.float32)
    basis.flags.writeable = False  # shared between calls
    return basis


def _power_to_db(S: np.ndarray, ref, amin: float, top_db: float | None) -> np.ndarray:
    """``10 log10(S / ref)`` with ``S`` and ``ref`` floored at ``amin``; values more
    than ``top_db`` dB below the peak are raised to it. ``ref`` may be a function
    of ``S`` (``np.max``)."""
    ref_value = ref(S) if callable(ref) else abs(ref)
    log_spec = 10.0 * np.log10(np.maximum(amin, S))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def _dct_mfcc(log_mel: np.ndarray, n_mfcc: int) -> np.ndarray:
    """The first ``n_mfcc`` coefficients of the orthonormal type-II DCT over the
    mel bands (axis -2)."""
    return scipy.fft.dct(log_mel, axis=-2, type=2, norm="ortho")[..., :n_mfcc, :]


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
    return _power_to_db(S, ref_value, AMIN, top_db)


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
    return _dct_mfcc(log_mel, n_mfcc).astype(np.float32, copy=False)


def _deltas(M: np.ndarray, order: int) -> list[np.ndarray]:
    # Savitzky-Golay "interp" edges need a full window; shorter clips repeat
    # their edge frames instead, so any clip length works.
    mode = "interp" if M.shape[-1] >= DELTA_WIDTH else "nearest"
    return [
        scipy.signal.savgol_filter(M, DELTA_WIDTH, polyorder=k, deriv=k, mode=mode, axis=-1)
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
