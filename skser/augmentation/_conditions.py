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

__all__ = ["add_babble", "reverberate", "telephone_band", "lossy_codec",
           "CONDITIONS", "apply_condition"]

def _rng(rng):
    return np.random.default_rng(rng)


def _at_snr(y: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    level = active_rms(y)
    noise_rms = float(np.sqrt(np.mean(noise.astype(np.float64) ** 2)))
    if level == 0 or noise_rms == 0:
        return np.asarray(y, dtype=np.float32).copy()
    scale = level / noise_rms * 10 ** (-snr_db / 20)
    return (y + scale * noise).astype(np.float32)


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


def lossy_codec(y, sr: int) -> np.ndarray:
    """``y`` through a low-bitrate codec: Ogg Vorbis at its lowest quality (about
    15 kbit/s at 16 kHz), encoded and decoded in memory."""
    import soundfile as sf

    y = np.asarray(y, dtype=np.float32)
    buf = io.BytesIO()
    sf.write(buf, np.clip(y, -1, 1), sr, format="OGG", subtype="VORBIS", compression_level=1.0)
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
    return np.clip(apply_gain(y, settings["gain_db"]), -1.0, 1.0)  # a converter clips
