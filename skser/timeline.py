"""Emotion over time: :func:`predict_timeline` runs a fitted model along a long recording.

The recording is streamed from disk block by block (mono downmix, and soxr's
streaming resampler when the file's rate differs from the model's), cut into
overlapping windows, and classified in batches: memory stays bounded by the
window and batch sizes, whatever the length of the recording.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
import soundfile as sf
import soxr

from .audio._io import _to_mono, audio_errors, check_audio_path
from .exceptions import AudioLoadError, InvalidAudioError, SkserError
from .utils._estimators import iter_estimators
from .utils._parallel import progress

__all__ = ["predict_timeline", "PROBA_PREFIX"]

PROBA_PREFIX = "proba_"
"""Prefix of the per-class probability columns of a timeline (``proba_happy``)."""

# Frames of the file decoded per read: 64 Ki frames (0.5 MiB of float32 for a
# stereo file), small next to any model, large enough to keep reads cheap.
_BLOCK_FRAMES = 1 << 16


def _audio_step(model):
    """The first fitted estimator of ``model`` (depth first, as
    :func:`~skser.utils.iter_estimators` walks it) with an ``sr`` parameter, or None."""
    return next((est for _, est in iter_estimators(model, fitted=True)
                 if "sr" in est.get_params(deep=False)), None)


def _check_positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) \
            or not np.isfinite(float(value)) or value <= 0:
        raise SkserError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


def _resolve_settings(model, window, sr):
    """(sample rate, window seconds) the model's first audio step expects."""
    step = _audio_step(model)
    if sr is None:
        sr = None if step is None else step.get_params(deep=False)["sr"]
        if sr is None:
            raise SkserError(
                f"cannot tell the sample rate {type(model).__name__} expects: none of its "
                "steps has an 'sr' parameter; pass sr="
            )
    if isinstance(sr, bool) or not isinstance(sr, Integral) or sr <= 0:
        raise SkserError(f"sr must be a positive integer sample rate in Hz, got {sr!r}")
    if window is None:
        duration = None if step is None else step.get_params(deep=False).get("duration")
        if duration is None:
            raise SkserError(
                f"cannot tell the window length: no step of {type(model).__name__} has a "
                "'duration' parameter; pass window= (seconds)"
            )
        window = duration
    return int(sr), _check_positive(window, "window")


def _open(path) -> sf.SoundFile:
    """Open ``path`` for streaming, with skser's errors naming the file."""
    p = check_audio_path(path)
    with audio_errors(path):
        return sf.SoundFile(str(p))


def _mono_chunks(f: sf.SoundFile, path, sr: int):
    """Yield the file as float32 mono chunks at ``sr`` Hz, a block at a time."""
    resampler = None
    if f.samplerate != sr:
        resampler = soxr.ResampleStream(f.samplerate, sr, 1, dtype="float32", quality="HQ")
    while True:
        try:
            data = f.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise AudioLoadError(path, f"could not be decoded ({exc})") from None
        last = data.shape[0] < _BLOCK_FRAMES
        mono = np.ascontiguousarray(_to_mono(data, path), dtype=np.float32)
        if not np.isfinite(mono).all():
            raise InvalidAudioError(path, "holds NaN or infinite samples")
        if resampler is not None:
            mono = resampler.resample_chunk(mono, last=last)
        if mono.size:
            yield mono
        if last:
            return


def _rms_db(y: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(y, dtype=np.float64)))) if y.size else 0.0
    return 20.0 * np.log10(rms) if rms > 0 else -np.inf


def _windows(chunks, win_n: int, hop_n: int):
    """Yield (start sample, n real samples, window of exactly ``win_n`` samples).

    Full windows start every ``hop_n`` samples; after the last full one, the
    next window is yielded zero-padded when it holds at least half a window
    of audio. Only the samples not yet consumed are buffered.
    """
    buf = np.zeros(0, dtype=np.float32)
    buf_start = 0  # sample index of buf[0]
    next_start = 0
    for chunk in chunks:
        buf = np.concatenate([buf, chunk])
        while buf_start + buf.size >= next_start + win_n:
            i = next_start - buf_start
            yield next_start, win_n, buf[i:i + win_n].copy()
            next_start += hop_n
        # drop what no later window needs (a hop longer than the window skips samples)
        cut = min(next_start - buf_start, buf.size)
        buf = buf[cut:].copy()
        buf_start += cut
    i = next_start - buf_start
    n_real = buf.size - i if 0 <= i < buf.size else 0
    if n_real and 2 * n_real >= win_n:
        window = np.zeros(win_n, dtype=np.float32)
        window[:n_real] = buf[i:]
        yield next_start, n_real, window


