"""Pipelines whose samplers (such as the Augmenter) act during fit only.

:class:`Pipeline` is imbalanced-learn's pipeline, which runs a step that has
``fit_resample`` on the training data of each fit and skips it at predict and
score time; scikit-learn's own pipeline rejects such steps. On top of it, skser
checks when fitting that the audio steps agree with each other:

* a step that outputs waveforms (:class:`~skser.audio.AudioLoader`,
  :class:`~skser.augmentation.Augmenter`) and the audio step right after it
  (any step with ``sr`` and ``duration`` parameters) must use the same ``sr``:
  the next step reads the waveforms as sampled at its own rate. When the next
  step holds other estimators (an ensemble such as a ``VotingClassifier``, a
  :class:`~skser.preprocessing.SpeakerNormalizer`, a
  :class:`~skser.ensemble.SpeakerAdaptiveClassifier`, a pipeline), this holds
  for every audio step inside it that reads its input: the estimators that
  :func:`skser.utils.iter_estimators` finds in it, of which each pipeline on
  the way contributes its first step only;
* an Augmenter and the audio step after it must also agree on ``duration``
  and, when the Augmenter reads the files itself, on ``offset``: at predict
  time the Augmenter is skipped, and that step reads the raw input with its
  own settings, which must match what it saw in training.
"""

from __future__ import annotations

import warnings

from imblearn import pipeline as _imblearn_pipeline
from sklearn.pipeline import Pipeline as _SklearnPipeline
from sklearn.pipeline import _name_estimators

from .audio import AudioLoader
from .augmentation import Augmenter
from .exceptions import SkserError
from .utils._estimators import iter_estimators

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
        if source is not None and _is_audio_step(est):
            src_name, src, src_reads_raw = source
            compared = ["sr"]
            if isinstance(src, Augmenter):
                compared.append("duration")
                if src_reads_raw and "offset" in est.get_params(deep=False):
                    compared.append("offset")
            for param in compared:
                _check_same(src_name, src, name, est, param)
        elif source is not None:
            # A step holding others: each audio step inside it reads the waveforms.
            for path, audio in _first_audio_steps(est):
                _check_same(source[0], source[1], f"{name}__{path.replace('/', '__')}",
                            audio, "sr")
        source = (name, est, first) if isinstance(est, AudioLoader | Augmenter) else None
        first = False


def _is_audio_step(est) -> bool:
    return {"sr", "duration"} <= est.get_params(deep=False).keys()


def _first_audio_steps(est) -> list:
    """(path, step) of the audio steps inside ``est`` that read ``est``'s input.

    Those :func:`~skser.utils.iter_estimators` finds, except the ones behind an
    earlier step of a pipeline on their path, or inside another audio step.
    """
    walked = dict(iter_estimators(est))
    found: list = []
    for path, inner in walked.items():
        if (path and _is_audio_step(inner) and _reads_input(path, walked)
                and not any(path.startswith(f"{outer}/") for outer, _ in found)):
            found.append((path, inner))
    return found


def _reads_input(path: str, walked: dict) -> bool:
    """Whether every pipeline on ``path`` (from the root of ``walked``) leads there from
    its first step: a later step reads what the steps before it make."""
    names = path.split("/")
    for depth, name in enumerate(names):
        parent = walked["/".join(names[:depth])]
        if isinstance(parent, _SklearnPipeline):
            first = next((step_name for step_name, step in parent.steps
                          if step is not None and step != "passthrough"), None)
            if name != first:
                return False
    return True


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
