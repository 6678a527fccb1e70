"""Recording conditions as pure functions: noise at a signal-to-noise ratio, babble,
room reverberation, the telephone band, a low-bitrate codec, gain with clipping.

Each takes a mono float32 waveform and returns a new one of the same length, so
the same functions degrade test files (to measure robustness) and augment training
files (to make a model robust). Levels are measured on the waveform's active part
(frames within 40 dB of its loudest), so leading and trailing silence do not
change what "10 dB SNR" means.
"""

from __future__ import annotations

import io

import numpy as np
from scipy import signal

from ..exceptions import SkserError
from ._functional import active_rms, add_noise, apply_gain

__all__ = ["add_babble", "add_pink_noise", "band_limit", "reverberate", "telephone_band",
           "lossy_codec", "CONDITIONS", "apply_condition"]


def _rng(rng):
    return np.random.default_rng(rng)


def _at_snr(y: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    level = active_rms(y)
    noise_rms = float(np.sqrt(np.mean(noise.astype(np.float64) ** 2)))
    if level == 0 or noise_rms == 0:
        return np.asarray(y, dtype=np.float32).copy()
    scale = level / noise_rms * 10 ** (-snr_db / 20)
    return (y + scale * noise).astype(np.float32)


def _gain_clipped(y, gain_db: float) -> np.ndarray:
    """``y`` scaled by ``gain_db`` and clipped to [-1, 1], as a converter clips."""
    return np.clip(apply_gain(y, gain_db), -1.0, 1.0)


def add_pink_noise(y, snr_db: float, rng=None) -> np.ndarray:
    """``y`` plus pink noise (power falling 3 dB per octave) at ``snr_db`` relative to
    its active level (:func:`active_rms`).

    Pink noise has the spectral tilt of much real background noise (fans, traffic,
    crowds) and, unlike white noise, masks low frequencies more than high ones.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import active_rms, add_pink_noise
    >>> y = np.sin(np.linspace(0, 2000, 16000)).astype("float32")
    >>> noise = add_pink_noise(y, snr_db=10.0, rng=0) - y
    >>> round(float(20 * np.log10(active_rms(y) / np.sqrt(np.mean(noise ** 2)))), 1)
    10.0
    """
    y = np.asarray(y, dtype=np.float32)
    white = np.fft.rfft(_rng(rng).standard_normal(len(y)))
    freqs = np.arange(len(white), dtype=np.float64)
    freqs[0] = 1.0  # no infinite gain at DC
    pink = np.fft.irfft(white / np.sqrt(freqs), n=len(y))
    return _at_snr(y, pink, snr_db)


def band_limit(y, sr: int, low_hz: float, high_hz: float) -> np.ndarray:
    """``y`` through a band-pass filter (4th-order Butterworth, ``low_hz`` to
    ``high_hz``), as a small loudspeaker, a cheap microphone or a phone line
    would pass it.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import band_limit
    >>> t = np.arange(16000) / 16000
    >>> y = (np.sin(2 * np.pi * 100 * t) + np.sin(2 * np.pi * 1000 * t)).astype("float32")
    >>> out = band_limit(y, 16000, 300.0, 3400.0)
    >>> spectrum = np.abs(np.fft.rfft(out))
    >>> bool(spectrum[1000] > 10 * spectrum[100])  # 1 kHz passes, 100 Hz does not
    True
    """
    y = np.asarray(y, dtype=np.float32)
    if not 0 < low_hz < high_hz < sr / 2:
        raise SkserError(
            f"band_limit needs 0 < low_hz < high_hz < sr / 2 = {sr / 2:g} Hz, got "
            f"low_hz={low_hz}, high_hz={high_hz}"
        )
    sos = signal.butter(4, [low_hz, high_hz], btype="bandpass", fs=sr, output="sos")
    return signal.sosfilt(sos, y).astype(np.float32)


def add_babble(y, others, snr_db: float, rng=None) -> np.ndarray:
    """``y`` plus babble at ``snr_db``: the sum of several other talkers' waveforms.

    Parameters
    ----------
    y : ndarray of shape (n,)
    others : sequence of ndarray
        Waveforms of other speakers (at least one), looped or cut to ``len(y)``,
        each normalized to the same active level before they are summed.
    snr_db : float
    rng : int, Generator or None
        Chooses each talker's starting point.
    """
    y = np.asarray(y, dtype=np.float32)
    if len(others) == 0:
        raise SkserError("add_babble needs at least one other waveform")
    rng = _rng(rng)
    babble = np.zeros(len(y))
    for other in others:
        other = np.asarray(other, dtype=np.float64)
        level = active_rms(other)
        if level == 0:
            continue
        start = int(rng.integers(len(other)))
        babble += np.resize(np.roll(other, -start), len(y)) / level
    return _at_snr(y, babble, snr_db)


def reverberate(y, sr: int, rt60: float, rng=None) -> np.ndarray:
    """``y`` in a simulated room: convolved with an impulse response whose energy
    decays by 60 dB in ``rt60`` seconds (exponentially decaying noise after a
    direct path), scaled to keep the active level.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.zeros(16000, dtype="float32"); y[100] = 1.0
    >>> wet = reverberate(y, 16000, rt60=0.5, rng=0)
    >>> wet.shape, bool(np.abs(wet[4100:]).max() > 0)  # a tail after the click
    ((16000,), True)
    """
    y = np.asarray(y, dtype=np.float32)
    if rt60 <= 0:
        raise SkserError(f"rt60 must be > 0 seconds, got {rt60}")
    rng = _rng(rng)
    n = int(rt60 * sr)
    t = np.arange(n) / sr
    ir = rng.standard_normal(n) * 10 ** (-3 * t / rt60)  # -60 dB at rt60
    ir[0] = 1.0  # the direct path
    ir /= np.sqrt((ir ** 2).sum())
    wet = signal.fftconvolve(y, ir)[: len(y)]
    level, wet_level = active_rms(y), active_rms(wet)
    if wet_level > 0:
        wet *= level / wet_level
    return wet.astype(np.float32)


def telephone_band(y, sr: int) -> np.ndarray:
    """``y`` as a telephone line carries it: resampled to 8 kHz, band-passed to
    300-3400 Hz, and back to ``sr``."""
    import soxr

    y = np.asarray(y, dtype=np.float32)
    narrow = soxr.resample(y, sr, 8000) if sr != 8000 else y
    sos = signal.butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")
    narrow = signal.sosfilt(sos, narrow)
    wide = soxr.resample(narrow.astype(np.float32), 8000, sr) if sr != 8000 else narrow
    return np.resize(wide, len(y)).astype(np.float32)


def lossy_codec(y, sr: int, compression_level: float = 1.0) -> np.ndarray:
    """``y`` through a lossy codec: Ogg Vorbis, encoded and decoded in memory.

    ``compression_level`` runs from 0 (highest quality) to 1, the lowest quality
    (about 15 kbit/s at 16 kHz), the default.
    """
    import soundfile as sf

    y = np.asarray(y, dtype=np.float32)
    if not 0.0 <= compression_level <= 1.0:
        raise SkserError(f"compression_level must be in [0, 1], got {compression_level}")
    buf = io.BytesIO()
    sf.write(buf, np.clip(y, -1, 1), sr, format="OGG", subtype="VORBIS",
             compression_level=float(compression_level))
    buf.seek(0)
    decoded, _ = sf.read(buf, dtype="float32")
    return np.resize(decoded, len(y)).astype(np.float32)


#: Named conditions of the robustness benchmark: name -> (function name, settings).
CONDITIONS: dict[str, tuple[str, dict]] = {
    "clean": ("clean", {}),
    "white noise 20 dB": ("noise", {"snr_db": 20.0}),
    "white noise 10 dB": ("noise", {"snr_db": 10.0}),
    "white noise 5 dB": ("noise", {"snr_db": 5.0}),
    "babble 20 dB": ("babble", {"snr_db": 20.0}),
    "babble 10 dB": ("babble", {"snr_db": 10.0}),
    "babble 5 dB": ("babble", {"snr_db": 5.0}),
    "room RT60 0.3 s": ("reverb", {"rt60": 0.3}),
    "room RT60 0.8 s": ("reverb", {"rt60": 0.8}),
    "telephone band": ("telephone", {}),
    "low-bitrate codec": ("codec", {}),
    "gain -20 dB": ("gain", {"gain_db": -20.0}),
    "gain +10 dB, clipped": ("gain", {"gain_db": 10.0}),
}


def apply_condition(name: str, y, sr: int, *, rng=None, others=()) -> np.ndarray:
    """Degrade waveform ``y`` by the condition ``name`` of :data:`CONDITIONS`.

    ``others`` are other talkers' waveforms, for babble.
    """
    if name not in CONDITIONS:
        raise SkserError(f"unknown condition {name!r}; choose one of: {', '.join(CONDITIONS)}")
    kind, settings = CONDITIONS[name]
    y = np.asarray(y, dtype=np.float32)
    if kind == "clean":
        return y.copy()
    if kind == "noise":
        return add_noise(y, settings["snr_db"], rng=rng, reference="active")
    if kind == "babble":
        return add_babble(y, others, settings["snr_db"], rng=rng)
    if kind == "reverb":
        return reverberate(y, sr, settings["rt60"], rng=rng)
    if kind == "telephone":
        return telephone_band(y, sr)
    if kind == "codec":
        return lossy_codec(y, sr)
    return _gain_clipped(y, settings["gain_db"])
