"""Pure functions that perturb one mono waveform.

Each takes a 1-D waveform (validated with :func:`skser.audio.check_waveform`)
and returns a new float32 array with finite samples; the input is never
modified. Units are in the parameter names: ``_db`` decibels, ``_s`` seconds,
``sr`` Hz, ``n_steps`` semitones. Every function but :func:`time_stretch`
keeps the length of its input; :class:`~skser.augmentation.Augmenter` pads or
trims the result to a fixed duration afterwards.
"""

from __future__ import annotations

import librosa
import numpy as np

from ..audio._io import check_waveform
from ..exceptions import InvalidAudioError, SkserError
from ..utils._deprecation import warn_renamed

__all__ = [
    "active_rms",
    "add_noise",
    "add_peak_scaled_noise",
    "add_noise_reference_a",
    "pitch_shift",
    "time_stretch",
    "apply_gain",
    "time_shift",
]

# The phase vocoder behind pitch_shift/time_stretch needs a few samples per frame.
_MIN_VOCODER_SAMPLES = 4
_MAX_N_FFT = 2048


def _vocoder_input(y, what: str) -> tuple[np.ndarray, int]:
    """Validate ``y`` for the phase vocoder and pick an FFT size that fits it."""
    y = check_waveform(y)
    n = y.shape[0]
    if n < _MIN_VOCODER_SAMPLES:
        raise InvalidAudioError(
            "waveform", f"{n} sample(s) is too short to {what} (at least "
            f"{_MIN_VOCODER_SAMPLES} are needed)"
        )
    # librosa's default FFT (2048) exceeds short signals and warns; the largest
    # power of two that fits keeps long inputs on the default.
    return y, min(_MAX_N_FFT, 1 << (n.bit_length() - 1))


def _checked_output(y: np.ndarray) -> np.ndarray:
    # Overflow (e.g. an absurd gain) must fail loudly, never become silent NaN rows.
    return check_waveform(y, "augmented waveform")


_FRAME = 400  # 25 ms at 16 kHz