def predict_timeline(model, path, *, window: float | None = None, hop: float = 1.0,
                     sr: int | None = None, gate: str | None = "rms", gate_db: float = -45.0,
                     batch_size: int = 32, verbose: int = 0) -> pd.DataFrame:
    """Predict the emotion of a long recording window by window.

    The file is read from disk in blocks, averaged to mono and, when its
    sample rate differs from the model's, resampled with soxr's streaming
    resampler; only about one window plus one batch of windows is held in
    memory, so recordings of any length can be processed. Each window is
    given to ``model.predict_proba`` as a waveform of exactly ``window``
    seconds at the model's sample rate.

    Parameters
    ----------
    model : fitted estimator
        A fitted skser pipeline (or estimator) with ``predict_proba`` and
        ``classes_`` whose first audio step accepts waveforms (every skser
        feature step does, and so does :class:`~skser.audio.AudioLoader`).
    path : str or os.PathLike
        The recording: any format soundfile reads (WAV, FLAC, OGG, MP3 ...),
        any sample rate, mono or multi-channel (averaged to mono).
    window : float or None, default=None
        Window length in seconds. ``None`` uses the ``duration`` of the
        model's first audio step, which is what the model was trained on: a
        window of another length is zero-padded or trimmed by that step to
        its ``duration``. The step's ``offset`` applies to files only, not to
        these windows.
    hop : float, default=1.0
        Seconds between the starts of consecutive windows (``hop < window``
        gives overlapping windows).
    sr : int or None, default=None
        Sample rate in Hz the windows are given at. ``None`` uses the ``sr``
        of the model's first step that has one.
    gate : {"rms", None}, default="rms"
        ``"rms"`` marks windows whose RMS level is below ``gate_db`` as
        silent: they are not classified, their probabilities are NaN and
        their ``emotion`` is None. ``None`` classifies every window.
    gate_db : float, default=-45.0
        The silence threshold in dB relative to full scale: ``20 *
        log10(rms)`` of the samples in [-1, 1] (a full-scale sine is -3 dB).
    batch_size : int, default=32
        Windows per call of ``predict_proba`` (or ``predict``).
    verbose : int, default=0
        0 silent; 1 a progress bar of the windows on stderr; 2 or more plain
        lines on stderr at each tenth of the windows.

    Returns
    -------
    timeline : pandas.DataFrame
        One row per window, in time order, with the columns

        - ``start``, ``end`` (float): the window's span in seconds; ``end``
          is ``start + window``, except for a last window cut short by the
          end of the recording, where it is the end of the recording;
        - ``emotion`` (object): the most probable class, None when silent;
        - ``confidence`` (float): its probability, NaN when silent (and for a
          model without ``predict_proba``, which labels windows with
          ``predict``);
        - ``silent`` (bool): the window fell below the gate;
        - ``proba_<class>`` (float): one column per class of
          ``model.classes_``, in that order; NaN when silent; absent for a
          model without ``predict_proba``.

        Full windows start at ``0, hop, 2 * hop ...``; after the last full
        one, one more window zero-padded to ``window`` seconds is included
        when it holds at least half a window of audio. A recording shorter
        than half a window gives an empty table.

    Raises
    ------
    AudioLoadError
        If the file is missing, a folder, unreadable or not decodable audio.
    InvalidAudioError
        If it holds no samples, or NaN or infinite ones.
    SkserError
        If ``window`` or ``hop`` is not positive, ``batch_size`` is below 1,
        ``gate`` is unknown, or no sample rate or window length can be found
        in the model and none is given.

    See Also
    --------
    skser.plotting.plot_timeline : draw the probabilities over time.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser import AcousticFeatures, make_pipeline, predict_timeline
    >>> sr = 8000
    >>> def tone(freq, seconds):
    ...     t = np.arange(int(sr * seconds)) / sr
    ...     return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    >>> X = [tone(f, 1.0) for f in (150, 160, 170, 380, 400, 420)]
    >>> y = ["sad"] * 3 + ["happy"] * 3
    >>> model = make_pipeline(
    ...     AcousticFeatures(sr=sr, duration=1.0, offset=0.0, features=("zcr", "mfcc")),
    ...     LogisticRegression(max_iter=1000)).fit(X, y)
    >>> path = Path(tempfile.mkdtemp()) / "talk.wav"
    >>> sf.write(path, np.concatenate([tone(155, 4), np.zeros(2 * sr), tone(410, 4)]), sr)
    >>> timeline = predict_timeline(model, path, hop=1.0)
    >>> timeline.columns.tolist()
    ['start', 'end', 'emotion', 'confidence', 'silent', 'proba_happy', 'proba_sad']
    >>> timeline["emotion"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['sad', 'sad', 'sad', 'sad', None, None, 'happy', 'happy', 'happy', 'happy']
    """
    hop = _check_positive(hop, "hop")
    if window is not None:
        _check_positive(window, "window")
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1:
        raise SkserError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if gate not in ("rms", None):
        raise SkserError(f"gate must be 'rms' or None, got {gate!r}")
    if gate is not None and (isinstance(gate_db, bool) or not isinstance(gate_db, Real)):
        raise SkserError(f"gate_db must be a number of dB, got {gate_db!r}")
    if not hasattr(model, "classes_"):
        raise SkserError(
            f"{type(model).__name__} has no classes_: pass a fitted classifier or pipeline"
        )
    # A classifier without probabilities (an SVC without calibration) still labels windows.
    with_proba = hasattr(model, "predict_proba")
    sr, window = _resolve_settings(model, window, sr)
    win_n = max(int(round(window * sr)), 1)
    hop_n = max(int(round(hop * sr)), 1)
    classes = np.asarray(model.classes_).tolist()  # numpy scalars -> Python str or int

    starts: list[int] = []
    lengths: list[int] = []
    silent: list[bool] = []
    probas: list[np.ndarray] = []  # one (n, n_classes) array per batch, of the voiced windows
    pending: list[np.ndarray] = []

    def flush():
        if pending:
            if with_proba:
                probas.append(np.asarray(model.predict_proba(np.stack(pending)),
                                         dtype=np.float64))
            else:  # one-hot rows of the predicted labels; no confidence
                labels = np.asarray(model.predict(np.stack(pending))).tolist()
                probas.append(np.eye(len(classes))[[classes.index(c) for c in labels]])
            pending.clear()

    with _open(path) as f:
        if f.frames == 0:
            raise InvalidAudioError(path, "holds no audio samples")
        n_expected = int(round(f.frames * sr / f.samplerate))
        bar = progress(max((n_expected - win_n) // hop_n + 2, 1), desc="timeline windows",
                       verbose=verbose)
        try:
            for start, n_real, samples in _windows(_mono_chunks(f, path, sr), win_n, hop_n):
                quiet = gate == "rms" and _rms_db(samples[:n_real]) < gate_db
                starts.append(start)
                lengths.append(n_real)
                silent.append(quiet)
                if not quiet:
                    pending.append(samples)
                    if len(pending) >= batch_size:
                        flush()
                bar.update()
            flush()
        finally:
            bar.close()

    n = len(starts)
    starts_s = np.asarray(starts, dtype=np.float64) / sr
    voiced = ~np.asarray(silent, dtype=bool)
    proba = np.full((n, len(classes)), np.nan)
    emotion = np.full(n, None, dtype=object)
    confidence = np.full(n, np.nan)
    if probas:
        proba[voiced] = np.concatenate(probas)
        best = proba[voiced].argmax(axis=1)
        emotion[voiced] = np.asarray(classes, dtype=object)[best]
        if with_proba:
            confidence[voiced] = proba[voiced].max(axis=1)
    timeline = pd.DataFrame({
        "start": starts_s,
        "end": starts_s + np.asarray(lengths, dtype=np.float64) / sr,
        "emotion": pd.Series(emotion, dtype=object),
        "confidence": confidence,
        "silent": ~voiced,
    })
    if with_proba:
        for j, label in enumerate(classes):
            timeline[f"{PROBA_PREFIX}{label}"] = proba[:, j]
    return timeline
