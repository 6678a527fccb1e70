"""Pure functions from one waveform to its utterance statistics (AcousticFeatures's).

Frame-level features (zero-crossing rate, chroma, MFCCs, RMS, mel and log-mel
bands, f0, spectral shape) come from the spectrogram functions of
:mod:`skser.features._spectrogram` (one STFT per signal), then each is
summarised over the frames by statistics (mean, std, percentiles ...).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cached_property, lru_cache

import librosa
import numpy as np

from ._spectrogram import (
    AMIN,
    MFCC_TOP_DB,
    _dct_mfcc,
    _deltas,
    _mel_basis,
    _power_spectrum,
    _to_db,
)

__all__ = [
    "FEATURE_GROUPS",
    "STATISTICS",
    "acoustic_feature_names",
    "acoustic_feature_vector",
    "f0_range",
]

#: Search range of the ``"f0"`` feature in Hz, narrowed to what ``sr`` and
#: ``n_fft`` allow.
F0_RANGE = (65.0, 1000.0)
#: Lowest band edge in Hz of spectral contrast (librosa's default) and its number
#: of octave bands.
CONTRAST_FMIN = 200.0
CONTRAST_BANDS = 6

FEATURE_GROUPS = ("zcr", "chroma", "mfcc", "rms", "mel", "logmel", "f0", "spectral")
STATISTICS = ("mean", "std", "min", "max", "median", "p10", "p90", "skew")
_SPECTRAL_SHAPE = ("centroid", "bandwidth", "rolloff", "flatness")


class _Analysis:
    """The frame-wise representations of one signal, each computed at most once."""

    def __init__(self, y, *, sr, n_fft, hop_length, n_mels, n_mfcc, n_chroma, deltas):
        self.y = y
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.n_mfcc = n_mfcc
        self.n_chroma = n_chroma
        self.deltas = int(deltas)

    @cached_property
    def _magnitude(self) -> np.ndarray:
        return _power_spectrum(self.y, self.n_fft, self.hop_length, 1.0)

    @cached_property
    def _mel(self) -> np.ndarray:
        return _mel_basis(self.sr, self.n_fft, self.n_mels, 0.0, None) @ self._magnitude**2

    @cached_property
    def _log_mel(self) -> np.ndarray:
        return _to_db(self._mel, ref=1.0, top_db=MFCC_TOP_DB)

    # One method per feature group, named after it: (n_rows, n_frames) each.

    def zcr(self) -> np.ndarray:
        return librosa.feature.zero_crossing_rate(
            self.y, frame_length=self.n_fft, hop_length=self.hop_length
        )

    def rms(self) -> np.ndarray:
        return librosa.feature.rms(y=self.y, frame_length=self.n_fft, hop_length=self.hop_length)

    def chroma(self) -> np.ndarray:
        # From the magnitude spectrogram, not the power spectrogram chroma_stft
        # makes from a waveform, so that the default vector is the one of the
        # published 1-D CNN pipeline (see the reference pipelines page of the
        # documentation). Tuning estimation warns on silence and falls back to
        # 0 cents: harmless.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Trying to estimate tuning")
            return librosa.feature.chroma_stft(
                S=self._magnitude, sr=self.sr, n_chroma=self.n_chroma
            )

    def mfcc(self) -> np.ndarray:
        coeffs = _dct_mfcc(self._log_mel, self.n_mfcc)
        return np.concatenate([coeffs, *_deltas(coeffs, self.deltas)])

    def mel(self) -> np.ndarray:
        return self._mel

    def logmel(self) -> np.ndarray:
        return self._log_mel

    def f0(self) -> np.ndarray:
        fmin, fmax = f0_range(self.sr, self.n_fft)
        return librosa.yin(
            self.y, fmin=fmin, fmax=fmax, sr=self.sr,
            frame_length=self.n_fft, hop_length=self.hop_length,
        )[np.newaxis]

    def spectral(self) -> np.ndarray:
        S, sr, n_fft = self._magnitude, self.sr, self.n_fft
        contrast_fmin = min(CONTRAST_FMIN, 0.9 * sr / 2**CONTRAST_BANDS)
        return np.concatenate([
            librosa.feature.spectral_centroid(S=S, sr=sr, n_fft=n_fft),
            librosa.feature.spectral_bandwidth(S=S, sr=sr, n_fft=n_fft),
            librosa.feature.spectral_rolloff(S=S, sr=sr, n_fft=n_fft),
            librosa.feature.spectral_flatness(S=S, amin=AMIN),
            librosa.feature.spectral_contrast(
                S=S, sr=sr, n_fft=n_fft, fmin=contrast_fmin, n_bands=CONTRAST_BANDS
            ),
        ])


def f0_range(sr: int, frame_length: int) -> tuple[float, float]:
    """The ``"f0"`` search range in Hz: :data:`F0_RANGE`, narrowed so that
    two periods of the lowest pitch fit in a frame and the highest is below
    Nyquist."""
    return max(F0_RANGE[0], 2.0 * sr / frame_length + 1.0), min(F0_RANGE[1], sr / 2)


def _group_rows(group: str, *, n_mfcc: int, n_mels: int, n_chroma: int, deltas: int) -> list[str]:
    if group == "chroma":
        return [f"chroma{i}" for i in range(n_chroma)]
    if group == "mfcc":
        suffixes = ["", "_delta", "_delta2"][: 1 + int(deltas)]
        return [f"mfcc{i}{s}" for s in suffixes for i in range(n_mfcc)]
    if group in ("mel", "logmel"):
        return [f"{group}{i}" for i in range(n_mels)]
    if group == "spectral":
        return [f"spectral_{name}" for name in _SPECTRAL_SHAPE] + [
            f"spectral_contrast{i}" for i in range(CONTRAST_BANDS + 1)
        ]
    return [group]


def _check_choices(values: Sequence[str], allowed: Sequence[str], what: str) -> None:
    if isinstance(values, str):
        raise ValueError(f"{what} must be a sequence of names, got the string {values!r}")
    if len(values) == 0:
        raise ValueError(f"{what} is empty; choose from {list(allowed)}")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; choose from {list(allowed)}")
    if len(set(values)) != len(values):
        raise ValueError(f"{what} {list(values)} lists a name twice")


def acoustic_feature_names(
    *,
    features: Sequence[str] = ("zcr", "chroma", "mfcc", "rms", "mel"),
    stats: Sequence[str] = ("mean",),
    n_mfcc: int = 20,
    n_mels: int = 128,
    n_chroma: int = 12,
    deltas: int = 0,
) -> list[str]:
    """Names of the values :func:`acoustic_feature_vector` returns, in order.

    Groups come in the order of ``features``; within a group, statistics in
    the order of ``stats``, each over all of the group's rows:
    ``"mfcc3_mean"`` is the mean over frames of the fourth MFCC,
    ``"mfcc3_delta_std"`` the standard deviation of its delta.

    Raises
    ------
    ValueError
        For an unknown, repeated or missing group or statistic, or deltas
        without ``"mfcc"``.

    Examples
    --------
    >>> acoustic_feature_names(features=("zcr", "rms"), stats=("mean", "std"))
    ['zcr_mean', 'zcr_std', 'rms_mean', 'rms_std']
    """
    _check_choices(features, FEATURE_GROUPS, "features")
    _check_choices(stats, STATISTICS, "stats")
    if deltas and "mfcc" not in features:
        raise ValueError(f"deltas={deltas!r} are MFCC deltas: add 'mfcc' to features")
    names: list[str] = []
    for group in features:
        rows = _group_rows(group, n_mfcc=n_mfcc, n_mels=n_mels, n_chroma=n_chroma, deltas=deltas)
        names.extend(f"{row}_{stat}" for stat in stats for row in rows)
    return names


def _statistic(M: np.ndarray, stat: str) -> np.ndarray:
    if stat == "mean":
        return M.mean(axis=1)
    if stat == "std":
        return M.std(axis=1)
    if stat == "min":
        return M.min(axis=1)
    if stat == "max":
        return M.max(axis=1)
    if stat == "median":
        return np.median(M, axis=1)
    if stat in ("p10", "p90"):
        return np.percentile(M, float(stat[1:]), axis=1)
    centred = M - M.mean(axis=1, keepdims=True)
    m2 = np.mean(centred**2, axis=1)
    m3 = np.mean(centred**3, axis=1)
    # A constant row has no skew; the floor avoids 0/0 there.
    flat = m2 <= np.finfo(np.float32).tiny
    return np.where(flat, 0.0, m3 / np.where(flat, 1.0, m2) ** 1.5)


def acoustic_feature_vector(
    y: np.ndarray,
    *,
    sr: int,
    features: Sequence[str] = ("zcr", "chroma", "mfcc", "rms", "mel"),
    stats: Sequence[str] = ("mean",),
    n_mfcc: int = 20,
    n_mels: int = 128,
    n_chroma: int = 12,
    n_fft: int = 2048,
    hop_length: int = 512,
    deltas: int = 0,
) -> np.ndarray:
    """Utterance-level statistics of frame-wise acoustic features.

    The defaults give 162 values: the means over frames of the zero-crossing
    rate (1), chroma of the magnitude STFT (12), MFCCs (20), RMS energy (1) and
    mel power spectrogram (128).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Mono waveform sampled at ``sr`` Hz.
    sr : int
        Sample rate in Hz.
    features : sequence of str, default=("zcr", "chroma", "mfcc", "rms", "mel")
        Groups, in output order, from :data:`FEATURE_GROUPS`: ``"zcr"``
        zero-crossing rate; ``"chroma"`` ``n_chroma`` pitch classes;
        ``"mfcc"`` ``n_mfcc`` coefficients (plus deltas); ``"rms"`` energy;
        ``"mel"`` ``n_mels`` mel band powers; ``"logmel"`` the same in dB
        (0 dB at 1.0, floored :data:`MFCC_TOP_DB` dB below the peak); ``"f0"``
        YIN fundamental frequency in Hz (every frame, voiced or not; range
        :func:`f0_range`); ``"spectral"`` centroid (Hz), bandwidth (Hz),
        85 % roll-off (Hz), flatness and 7 contrast values (octave bands from
        200 Hz, lower when ``sr`` < 12.8 kHz so all bands fit under Nyquist).
    stats : sequence of str, default=("mean",)
        Statistics over frames, from :data:`STATISTICS` (``"p10"``/``"p90"``:
        10th/90th percentiles; ``"skew"``: 0 for a constant row).
    n_mfcc, n_mels, n_chroma : int, default=20, 128, 12
        Rows of the MFCC, mel and chroma groups.
    n_fft : int, default=2048
        FFT length, and frame length of ZCR, RMS and YIN, in samples.
    hop_length : int, default=512
        Samples between frames.
    deltas : {0, 1, 2} or bool, default=0
        Adds MFCC deltas (1 or True) and delta-deltas (2) to the MFCC group.

    Returns
    -------
    ndarray of shape (len(acoustic_feature_names(...)),), dtype float32

    See Also
    --------
    acoustic_feature_names : the name of each value.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.random.default_rng(0).uniform(-0.1, 0.1, 22050).astype(np.float32)
    >>> acoustic_feature_vector(y, sr=22050).shape
    (162,)
    """
    _feature_names(features=features, stats=stats, n_mfcc=n_mfcc, n_mels=n_mels,
                   n_chroma=n_chroma, deltas=deltas)  # validates the settings
    analysis = _Analysis(
        y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
        n_mfcc=n_mfcc, n_chroma=n_chroma, deltas=deltas,
    )
    # The percentiles asked for, in one pass over each group's frames (as np.percentile
    # computes each q on its own, the values are those of separate calls).
    percentiles = [stat for stat in stats if stat in ("p10", "p90")]
    parts: list[np.ndarray] = []
    for group in features:
        frames = np.asarray(getattr(analysis, group)(), dtype=np.float64)
        shared = {}
        if len(percentiles) > 1:
            q = [float(stat[1:]) for stat in percentiles]
            shared = dict(zip(percentiles, np.percentile(frames, q, axis=1)))
        parts.extend(shared[stat] if stat in shared else _statistic(frames, stat)
                     for stat in stats)
    return np.concatenate(parts).astype(np.float32)


def _feature_names(*, features, stats, **kwargs) -> Sequence[str]:
    """:func:`acoustic_feature_names`, built once per setting (building the names costs
    more than some features, and every transform validates them)."""
    if isinstance(features, tuple | list) and isinstance(stats, tuple | list):
        try:
            return _cached_feature_names(features=tuple(features), stats=tuple(stats),
                                         **kwargs)
        except TypeError:  # an unhashable setting: built below, or its error raised there
            pass
    return acoustic_feature_names(features=features, stats=stats, **kwargs)


@lru_cache(maxsize=64)
def _cached_feature_names(**kwargs) -> tuple[str, ...]:
    return tuple(acoustic_feature_names(**kwargs))
