"""A synthetic emotional-speech corpus laid out like RAVDESS, for tests and demos.

Each file is a source-filter imitation of a short spoken phrase: a glottal pulse
train at a fundamental frequency that follows a pitch contour, plus aspiration
noise, shaped by a spectral-tilt filter and vowel formant resonators, cut into
syllables with consonant noise bursts. Emotion sets the prosody (pitch level and
range, final rise or fall, syllable rate, loudness, spectral tilt, jitter,
shimmer, breathiness, tremor); each speaker has its own pitch, vocal-tract
length, loudness, tempo and way of expressing each emotion; each utterance
varies at random around those. The task is learnable from prosody but not
trivially, above all across speakers.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import soundfile as sf
from scipy import ndimage, signal

from ..exceptions import LabelError
from ._corpora import _parse_builtin
from ._vocabulary import EMOTIONS, normalize_emotion

__all__ = ["make_synthetic_corpus"]

# Prosody per emotion, relative to a neutral voice (values loosely follow the
# vocal-affect literature: Juslin & Laukka 2003). Columns:
# pitch offset (semitones), accent size (semitones), final rise (semitones),
# syllable rate (1/s), loudness (dB), tilt pole (higher: duller, softer voice),
# jitter and shimmer (relative per-cycle deviation), breathiness (aspiration
# noise / voice), tremor depth (semitones, at about 6 Hz).
_PROSODY_FIELDS = ("pitch", "accent", "final", "rate", "loud", "tilt",
                   "jitter", "shimmer", "breath", "tremor")
_PROSODY = {
    "neutral":   (0.0, 2.0, -2.0, 4.2, 0.0, 0.950, 0.010, 0.05, 0.05, 0.0),
    "calm":      (-1.0, 1.5, -2.0, 3.6, -3.0, 0.962, 0.008, 0.04, 0.10, 0.0),
    "happy":     (3.0, 4.5, 0.0, 4.8, 3.0, 0.935, 0.012, 0.06, 0.05, 0.0),
    "sad":       (-2.0, 1.0, -3.0, 3.2, -5.0, 0.970, 0.020, 0.08, 0.15, 0.3),
    "angry":     (2.0, 3.5, -3.0, 5.0, 7.0, 0.900, 0.015, 0.07, 0.03, 0.0),
    "fearful":   (5.0, 2.5, 0.0, 5.4, 0.0, 0.940, 0.025, 0.09, 0.12, 0.8),
    "disgust":   (-1.0, 3.0, -3.0, 3.4, 1.0, 0.945, 0.020, 0.07, 0.08, 0.0),
    "surprised": (4.0, 6.0, 4.0, 4.4, 3.0, 0.935, 0.012, 0.06, 0.06, 0.0),
}
# Strong intensity exaggerates an emotion's departure from neutral by this factor.
_STRONG = 1.6

# Formants F1-F4 (Hz) of five vowels for an adult male vocal tract, and their bandwidths.
_VOWELS = np.array([
    [730, 1090, 2440, 3400],   # a
    [270, 2290, 3010, 3500],   # i
    [300, 870, 2240, 3300],    # u
    [530, 1840, 2480, 3500],   # e
    [570, 840, 2410, 3300],    # o
], dtype=float)
_BANDWIDTHS = np.array([70.0, 100.0, 130.0, 170.0])

_MALE_F0, _FEMALE_F0 = 115.0, 205.0
_BASE_RMS = 0.04
_PEAK = 0.95
_NOISE_FLOOR = 3e-4


def _seed_from(random_state) -> int:
    if random_state is None:
        # entropy drawn from the OS is an int (a given one could be a sequence)
        return int(cast(int, np.random.SeedSequence().entropy) % 2**63)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2**31))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63))
    if isinstance(random_state, int | np.integer) and random_state >= 0:
        return int(random_state)
    raise ValueError(
        f"random_state must be a non-negative int, None, a numpy RandomState or Generator; "
        f"got {random_state!r}"
    )


def _check_count(name: str, value, high: int) -> int:
    if not isinstance(value, int | np.integer) or not 1 <= value <= high:
        raise ValueError(f"{name} must be an int from 1 to {high} (two digits in RAVDESS "
                         f"file names), got {value!r}")
    return int(value)


def _statement(seed: int, statement: int) -> dict:
    """The fixed shape of a statement: its syllables' vowels, lengths and stresses."""
    rng = np.random.default_rng([seed, 1, statement])
    n = int(rng.integers(5, 9))
    stress = rng.random(n) < 0.4
    stress[rng.integers(n)] = True
    return {
        "vowels": rng.integers(len(_VOWELS), size=n),
        "weights": rng.uniform(0.7, 1.3, size=n) * np.where(stress, 1.3, 1.0),
        "stress": stress,
        "fricative": rng.random(n) < 0.5,
    }


