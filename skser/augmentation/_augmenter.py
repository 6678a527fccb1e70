"""Augmenter: random waveform copies, made during fit only (a sampler)."""

from __future__ import annotations

from functools import partial
from numbers import Integral, Real

import numpy as np
from imblearn.base import BaseSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ..audio._io import DEFAULT_DURATION, DEFAULT_OFFSET, DEFAULT_SR, fix_length
from ..audio._loader import AudioLoader
from ..exceptions import LabelError, SkserError
from ..utils._deprecation import renamed_value
from ..utils._inputs import as_audio_items
from ..utils._parallel import parallel_map
from ._conditions import (
    _gain_clipped,
    add_babble,
    add_pink_noise,
    band_limit,
    lossy_codec,
    reverberate,
)
from ._functional import (
    _MIN_VOCODER_SAMPLES,
    add_noise,
    add_peak_scaled_noise,
    apply_gain,
    pitch_shift,
    time_shift,
    time_stretch,
)

__all__ = ["Augmenter"]

# What each step name does to a waveform ``y`` sampled at ``sr`` Hz, given the
# drawn value and a noise generator.
_STEPS = {
    "time_stretch": lambda y, value, sr, rng: time_stretch(y, value),
    "pitch_shift": lambda y, value, sr, rng: pitch_shift(y, sr, value),
    "time_shift": lambda y, value, sr, rng: time_shift(y, value, sr),
    "apply_gain": lambda y, value, sr, rng: apply_gain(y, value),
    "add_noise": lambda y, value, sr, rng: add_noise(y, value, rng),
    "add_peak_scaled_noise": lambda y, value, sr, rng: add_peak_scaled_noise(y, rng),
    # the steps of preset="recording_conditions"
    "reverberate": lambda y, value, sr, rng: reverberate(y, sr, value, rng),
    "add_white_noise": lambda y, value, sr, rng: add_noise(y, value, rng, reference="active"),
    "add_pink_noise": lambda y, value, sr, rng: add_pink_noise(y, value, rng),
    "band_limit": lambda y, value, sr, rng: band_limit(y, sr, *value),
    "lossy_codec": lambda y, value, sr, rng: lossy_codec(y, sr, value),
    "apply_gain_clipped": lambda y, value, sr, rng: _gain_clipped(y, value),
}
# Babble mixes in other training rows, which the step gets from the plan, not a value.
_BABBLE = "add_babble"

# (parameter holding the range, step it draws for), in the order steps are
# applied: noise comes last so that its SNR is relative to the final signal.
_RANDOM_STEPS = (
    ("stretch_rate", "time_stretch"),
    ("pitch_semitones", "pitch_shift"),
    ("shift_s", "time_shift"),
    ("gain_db", "apply_gain"),
    ("noise_snr_db", "add_noise"),
)

# Fixed copies per input, each a tuple of (step, value) applied in order. The
# reference pipelines page of the documentation says which published pipeline
# each reproduces.
_PRESETS = {
    # one copy with peak-scaled noise; one slowed to 0.8 of its speed, then
    # raised by 0.7 semitones
    "noise_and_stretch_pitch": (
        (("add_peak_scaled_noise", None),),
        (("time_stretch", 0.8), ("pitch_shift", 0.7)),
    ),
}
# Presets whose copies are drawn at random, n_copies of them, rather than fixed.
_RANDOM_PRESETS = ("recording_conditions",)
# Old preset names, still accepted for one release with a FutureWarning.
_RENAMED_PRESETS = {"reference_a": "noise_and_stretch_pitch"}


