"""Pipelines whose samplers (such as the Augmenter) act during fit only.

:class:`Pipeline` is imbalanced-learn's pipeline, which runs a step that has
``fit_resample`` on the training data of each fit and skips it at predict and
score time; scikit-learn's own pipeline rejects such steps. On top of it, skser
checks when fitting that the audio steps agree with each other:

* a step that outputs waveforms (:class:`~skser.audio.AudioLoader`,
  :class:`~skser.augmentation.Augmenter`) and the audio step right after it
  (any step with ``sr`` and ``duration`` parameters) must use the same ``sr``:
  the next step reads the waveforms as sampled at its own rate. When the next
  step is an ensemble (a ``VotingClassifier`` or ``StackingClassifier``),
  this holds for the first audio step of each of its members;
* an Augmenter and the audio step after it must also agree on ``duration``
  and, when the Augmenter reads the files itself, on ``offset``: at predict
  time the Augmenter is skipped, and that step reads the raw input with its
  own settings, which must match what it saw in training.
"""

from __future__ import annotations

import warnings

from imblearn import pipeline as _imblearn_pipeline
from sklearn.pipeline import _name_estimators

from .audio import AudioLoader
from .augmentation import Augmenter
from .exceptions import SkserError

__all__ = ["Pipeline", "make_pipeline"]

_UNITS = {"sr": "Hz", "duration": "s", "offset": "s"}


class Pipeline(_imblearn_pipeline.Pipeline):
    """A chain of audio steps, samplers and a final estimator.

    imbalanced-learn's :class:`~imblearn.pipeline.Pipeline`: steps with
    ``fit_resample`` (an :class:`~skser.augmentation.Augmenter`) run while
    fitting only, on the training rows of each fit, so cross-validation and
    searches never train on copies of their test files; ``predict`` returns one
    row per input. ``fit`` also checks that the audio steps agree on their
    sample rate, duration and offset (see :mod:`skser.pipeline`).

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        Transformers or samplers, then the final estimator. Nested parameters
        use ``<step>__<param>`` (``augmenter__n_copies``).
    transform_input : list of str, default=None
        Metadata transformed by the steps before reaching the one that uses it
        (scikit-learn's metadata routing).
    memory : str, joblib.Memory or None, default=None
        Cache of fitted transformers and of samplers' output. With an Augmenter
        in the pipeline this freezes the augmentation (the same copies are
        replayed on every fit of the same rows) and a :class:`UserWarning` says
        so; cache the feature steps through their own ``memory`` instead.
    verbose : bool, default=False
        Print the time each step takes to fit.

    Attributes
    ----------
    named_steps : Bunch
        The steps by name.
    classes_ : ndarray of shape (n_classes,)
        The final classifier's classes.

    See Also
    --------
    make_pipeline : the same with step names derived from the classes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser.audio import AudioLoader
    >>> from skser.augmentation import Augmenter
    >>> from skser.pipeline import Pipeline
    >>> pipe = Pipeline([
    ...     ("augment", Augmenter(n_copies=1, sr=8000, duration=0.5, random_state=0)),
    ...     ("load", AudioLoader(sr=16000, duration=0.5)),
    ...     ("clf", LogisticRegression()),
    ... ])
    >>> X = np.random.default_rng(0).uniform(-0.1, 0.1, (4, 4000)).astype("float32")
    >>> pipe.fit(X, ["sad", "sad", "angry", "angry"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skser.exceptions.SkserError: Pipeline steps 'augment' and 'load' disagree on sr: ...
    """

    def _validate_steps(self):
        super()._validate_steps()
        _check_audio_steps(self.steps)
        augmenters = [name for name, est in self.steps if isinstance(est, Augmenter)]
        if self.memory is not None and augmenters:
            warnings.warn(
                f"Pipeline(memory=...) also caches the output of fit_resample, so Augmenter "
                f"step(s) {augmenters} would be frozen: every later fit on the same rows "
                "(each search candidate, each repeat) replays the same augmented copies "
                "instead of drawing new ones. Set memory=None and cache the feature steps "
                "through their own memory= parameter instead.",
                UserWarning,
                stacklevel=5,
            )