def _speaker(seed: int, speaker: int) -> dict:
    """A speaker's voice: odd ids are male, as in RAVDESS."""
    rng = np.random.default_rng([seed, 2, speaker])
    male = speaker % 2 == 1
    return {
        "f0": (_MALE_F0 if male else _FEMALE_F0) * np.exp(rng.normal(0, 0.12)),
        "tract": (1.0 if male else 1.15) * np.exp(rng.normal(0, 0.04)),
        "loud": rng.normal(0, 2.0),
        "rate": np.exp(rng.normal(0, 0.10)),
        "tilt": rng.normal(0, 0.008),
        "expressive": np.exp(rng.normal(0, 0.25)),
        # How this speaker plays each emotion: pitch (st), rate (log), loudness (dB).
        "style": rng.normal(0, [1.0, 0.08, 1.5], size=(len(EMOTIONS), 3)),
    }


def _prosody(emotion: str, strong: bool, voice: dict, rng: np.random.Generator) -> dict:
    neutral = np.array(_PROSODY["neutral"])
    target = np.array(_PROSODY[emotion])
    scale = voice["expressive"] * (_STRONG if strong else 1.0)
    p = dict(zip(_PROSODY_FIELDS, neutral + scale * (target - neutral)))
    style = voice["style"][EMOTIONS.index(emotion)]
    p["pitch"] += style[0] + rng.normal(0, 0.8)
    p["accent"] = max(p["accent"] * np.exp(rng.normal(0, 0.2)), 0.2)
    p["final"] += rng.normal(0, 1.0)
    p["rate"] = max(p["rate"], 1.5) * voice["rate"] * np.exp(style[1] + rng.normal(0, 0.08))
    p["loud"] += voice["loud"] + style[2] + rng.normal(0, 1.5)
    p["tilt"] = float(np.clip(p["tilt"] + voice["tilt"] + rng.normal(0, 0.006), 0.85, 0.985))
    for key in ("jitter", "shimmer", "breath"):
        p[key] = max(p[key], 0.0) * np.exp(rng.normal(0, 0.2))
    p["tremor"] = max(p["tremor"], 0.0)
    return p


def _syllables(shape: dict, rate: float, start: float, stop: float, rng) -> list[tuple]:
    """(onset, length, vowel index, stressed, fricative) of each syllable, in seconds.

    The statement repeats, after a short pause, until ``stop``.
    """
    out, t, k = [], start, 0
    n = len(shape["vowels"])
    while t < stop:
        i = k % n
        length = shape["weights"][i] / rate * np.exp(rng.normal(0, 0.1))
        out.append((t, length, shape["vowels"][i], shape["stress"][i], shape["fricative"][i]))
        t += length
        k += 1
        if k % n == 0:
            t += rng.uniform(0.15, 0.35)
    return out


def _resonators(formants: np.ndarray, sr: int) -> np.ndarray:
    """Cascade of unit-DC-gain two-pole resonators (Klatt), as second-order sections."""
    freqs = np.minimum(formants, 0.45 * sr)
    r = np.exp(-np.pi * _BANDWIDTHS[: len(freqs)] / sr)
    a1 = -2 * r * np.cos(2 * np.pi * freqs / sr)
    a2 = r**2
    ones, zeros = np.ones_like(r), np.zeros_like(r)
    return np.stack([1 + a1 + a2, zeros, zeros, ones, a1, a2], axis=1)


@functools.lru_cache(maxsize=8)
def _fricative_band(sr: int) -> np.ndarray:
    """Band-pass (second-order sections) that shapes white noise into a fricative."""
    band = [min(2500.0, 0.3 * sr), min(6500.0, 0.45 * sr)]
    return signal.butter(4, band, "bandpass", fs=sr, output="sos")