def active_rms(y, rel_db: float = 40.0, frame: int = _FRAME) -> float:
    """RMS of the frames within ``rel_db`` dB of the loudest frame (0 for silence).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import active_rms
    >>> y = np.concatenate([np.zeros(16000), 0.5 * np.ones(16000)]).astype("float32")
    >>> round(active_rms(y), 3)  # the silent half does not count
    0.5
    """
    y = np.asarray(y, dtype=np.float64)
    n = max(len(y) // frame, 1)
    frames = y[: n * frame].reshape(n, -1) if len(y) >= frame else y[None, :]
    power = (frames ** 2).mean(axis=1)
    if not power.max() > 0:
        return 0.0
    active = power >= power.max() * 10 ** (-rel_db / 10)
    return float(np.sqrt(power[active].mean()))


def add_noise(y, snr_db: float, rng=None, *, reference: str = "mean") -> np.ndarray:
    """Add white Gaussian noise at a given signal-to-noise ratio.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Mono waveform.
    snr_db : float
        Signal-to-noise ratio in dB: the noise power is the mean power of ``y``
        divided by ``10 ** (snr_db / 10)``. A silent ``y`` stays silent.
    rng : numpy.random.Generator, int or None, default=None
        Source of the noise (anything :func:`numpy.random.default_rng` takes).
    reference : {"mean", "active"}, default="mean"
        The signal power the ratio refers to: the mean over the whole
        waveform, or over its active frames only (those within 40 dB of the
        loudest, :func:`active_rms`), so that silence before and after the
        speech does not lower the noise.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import add_noise
    >>> y = np.sin(np.linspace(0, 100, 16000)).astype("float32")
    >>> noisy = add_noise(y, snr_db=20.0, rng=0)
    >>> snr = 10 * np.log10(np.mean(y ** 2) / np.mean((noisy - y) ** 2))
    >>> bool(abs(snr - 20.0) < 0.5)
    True
    """
    y = check_waveform(y)
    if reference == "active":
        signal_power = active_rms(y) ** 2
    elif reference == "mean":
        signal_power = float(np.mean(np.square(y, dtype=np.float64)))
    else:
        raise SkserError(f"reference must be 'mean' or 'active', got {reference!r}")
    noise_std = np.sqrt(signal_power / 10.0 ** (snr_db / 10.0))
    noise = np.random.default_rng(rng).standard_normal(y.shape[0]) * noise_std
    return _checked_output(y + noise)


def add_peak_scaled_noise(y, rng=None) -> np.ndarray:
    """Add white noise at a random level relative to the waveform's peak.

    The noise is Gaussian with standard deviation ``0.035 * u * peak``, where
    ``u`` is drawn uniformly from [0, 1) and ``peak = max(|y|)``: each call
    draws its own level, from none up to 3.5 % of the peak. Unlike
    :func:`add_noise`, whose level follows the waveform's mean power, the
    level does not change with how much of the waveform is silence.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Mono waveform.
    rng : numpy.random.Generator, int or None, default=None
        Source of ``u`` and of the noise.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32

    See Also
    --------
    add_noise : noise at a chosen signal-to-noise ratio.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import add_peak_scaled_noise
    >>> y = np.full(1000, 0.5, dtype="float32")
    >>> bool(np.abs(add_peak_scaled_noise(y, rng=0) - y).max() < 0.5 * 0.035 * 5)
    True
    """
    y = check_waveform(y)
    rng = np.random.default_rng(rng)
    amplitude = 0.035 * rng.uniform() * float(np.max(np.abs(y)))
    return _checked_output(y + amplitude * rng.standard_normal(y.shape[0]))


def add_noise_reference_a(y, rng=None) -> np.ndarray:
    """Deprecated alias of :func:`add_peak_scaled_noise`, removed in the next release.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Mono waveform.
    rng : numpy.random.Generator, int or None, default=None
        Source of the noise level and of the noise.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32
    """
    warn_renamed("add_noise_reference_a", "add_peak_scaled_noise")
    return add_peak_scaled_noise(y, rng)


def pitch_shift(y, sr: int, n_steps: float) -> np.ndarray:
    """Shift the pitch by ``n_steps`` semitones, keeping the duration.

    A phase-vocoder time stretch followed by resampling
    (:func:`librosa.effects.pitch_shift`), with an FFT size of 2048 samples or
    the largest power of two that fits a shorter signal.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Mono waveform, at least 4 samples.
    sr : int
        Sample rate of ``y`` in Hz.
    n_steps : float
        Shift in semitones (12 = one octave up; negative shifts down).

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32
        Same length as ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import pitch_shift
    >>> y = np.sin(2 * np.pi * 200 * np.arange(8000) / 8000).astype("float32")
    >>> pitch_shift(y, sr=8000, n_steps=12.0).shape
    (8000,)
    """
    y, n_fft = _vocoder_input(y, "shift its pitch")
    if n_steps == 0:
        return y.copy()
    out = librosa.effects.pitch_shift(y, sr=sr, n_steps=float(n_steps), n_fft=n_fft)
    return _checked_output(out)


def time_stretch(y, rate: float) -> np.ndarray:
    """Speed up (``rate > 1``) or slow down (``rate < 1``) without changing pitch.

    A phase vocoder (:func:`librosa.effects.time_stretch`), with the FFT size
    chosen as in :func:`pitch_shift`.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Mono waveform, at least 4 samples.
    rate : float
        Speed factor, > 0: 0.8 makes the signal 1.25 times longer.

    Returns
    -------
    ndarray of shape (about n_samples / rate,), dtype float32
        The length changes: pad or trim it (:func:`skser.audio.fix_length`)
        when a fixed length is needed.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import time_stretch
    >>> time_stretch(np.ones(8000, dtype="float32"), rate=0.8).shape
    (10000,)
    """
    if not rate > 0:
        raise ValueError(f"rate must be > 0, got {rate}")
    y, n_fft = _vocoder_input(y, "time-stretch it")
    if rate == 1:
        return y.copy()
    return _checked_output(librosa.effects.time_stretch(y, rate=float(rate), n_fft=n_fft))


def apply_gain(y, gain_db: float) -> np.ndarray:
    """Scale the waveform by ``gain_db`` decibels.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Mono waveform.
    gain_db : float
        Gain in dB (amplitude factor ``10 ** (gain_db / 20)``). Samples are not
        clipped, so a positive gain may leave [-1, 1].

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import apply_gain
    >>> apply_gain(np.array([0.1, -0.2], dtype="float32"), gain_db=20.0)
    array([ 1., -2.], dtype=float32)
    """
    y = check_waveform(y)
    return _checked_output(y * 10.0 ** (gain_db / 20.0))


def time_shift(y, shift_s: float, sr: int) -> np.ndarray:
    """Delay (``shift_s > 0``) or advance (``shift_s < 0``) the waveform.

    Samples shifted past either end are dropped and the gap is filled with
    zeros (silence); nothing wraps around.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Mono waveform.
    shift_s : float
        Shift in seconds, rounded to whole samples.
    sr : int
        Sample rate of ``y`` in Hz.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import time_shift
    >>> time_shift(np.array([1, 2, 3, 4], dtype="float32"), shift_s=0.5, sr=2)
    array([0., 1., 2., 3.], dtype=float32)
    """
    y = check_waveform(y)
    n = y.shape[0]
    k = int(round(shift_s * sr))
    out = np.zeros_like(y)
    if k >= 0:
        out[k:] = y[: max(n - k, 0)]
    else:
        out[: max(n + k, 0)] = y[-k:]
    return out