def make_pipeline(*steps, memory=None, verbose: bool = False) -> Pipeline:
    """Build a :class:`Pipeline`, naming each step after its class in lower case.

    Parameters
    ----------
    *steps : estimators
        Transformers or samplers (such as an Augmenter), then the final
        estimator.
    memory : str, joblib.Memory or None, default=None
        See :class:`Pipeline` (not recommended with an Augmenter).
    verbose : bool, default=False
        Print the time each step takes to fit.

    Returns
    -------
    Pipeline

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser.audio import AudioLoader
    >>> from skser.augmentation import Augmenter
    >>> from skser.pipeline import make_pipeline
    >>> pipe = make_pipeline(
    ...     Augmenter(n_copies=2, sr=8000, duration=0.5, random_state=0),
    ...     AudioLoader(sr=8000, duration=0.5),
    ...     LogisticRegression(),
    ... )
    >>> [name for name, _ in pipe.steps]
    ['augmenter', 'audioloader', 'logisticregression']
    >>> X = np.random.default_rng(0).uniform(-0.1, 0.1, (4, 4000)).astype("float32")
    >>> pipe.fit(X, ["sad", "sad", "angry", "angry"]).predict(X).shape
    (4,)
    """
    return Pipeline(_name_estimators(steps), memory=memory, verbose=verbose)


def _check_audio_steps(steps) -> None:
    """Raise SkserError where an audio step misreads the waveforms before it."""
    # (name, step, whether it decodes the pipeline's raw input) of the step
    # whose waveform output the current step reads; None when the input is
    # not waveforms made by a skser step.
    source = None
    first = True
    for name, est in steps:
        if est is None or est == "passthrough":
            continue
        params = est.get_params(deep=False)
        if source is not None and {"sr", "duration"} <= params.keys():
            src_name, src, src_reads_raw = source
            compared = ["sr"]
            if isinstance(src, Augmenter):
                compared.append("duration")
                if src_reads_raw and "offset" in params:
                    compared.append("offset")
            for param in compared:
                _check_same(src_name, src, name, est, param)
        elif source is not None and isinstance(params.get("estimators"), list):
            # An ensemble: each member reads the waveforms with its own first audio step.
            for audio_name, audio in _members_first_audio_steps(name, est):
                _check_same(source[0], source[1], audio_name, audio, "sr")
        source = (name, est, first) if isinstance(est, AudioLoader | Augmenter) else None
        first = False


def _members_first_audio_steps(name: str, ensemble):
    """(parameter path, step) of the first audio step of each ensemble member."""
    for member_name, member in ensemble.get_params(deep=False)["estimators"]:
        if member is None or member == "drop":
            continue
        yield from _first_audio_steps(f"{name}__{member_name}", member)


def _first_audio_steps(path: str, est):
    """(parameter path, step) of the audio steps that read ``est``'s input first.

    Looks through pipelines (their first step), wrappers of a feature step
    (SpeakerNormalizer's ``transformer``) and classifiers that train two models on
    the same input (SpeakerAdaptiveClassifier's ``estimator`` and ``fallback``).
    """
    if hasattr(est, "steps"):
        for step_name, step in est.steps:
            if step is not None and step != "passthrough":
                yield from _first_audio_steps(f"{path}__{step_name}", step)
                return
        return
    params = est.get_params(deep=False)
    if {"sr", "duration"} <= params.keys():
        yield path, est
        return
    for key in ("transformer", "estimator", "fallback"):
        inner = params.get(key)
        if inner is not None and hasattr(inner, "get_params"):
            yield from _first_audio_steps(f"{path}__{key}", inner)


def _check_same(src_name: str, src, name: str, est, param: str) -> None:
    a, b = src.get_params()[param], est.get_params()[param]
    if a == b:
        return
    unit = _UNITS[param]
    why = (
        f"at predict time the Augmenter is skipped and {name!r} reads the input itself "
        f"with {param}={b!r} {unit}, unlike what it was trained on"
        if isinstance(src, Augmenter) and param != "sr"
        else f"{name!r} would read waveforms made at {a!r} {unit} as if they were at {b!r} {unit}"
    )
    raise SkserError(
        f"Pipeline steps {src_name!r} and {name!r} disagree on {param}: "
        f"{src_name!r} has {param}={a!r} {unit} but {name!r} has {param}={b!r} {unit}; "
        f"{why}. Set both to the same value."
    )