def _utterance(shape: dict, voice: dict, p: dict, sr: int, duration: float, rng) -> np.ndarray:
    n = int(round(duration * sr))
    t = np.arange(n) / sr
    lead = rng.uniform(0.05, 0.2) * min(duration, 2.0)
    sylls = _syllables(shape, p["rate"], lead, duration - 0.05 * duration, rng)

    voicing = np.zeros(n)
    frication = np.zeros(n)
    accent = np.zeros(n)
    vowel_weight = np.zeros((len(_VOWELS), n))
    for onset, length, vowel, stressed, fricative in sylls:
        cons = 0.25 * length
        i0, i1, i2 = (min(int(x * sr), n) for x in (onset, onset + cons, onset + length))
        if i1 < i2:
            # A sin^0.7 hump: fast attack and release, a sustained vowel.
            hump = np.sin(np.linspace(0, np.pi, i2 - i1)) ** 0.7
            voicing[i1:i2] = hump * (1.0 if stressed else 0.65)
            vowel_weight[vowel, i1:i2] = 1.0
        if i0 < i1:
            frication[i0:i1] = np.hanning(i1 - i0 + 2)[1:-1] * (0.5 if fricative else 0.2)
        if stressed:
            centre = onset + 0.6 * length
            accent += np.exp(-0.5 * ((t - centre) / (0.35 * length)) ** 2)
    # Coarticulation: formant weights glide over about 40 ms instead of jumping
    # (two box filters make a triangular window).
    width = max(int(0.02 * sr), 1)
    for _ in range(2):
        vowel_weight = ndimage.uniform_filter1d(vowel_weight, width, axis=1, mode="constant")
    vowel_weight /= np.maximum(vowel_weight.sum(axis=0), 1e-9)

    # Pitch contour in semitones around the speaker's own f0.
    end = sylls[-1][0] + sylls[-1][1] if sylls else duration
    progress = np.clip((t - lead) / max(end - lead, 1e-3), 0, 1)
    drift = sum(0.3 * np.sin(2 * np.pi * rng.uniform(0.3, 1.0) * t + rng.uniform(0, 2 * np.pi))
                for _ in range(2))
    tremor = p["tremor"] * np.sin(2 * np.pi * rng.uniform(5, 7) * t)
    semitones = (p["pitch"] + p["accent"] * accent + p["final"] * progress**3 + drift
                 + tremor)
    f0 = voice["f0"] * 2 ** (semitones / 12)

    # Jitter: every glottal cycle gets its own period deviation.
    n_cycles = int(np.sum(f0) / sr) + 2
    cycle = np.floor(np.cumsum(f0) / sr).astype(int)
    f0 = f0 * (1 + p["jitter"] * rng.standard_normal(n_cycles))[cycle]
    phase = np.cumsum(f0) / sr
    cycle = np.floor(phase).astype(int)
    starts = np.flatnonzero(np.diff(cycle)) + 1
    # Pulses at their fractional position (linear split between two samples).
    frac = (phase[starts] - cycle[starts]) / np.maximum(f0[starts] / sr, 1e-9)
    shimmer = 1 + p["shimmer"] * rng.standard_normal(len(starts))
    amp = voicing[starts] * shimmer
    pulses = np.zeros(n + 1)
    np.add.at(pulses, starts - 1, amp * np.clip(frac, 0, 1))
    np.add.at(pulses, starts, amp * (1 - np.clip(frac, 0, 1)))
    pulses = pulses[:n]

    # Glottal spectral tilt (two poles), then lip radiation (a first difference).
    a = p["tilt"]
    source = signal.lfilter([1.0], [1.0, -2 * a, a * a], pulses)
    source = np.diff(source, prepend=0.0)
    voiced = voicing > 0.1
    source /= np.sqrt(np.mean(source[voiced] ** 2)) if voiced.any() else 1.0
    source += p["breath"] * 3 * voicing * rng.standard_normal(n)

    speech = np.zeros(n)
    for v, formants in enumerate(_VOWELS):
        if vowel_weight[v].any():
            sos = _resonators(formants * voice["tract"], sr)
            speech += vowel_weight[v] * signal.sosfilt(sos, source)
    hiss = signal.sosfilt(_fricative_band(sr), rng.standard_normal(n))
    speech += 0.15 * frication * hiss / max(np.std(hiss), 1e-9)

    active = (voicing > 0.1) | (frication > 0.05)
    rms = np.sqrt(np.mean(speech[active] ** 2)) if active.any() else 1.0
    speech *= _BASE_RMS * 10 ** (p["loud"] / 20) / max(rms, 1e-12)
    speech += _NOISE_FLOOR * rng.standard_normal(n)
    peak = np.max(np.abs(speech))
    if peak > _PEAK:
        speech *= _PEAK / peak
    return speech