class Augmenter(BaseSampler):
    """Add randomly perturbed copies of every training waveform, during fit only.

    A sampler in imbalanced-learn's sense: it has ``fit_resample`` and no
    ``transform``, so inside :func:`skser.pipeline.make_pipeline` it runs on the
    training data of each fit (each cross-validation fold, each search
    candidate) and is skipped by ``predict`` and ``score``. Copies of a test
    file therefore never reach training, as they would if the data were
    augmented before splitting.

    Each copy applies every enabled transform with probability ``p``, with a
    value drawn uniformly from the transform's range, in the order time
    stretch, pitch shift, time shift, gain, noise; a copy that drew none gets
    one enabled transform chosen at random. Every row is then zero-padded or
    trimmed at the end to ``duration`` seconds.

    Parameters
    ----------
    n_copies : int, default=1
        Augmented copies per input; 0 returns the originals only (handy in a
        grid search over ``augmenter__n_copies``).
    noise_snr_db : (float, float) or None, default=(10.0, 30.0)
        Range of the signal-to-noise ratio in dB of added white noise
        (:func:`add_noise`); ``None`` disables noise.
    pitch_semitones : (float, float) or None, default=(-2.0, 2.0)
        Range of the pitch shift in semitones (:func:`pitch_shift`).
    stretch_rate : (float, float) or None, default=(0.85, 1.15)
        Range of the speed factor, > 0 (:func:`time_stretch`).
    gain_db : (float, float) or None, default=(-6.0, 6.0)
        Range of the gain in dB (:func:`apply_gain`).
    shift_s : (float, float) or None, default=(-0.25, 0.25)
        Range of the zero-filled time shift in seconds (:func:`time_shift`);
        shifts must stay shorter than ``duration``.
    p : float, default=0.5
        Probability that each enabled transform is applied to a copy.
    preset : {"noise_and_stretch_pitch", "recording_conditions"} or None, \
default=None
        A set of transforms that replaces ``p`` and the ranges.
        ``"noise_and_stretch_pitch"``: two fixed copies per input (it also
        replaces ``n_copies``), (1) white noise of standard deviation
        ``0.035 * uniform(0, 1) * peak`` (:func:`add_peak_scaled_noise`), (2)
        time stretch at rate 0.8 then pitch shift by 0.7 semitones.
        ``"recording_conditions"``: ``n_copies`` copies, each as if recorded
        elsewhere, a chain drawn per copy in the order sound travels: a
        simulated room (probability 0.3, RT60 uniform in 0.2-1.0 s,
        :func:`reverberate`); background noise (probability 0.5; white, pink
        or babble of three other training inputs, equally likely; SNR uniform
        in 5-30 dB relative to the active speech, :func:`add_noise`,
        :func:`add_pink_noise`, :func:`add_babble`); a band limit (probability
        0.25, from 100-500 Hz to 2.8-5 kHz, below the Nyquist frequency,
        :func:`band_limit`); a lossy codec (probability 0.15, Ogg Vorbis at
        compression level 0.6-1.0, :func:`lossy_codec`); and always a gain
        uniform in -24 to +6 dB, clipped to [-1, 1] as a converter clips.
        ``"reference_a"``, the old name of ``"noise_and_stretch_pitch"``, is
        deprecated: it still works, with a FutureWarning, until the next
        release.
    keep_originals : bool, default=True
        Whether the output starts with the inputs themselves. ``False``
        returns the copies only: with ``n_copies=1`` every training input is
        replaced by one perturbed version of itself (augmentation in place,
        which costs no extra training time).
    p_augment : float, default=1.0
        Probability that a copy is augmented at all; a copy drawn not to be
        is its input unchanged (``()`` in ``augmentations_``). With
        ``keep_originals=False`` and ``n_copies=1``, ``p_augment=0.5`` replaces
        about half the training inputs by perturbed versions and keeps the
        others clean, at no extra training time. Drawn after every copy's
        transforms, so the copies that are augmented are the same as with
        ``p_augment=1.0``.
    sr : int, default=skser.audio.DEFAULT_SR (16000)
        Sample rate in Hz of the output, and of waveforms given as input.
    duration : float, default=skser.audio.DEFAULT_DURATION (3.0)
        Length of every output row in seconds: ``round(duration * sr)`` samples.
    offset : float, default=skser.audio.DEFAULT_OFFSET (0.0)
        Seconds skipped at the start of each file (not applied to waveforms).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws. An int gives the same copies on every call.
    n_jobs : int or None, default=None
        Inputs decoded and augmented in parallel (joblib, so
        ``joblib.parallel_config(backend="dask")`` applies). The result does
        not depend on it: every value is drawn before the parallel part.
    verbose : int, default=0
        Progress bars when > 0.

    Attributes
    ----------
    n_samples_ : int
        Samples per output row.
    sample_indices_ : ndarray of shape (n_outputs,)
        Input row of each output row (of the last ``fit_resample``).
    augmentations_ : list of tuple
        Per output row, the ``(function name, value)`` steps applied, in
        order; ``()`` for the originals.
    n_features_in_ : int
        Samples per input row, when the input was a 2-D waveform array.

    See Also
    --------
    skser.pipeline.make_pipeline : a pipeline that runs samplers during fit only.
    skser.augmentation.add_noise, skser.augmentation.pitch_shift,
    skser.augmentation.time_stretch, skser.augmentation.apply_gain,
    skser.augmentation.time_shift : the transforms.

    Notes
    -----
    The output holds waveforms at ``sr`` Hz, cut to ``duration`` seconds from
    ``offset``. At predict time the Augmenter is skipped, so the next step
    reads the raw input itself: it must use the same ``sr``, ``duration`` and
    ``offset``, which :class:`skser.pipeline.Pipeline` checks when fitting.
    Do not give such a pipeline ``memory=``: the cache would replay the same
    copies on every fit.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augmentation import Augmenter
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, (4, 8000)).astype("float32")
    >>> y = np.array(["sad", "sad", "angry", "angry"])
    >>> aug = Augmenter(n_copies=2, sr=8000, duration=1.0, random_state=0)
    >>> X_aug, y_aug = aug.fit_resample(X, y)
    >>> X_aug.shape, X_aug.dtype
    ((12, 8000), dtype('float32'))
    >>> y_aug[4:8].tolist() == y.tolist() and bool((X_aug[:4] == X).all())
    True
    >>> aug = Augmenter(preset="noise_and_stretch_pitch", sr=8000, duration=1.0)
    >>> aug.fit_resample(X, y)[0].shape
    (12, 8000)
    """

    _parameter_constraints: dict = {
        "n_copies": [Interval(Integral, 0, None, closed="left")],
        "noise_snr_db": [tuple, list, None],
        "pitch_semitones": [tuple, list, None],
        "stretch_rate": [tuple, list, None],
        "gain_db": [tuple, list, None],
        "shift_s": [tuple, list, None],
        "p": [Interval(Real, 0, 1, closed="both")],
        "preset": [StrOptions(set(_PRESETS) | set(_RANDOM_PRESETS) | set(_RENAMED_PRESETS),
                              deprecated=set(_RENAMED_PRESETS)), None],
        "keep_originals": ["boolean"],
        "p_augment": [Interval(Real, 0, 1, closed="both")],
        "sr": [Interval(Integral, 1, None, closed="left")],
        "duration": [Interval(Real, 0, None, closed="neither")],
        "offset": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_copies: int = 1,
        *,
        noise_snr_db: tuple[float, float] | None = (10.0, 30.0),
        pitch_semitones: tuple[float, float] | None = (-2.0, 2.0),
        stretch_rate: tuple[float, float] | None = (0.85, 1.15),
        gain_db: tuple[float, float] | None = (-6.0, 6.0),
        shift_s: tuple[float, float] | None = (-0.25, 0.25),
        p: float = 0.5,
        preset: str | None = None,
        keep_originals: bool = True,
        p_augment: float = 1.0,
        sr: int = DEFAULT_SR,
        duration: float = DEFAULT_DURATION,
        offset: float = DEFAULT_OFFSET,
        random_state=None,
        n_jobs: int | None = None,
        verbose: int = 0,
    ):
        self.n_copies = n_copies
        self.noise_snr_db = noise_snr_db
        self.pitch_semitones = pitch_semitones
        self.stretch_rate = stretch_rate
        self.gain_db = gain_db
        self.shift_s = shift_s
        self.p = p
        self.preset = preset
        self.keep_originals = keep_originals
        self.p_augment = p_augment
        self.sr = sr
        self.duration = duration
        self.offset = offset
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y):
        """Validate the parameters and the input; nothing is learned.

        Use :meth:`fit_resample` to get the augmented data.

        Parameters
        ----------
        X : list of paths, or array of shape (n_inputs, n_times)
            Audio files, or mono waveforms sampled at ``sr`` Hz.
        y : array-like of shape (n_inputs,)
            Labels.

        Returns
        -------
        self
        """
        self._fit_loader(X)
        self._check_y(as_audio_items(X)[0], y)
        return self

    def fit_resample(self, X, y):
        """Return the inputs followed by their augmented copies, as waveforms.

        Parameters
        ----------
        X : list of paths, DataFrame with a ``path`` column, or array of shape \
(n_inputs, n_times)
            Audio files (any format soundfile reads), or mono waveforms sampled
            at ``sr`` Hz.
        y : array-like of shape (n_inputs,) or (n_inputs, n_outputs)
            Labels, one per input.

        Returns
        -------
        X_resampled : ndarray of shape (n_inputs * (1 + n_copies), round(duration * sr))
            float32 waveforms at ``sr`` Hz: the inputs in their order, then
            copy 1 of every input, then copy 2, and so on
            (``preset="noise_and_stretch_pitch"`` makes 2 copies); without the
            inputs when ``keep_originals=False`` (``n_inputs * n_copies`` rows).
        y_resampled : ndarray of shape (n_inputs * (1 + n_copies),) or \
(n_inputs * (1 + n_copies), n_outputs)
            ``y`` repeated in the same order: row ``k * n_inputs + i`` is copy
            ``k`` of input ``i`` and carries ``y[i]``.
        """
        loader = self._fit_loader(X)
        originals = _loader_output(X, loader.n_samples_)
        if originals is None:
            originals = loader.transform(X)
        return self._fit_resample(originals, self._check_y(originals, y))

    def _fit_resample(self, X: np.ndarray, y: np.ndarray):
        """Augment validated waveforms ``X`` (n, n_samples_) with labels ``y``."""
        n = X.shape[0]
        # Every value is drawn here, before the parallel part, so the result
        # depends on random_state only, not on n_jobs or the backend.
        plans = self._draw_plans(n, check_random_state(self.random_state))
        copies = parallel_map(
            partial(_augment_one, sr=self.sr, n_samples=self.n_samples_),
            [(X[i], [block[i] for block in plans], _babble_sources(X, plans, i))
             for i in range(n)],
            n_jobs=self.n_jobs, verbose=self.verbose, desc="augmenting",
        )
        first = n if self.keep_originals else 0
        X_out = np.empty((first + n * len(plans), self.n_samples_), dtype=np.float32)
        X_out[:first] = X[:first]
        for i, rows in enumerate(copies):
            X_out[first + i::n] = rows
        blocks = 1 + len(plans) if self.keep_originals else len(plans)
        self.sample_indices_ = np.tile(np.arange(n), blocks)
        self.augmentations_ = ([()] * first
                               + [steps for block in plans for steps, _ in block])
        return X_out, y[self.sample_indices_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        tags.sampler_tags.sample_indices = True
        return tags

    # -- internals ----------------------------------------------------------
    def _loader(self) -> AudioLoader:
        return AudioLoader(
            sr=self.sr, duration=self.duration, offset=self.offset,
            n_jobs=self.n_jobs, verbose=self.verbose,
        )

    def _fit_loader(self, X) -> AudioLoader:
        """Validate the parameters and the input, set the fitted attributes, and
        return the loader (fitted) that reads the originals."""
        self._check_params()
        loader = self._loader().fit(X)
        self.n_samples_ = loader.n_samples_
        if hasattr(loader, "n_features_in_"):
            self.n_features_in_ = loader.n_features_in_
        elif hasattr(self, "n_features_in_"):
            del self.n_features_in_
        return loader

    def _check_y(self, X, y) -> np.ndarray:
        if y is None:
            raise LabelError(
                "Augmenter requires y to be passed, but the target y is None: the labels "
                "are repeated with the copies"
            )
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[0] != len(X):
            got = "a scalar" if y.ndim == 0 else f"{y.shape[0]} label(s)"
            raise LabelError(f"Augmenter got {len(X)} input(s) but {got} in y")
        return y

    def _check_params(self) -> None:
        self._validate_params()
        # Called from fit and fit_resample (through _fit_loader): the warning points at
        # the caller of those.
        renamed_value(self.preset, _RENAMED_PRESETS, "preset", stacklevel=6)
        n_samples = int(round(self.duration * self.sr))
        if n_samples < _MIN_VOCODER_SAMPLES:
            raise SkserError(
                f"Augmenter: duration={self.duration} s at sr={self.sr} Hz gives {n_samples} "
                f"sample(s) per row; at least {_MIN_VOCODER_SAMPLES} are needed"
            )
        self._ranges()

    def _ranges(self) -> list[tuple[str, tuple[float, float]]]:
        """The enabled ``(step, (low, high))`` ranges, validated."""
        if not self.keep_originals and self._n_blocks() == 0:
            raise SkserError(
                "Augmenter: keep_originals=False with n_copies=0 would return nothing; "
                "set n_copies >= 1 or keep_originals=True"
            )
        if self.preset is not None:
            return []
        ranges = {
            step: _check_range(name, getattr(self, name))
            for name, step in _RANDOM_STEPS
            if getattr(self, name) is not None
        }
        if "time_stretch" in ranges and ranges["time_stretch"][0] <= 0:
            raise SkserError(
                f"Augmenter: stretch_rate must stay > 0, got {ranges['time_stretch']}"
            )
        if "time_shift" in ranges and max(map(abs, ranges["time_shift"])) >= self.duration:
            raise SkserError(
                f"Augmenter: shift_s={ranges['time_shift']} reaches duration={self.duration} s, "
                "so a copy could be pure silence; keep |shift_s| < duration"
            )
        if not ranges and self.n_copies > 0:
            raise SkserError(
                "Augmenter: every transform is disabled (None); enable at least one range "
                "or set n_copies=0"
            )
        return list(ranges.items())

    def _n_blocks(self) -> int:
        """Copies per input."""
        if self.preset is not None and self.preset not in _RANDOM_PRESETS:
            return len(_PRESETS[_RENAMED_PRESETS.get(self.preset, self.preset)])
        return self.n_copies

    def _draw_plans(self, n: int, rng: np.random.RandomState) -> list[list]:
        """Per copy block, per input: ``(steps, noise seed)``; ``()`` steps for a copy
        left unchanged (``p_augment``)."""
        if self.preset == "recording_conditions":
            plans = [[_draw_conditions(i, n, self.sr, rng) for i in range(n)]
                     for _ in range(self.n_copies)]
        elif self.preset is not None:
            plans = [[(steps, _draw_seed(rng)) for _ in range(n)]
                     for steps in _PRESETS[_RENAMED_PRESETS.get(self.preset, self.preset)]]
        else:
            ranges = self._ranges()
            plans = [[_draw_steps(ranges, self.p, rng) for _ in range(n)]
                     for _ in range(self.n_copies)]
        if self.p_augment < 1.0 and plans:
            # drawn last, so that p_augment leaves the other copies' draws unchanged
            clean = rng.uniform(size=(len(plans), n)) >= self.p_augment
            plans = [[((), seed) if clean[k, i] else (steps, seed)
                      for i, (steps, seed) in enumerate(block)]
                     for k, block in enumerate(plans)]
        return plans


def _check_range(name: str, value) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise SkserError(
            f"Augmenter: {name} must be None or a (low, high) pair of numbers, got {value!r}"
        ) from None
    if not (np.isfinite(low) and np.isfinite(high)):
        raise SkserError(f"Augmenter: {name} must be finite, got {value!r}")
    if low > high:
        raise SkserError(f"Augmenter: {name} must have low <= high, got {value!r}")
    return low, high


def _draw_seed(rng: np.random.RandomState) -> int:
    return int(rng.randint(np.iinfo(np.int32).max))


def _draw_steps(ranges, p: float, rng: np.random.RandomState) -> tuple[tuple, int]:
    chosen = [i for i in range(len(ranges)) if rng.uniform() < p]
    if not chosen:
        chosen = [int(rng.randint(len(ranges)))]
    steps = tuple((ranges[i][0], float(rng.uniform(*ranges[i][1]))) for i in chosen)
    return steps, _draw_seed(rng)


def _draw_conditions(i: int, n: int, sr: int, rng: np.random.RandomState) -> tuple:
    """One copy's chain of ``preset="recording_conditions"`` for input ``i`` of ``n``:
    room, background noise, band limit, codec, gain (see the class docstring)."""
    steps: list[tuple] = []
    if rng.uniform() < 0.3:
        steps.append(("reverberate", float(rng.uniform(0.2, 1.0))))
    if rng.uniform() < 0.5:
        kind = ("add_white_noise", "add_pink_noise", _BABBLE)[rng.randint(3)]
        snr = float(rng.uniform(5.0, 30.0))
        if kind != _BABBLE:
            steps.append((kind, snr))
        elif n > 1:  # three other inputs (with replacement), never the input itself
            others = (i + 1 + rng.randint(n - 1, size=3)) % n
            steps.append((_BABBLE, (snr, *map(int, others))))
    nyquist = sr / 2
    if rng.uniform() < 0.25:
        low, high = float(rng.uniform(100.0, 500.0)), float(rng.uniform(2800.0, 5000.0))
        high = min(high, 0.95 * nyquist)
        if low < high:
            steps.append(("band_limit", (low, high)))
    if rng.uniform() < 0.15:
        steps.append(("lossy_codec", float(rng.uniform(0.6, 1.0))))
    steps.append(("apply_gain_clipped", float(rng.uniform(-24.0, 6.0))))
    return tuple(steps), _draw_seed(rng)


def _babble_sources(X: np.ndarray, plans: list, i: int) -> dict:
    """The other inputs that input ``i``'s copies mix in as babble, by row."""
    rows = {j for block in plans for name, value in block[i][0] if name == _BABBLE
            for j in value[1:]}
    return {j: X[j] for j in rows}


def _loader_output(X, n_samples: int, block: int = 1024) -> np.ndarray | None:
    """``X`` itself when it is already what the Augmenter's loader would return for it (a
    C-contiguous float32 array of finite waveforms ``n_samples`` long, such as an
    AudioLoader's output), else ``None``: the loader would only copy it, which in a
    pipeline doubles the training audio held in memory. The rows are read, never written."""
    if not (isinstance(X, np.ndarray) and X.dtype == np.float32 and X.ndim == 2
            and X.shape[0] > 0 and X.shape[1] == n_samples and X.flags.c_contiguous):
        return None
    # checked in blocks of rows, so the check needs no mask the size of X
    finite = all(np.isfinite(X[i:i + block]).all() for i in range(0, X.shape[0], block))
    return X if finite else None  # the loader names the rows that are not finite


def _augment_one(item, *, sr: int, n_samples: int) -> np.ndarray:
    """All copies of one waveform: ``item = (y, [(steps, seed), ...], babble sources)``."""
    y, plans, sources = item
    out = np.empty((len(plans), n_samples), dtype=np.float32)
    for k, (steps, seed) in enumerate(plans):
        rng = np.random.default_rng(seed)
        z = y
        for name, value in steps:
            if name == _BABBLE:
                z = add_babble(z, [sources[j] for j in value[1:]], value[0], rng)
            else:
                z = _STEPS[name](z, value, sr, rng)
        out[k] = fix_length(z, n_samples)
    return out
