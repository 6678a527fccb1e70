"""Pure functions that read and shape audio.

Decoding uses :mod:`soundfile` (WAV, FLAC, Ogg Vorbis/Opus, MP3 with libsndfile
>= 1.1) and resampling uses :mod:`soxr`; librosa's audioread fallback is slow and
deprecated, so it is never used.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from ..exceptions import AudioLoadError, InvalidAudioError

__all__ = [
    "DEFAULT_SR",
    "DEFAULT_DURATION",
    "DEFAULT_OFFSET",
    "load_audio",
    "fix_length",
    "trim_silence",
    "check_waveform",
    "is_path_like",
]

# The defaults of every audio step (AudioLoader, Augmenter, AcousticFeatures,
# MelImage, MFCCImage), so that the steps of one pipeline read a file alike
# unless told otherwise; documented where they are public, in skser/audio/__init__.py.
DEFAULT_SR = 16000
DEFAULT_DURATION = 3.0
DEFAULT_OFFSET = 0.0


def is_path_like(x) -> bool:
    """Return True when ``x`` names a file (``str`` or :class:`os.PathLike`)."""
    return isinstance(x, str | os.PathLike)


def check_waveform(y, source="waveform") -> np.ndarray:
    """Validate a mono waveform and return it as contiguous float32.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Samples, nominally in [-1, 1].
    source : str
        Name of the input, used in error messages (a file path or ``"row 3"``).

    Returns
    -------
    y : ndarray of shape (n_samples,), dtype float32

    Raises
    ------
    InvalidAudioError
        If ``y`` is not 1-D numeric, is empty, or holds NaN or infinite values.

    Examples
    --------
    >>> from skser.audio import check_waveform
    >>> check_waveform([0, 1, -1])
    array([ 0.,  1., -1.], dtype=float32)
    >>> check_waveform([0.0, float("nan")], source="row 3")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skser.exceptions.InvalidAudioError: row 3: holds 1 NaN or infinite sample(s); ...
    """
    try:
        y = np.asarray(y)
    except (TypeError, ValueError) as exc:
        raise InvalidAudioError(source, f"cannot be read as a numeric array ({exc})") from None
    if y.dtype.kind not in "biuf":
        raise InvalidAudioError(source, f"expected numeric samples, got dtype {y.dtype}")
    if y.ndim != 1:
        raise InvalidAudioError(
            source, f"expected a 1-D mono waveform, got an array of shape {y.shape}"
        )
    if y.size == 0:
        raise InvalidAudioError(source, "holds no samples (zero-length audio)")
    y = np.ascontiguousarray(y, dtype=np.float32)
    finite = np.isfinite(y)
    if not finite.all():
        n_bad = int((~finite).sum())
        raise InvalidAudioError(
            source, f"holds {n_bad} NaN or infinite sample(s); audio must be finite"
        )
    return y


#: Leading silence that ``trim_db`` can skip in a file: the audio steps read this much
#: more than ``duration`` when they trim.
MAX_LEADING_SILENCE = 10.0


def trim_silence(y: np.ndarray, sr: int, top_db: float = 40.0) -> np.ndarray:
    """``y`` without the leading and trailing audio quieter than the loudest part by
    ``top_db`` dB.

    The level is the RMS of 25 ms frames (every 10 ms), relative to the file's own
    loudest frame, so it works whatever the recording level: a quiet file is
    trimmed like a loud one. A silent or all-quiet waveform is returned unchanged.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Mono waveform.
    sr : int
        Sample rate in Hz.
    top_db : float, default=40.0
        Frames more than ``top_db`` dB below the loudest count as silence.

    Returns
    -------
    ndarray of shape (n_kept,), float32
        A view of ``y`` from the first frame to the end of the last frame within
        ``top_db`` of the loudest.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.audio import trim_silence
    >>> sr = 16000
    >>> speech = 0.3 * np.sin(2 * np.pi * 200 * np.arange(sr) / sr)
    >>> y = np.concatenate([np.zeros(sr), speech, 1e-4 * np.ones(sr // 2)]).astype("float32")
    >>> len(trim_silence(y, sr)) / sr  # the second of speech, within a frame on each side
    1.035
    """
    y = np.asarray(y, dtype=np.float32)
    frame, hop = max(int(0.025 * sr), 1), max(int(0.010 * sr), 1)
    if len(y) < frame:
        return y
    n = 1 + (len(y) - frame) // hop
    frames = np.lib.stride_tricks.sliding_window_view(y, frame)[::hop][:n]
    power = np.mean(np.square(frames, dtype=np.float64), axis=1)
    peak = power.max()
    if not peak > 0:
        return y
    loud = np.flatnonzero(power >= peak * 10.0 ** (-top_db / 10.0))
    return y[loud[0] * hop: loud[-1] * hop + frame]


def fix_length(y: np.ndarray, size: int) -> np.ndarray:
    """Zero-pad at the end, or trim the end, so that ``len(y) == size``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    size : int
        Target length in samples.

    Returns
    -------
    ndarray of shape (size,), same dtype as ``y``

    Examples
    --------
    >>> import numpy as np
    >>> from skser.audio import fix_length
    >>> fix_length(np.array([1.0, 2.0, 3.0]), 5)
    array([1., 2., 3., 0., 0.])
    >>> fix_length(np.array([1.0, 2.0, 3.0]), 2)
    array([1., 2.])
    """
    n = y.shape[0]
    if n == size:
        return y
    if n > size:
        return y[:size]
    out = np.zeros(size, dtype=y.dtype)
    out[:n] = y
    return out


def _to_mono(data: np.ndarray, path) -> np.ndarray:
    if data.ndim == 1:
        return data
    if data.shape[1] == 0:
        raise AudioLoadError(path, "holds no channels")
    return data.mean(axis=1)


def check_audio_path(path) -> Path:
    """``path`` as a Path, or an AudioLoadError if it is missing or not a regular file.

    A FIFO or a device is refused before it is opened: reading one could block
    forever or never end.
    """
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        raise AudioLoadError(path, "no such file") from None
    except OSError as exc:
        raise AudioLoadError(path, f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise AudioLoadError(path, "is a directory, not an audio file")
    if not stat.S_ISREG(mode):
        raise AudioLoadError(path, "is not a regular file (a FIFO, socket or device)")
    return p


@contextmanager
def audio_errors(path):
    """Turn soundfile's and the OS's errors while opening or reading ``path`` into an
    AudioLoadError that names the file and the problem."""
    try:
        yield
    except PermissionError:
        raise AudioLoadError(path, "permission denied (the file cannot be read)") from None
    except sf.LibsndfileError as exc:
        size = Path(path).stat().st_size
        why = "the file is empty (0 bytes)" if size == 0 else f"not a readable audio file ({exc})"
        raise AudioLoadError(path, why) from None
    except (RuntimeError, OSError, TypeError) as exc:
        raise AudioLoadError(path, f"could not be decoded ({exc})") from None


def load_audio(
    path,
    *,
    sr: int | None = DEFAULT_SR,
    mono: bool = True,
    offset: float = DEFAULT_OFFSET,
    duration: float | None = None,
) -> np.ndarray:
    """Read an audio file as float32, optionally resampled and cut.

    Parameters
    ----------
    path : str or os.PathLike
        Any format soundfile reads (WAV, FLAC, OGG/Opus, MP3 ...).
    sr : int or None, default=16000
        Target sample rate in Hz; ``None`` keeps the file's own rate.
    mono : bool, default=True
        Average the channels to one. With ``False`` the result has shape
        (n_channels, n_samples).
    offset : float, default=0.0
        Start reading this many seconds into the file.
    duration : float or None, default=None
        Read at most this many seconds; ``None`` reads to the end. The result is
        not padded: see :func:`fix_length`.

    Returns
    -------
    y : ndarray of shape (n_samples,) or (n_channels, n_samples), dtype float32

    Raises
    ------
    AudioLoadError
        If the path is missing, a directory, unreadable, or not decodable audio.
    InvalidAudioError
        If the decoded audio is empty after ``offset`` or holds NaN/Inf samples.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.audio import load_audio
    >>> path = Path(tempfile.mkdtemp()) / "tone.wav"
    >>> sf.write(path, 0.5 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000), 8000)
    >>> y = load_audio(path)  # one second at 8 kHz, resampled to 16 kHz
    >>> y.shape, y.dtype
    ((16000,), dtype('float32'))
    >>> load_audio(path, sr=None, offset=0.25, duration=0.5).shape
    (4000,)
    """
    p = check_audio_path(path)
    if offset < 0:
        raise ValueError(f"offset must be >= 0 seconds, got {offset}")
    if duration is not None and duration <= 0:
        raise ValueError(f"duration must be > 0 seconds or None, got {duration}")
    if sr is not None and sr <= 0:
        raise ValueError(f"sr must be a positive sample rate in Hz or None, got {sr}")
    with audio_errors(path), sf.SoundFile(str(p)) as f:
        native_sr = f.samplerate
        start = int(round(offset * native_sr))
        if start:
            f.seek(min(start, f.frames)) if f.seekable() else f.read(start)
        resampling = sr is not None and sr != native_sr
        if duration is None:
            frames = -1
        else:
            # Read 50 ms past the end when resampling, so the resampler's
            # filter sees real signal there rather than an abrupt cut.
            frames = int(round(duration * native_sr))
            frames += int(0.05 * native_sr) if resampling else 0
        data = f.read(frames=frames, dtype="float32", always_2d=True)
    if data.shape[0] == 0:
        where = f" after offset {offset} s" if offset else ""
        raise InvalidAudioError(path, f"holds no audio samples{where}")
    if not np.isfinite(data).all():
        raise InvalidAudioError(path, "holds NaN or infinite samples")
    y = _to_mono(data, path) if mono else data.T
    if sr is not None and sr != native_sr:
        y = soxr.resample(y.T if y.ndim == 2 else y, native_sr, sr, quality="HQ")
        y = y.T if y.ndim == 2 else y
        if duration is not None:
            y = y[..., : int(round(duration * sr))]
    return np.ascontiguousarray(y, dtype=np.float32)