def make_synthetic_corpus(
    root=None,
    *,
    n_speakers: int = 8,
    n_statements: int = 2,
    n_repetitions: int = 2,
    emotions=None,
    sr: int = 16000,
    duration: float = 2.0,
    random_state=0,
) -> pd.DataFrame:
    """Write a small synthetic emotional-speech corpus laid out like RAVDESS.

    Files are ``root/Actor_NN/03-01-EE-II-SS-RR-NN.wav`` (16-bit PCM, mono):
    every speaker says every statement ``n_repetitions`` times in every
    emotion, at normal and strong intensity, except neutral (normal only, as
    in RAVDESS). The signals imitate voiced speech (see the module docstring):
    emotion drives the prosody, speakers differ in voice and in how they play
    each emotion, and every utterance varies at random, so emotions are
    learnable from prosodic features but not perfectly, least of all for unseen
    speakers. Odd speaker ids are male voices (lower pitch, longer vocal
    tract), even ids female.

    Parameters
    ----------
    root : str, os.PathLike or None, default=None
        Folder to write into (created if needed; files of the same names are
        overwritten); ``None`` creates a new temporary folder, which is not
        deleted.
    n_speakers : int, default=8
        Number of speakers, 1-99.
    n_statements : int, default=2
        Number of distinct phrases (syllable patterns), 1-99.
    n_repetitions : int, default=2
        Takes of each phrase per emotion and intensity, 1-99.
    emotions : iterable of str or None, default=None
        Emotions to record, from :data:`EMOTIONS` (synonyms such as ``"anger"``
        are accepted); ``None``: all eight.
    sr : int, default=16000
        Sample rate in Hz (at least 8000).
    duration : float, default=2.0
        Length of every file in seconds (at least 0.25).
    random_state : int, numpy RandomState/Generator or None, default=0
        Seed; the same value writes byte-identical files.

    Returns
    -------
    df : pandas.DataFrame
        What :func:`load_ravdess` returns for the written files, with ``corpus``
        ``"synthetic"`` and speakers ``"synthetic_01"``...: columns ``path``,
        ``emotion``, ``speaker``, ``corpus``, ``gender``, ``intensity``,
        ``statement``, ``repetition``; ``n_speakers * n_statements *
        n_repetitions * (2 * n_emotions - 1)`` rows when neutral is among the
        emotions, ``... * 2 * n_emotions`` otherwise.

    Raises
    ------
    ValueError
        If a count, ``sr`` or ``duration`` is out of range.
    LabelError
        If ``emotions`` names an emotion outside the vocabulary.

    See Also
    --------
    load_ravdess : The loader whose output this mimics.

    Examples
    --------
    >>> from skser.datasets import make_synthetic_corpus
    >>> df = make_synthetic_corpus(n_speakers=2, n_statements=1, n_repetitions=1,
    ...                            emotions=["neutral", "angry"], duration=0.5)
    >>> df[["emotion", "speaker", "intensity"]]
       emotion       speaker intensity
    0  neutral  synthetic_01    normal
    1    angry  synthetic_01    normal
    2    angry  synthetic_01    strong
    3  neutral  synthetic_02    normal
    4    angry  synthetic_02    normal
    5    angry  synthetic_02    strong
    """
    n_speakers = _check_count("n_speakers", n_speakers, 99)
    n_statements = _check_count("n_statements", n_statements, 99)
    n_repetitions = _check_count("n_repetitions", n_repetitions, 99)
    if not isinstance(sr, int | np.integer) or sr < 8000:
        raise ValueError(f"sr must be an int sample rate of at least 8000 Hz, got {sr!r}")
    if not np.isfinite(duration) or duration < 0.25:
        raise ValueError(f"duration must be at least 0.25 seconds, got {duration!r}")
    if emotions is None:
        emotions = EMOTIONS
    else:
        emotions = [emotions] if isinstance(emotions, str) else list(emotions)
        unknown = [e for e in emotions if normalize_emotion(e) is None]
        if unknown or not emotions:
            raise LabelError(f"emotions must be taken from {', '.join(EMOTIONS)}; got "
                             f"{unknown or 'none'}")
        wanted = {normalize_emotion(e) for e in emotions}
        emotions = [e for e in EMOTIONS if e in wanted]
    seed = _seed_from(random_state)
    root = Path(tempfile.mkdtemp(prefix="skser_synthetic_") if root is None else root)
    root = root.expanduser().resolve()

    shapes = [_statement(seed, s) for s in range(1, n_statements + 1)]
    written = []
    for speaker in range(1, n_speakers + 1):
        voice = _speaker(seed, speaker)
        folder = root / f"Actor_{speaker:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for emotion in emotions:
            code = EMOTIONS.index(emotion) + 1
            for intensity in (1,) if emotion == "neutral" else (1, 2):
                for statement, shape in enumerate(shapes, start=1):
                    for rep in range(1, n_repetitions + 1):
                        rng = np.random.default_rng(
                            [seed, 3, speaker, code, intensity, statement, rep]
                        )
                        prosody = _prosody(emotion, intensity == 2, voice, rng)
                        y = _utterance(shape, voice, prosody, int(sr), float(duration), rng)
                        path = folder / (f"03-01-{code:02d}-{intensity:02d}-{statement:02d}"
                                         f"-{rep:02d}-{speaker:02d}.wav")
                        sf.write(path, y, int(sr), subtype="PCM_16")
                        written.append(path)
    return _parse_builtin("ravdess", written, corpus="synthetic", where=str(root))
