"""The exceptions and warnings skser raises: every one of them is defined here.

Every error that skser raises on purpose derives from :class:`SkserError`, which
subclasses :class:`ValueError`, so ``except ValueError`` keeps working for code
written against scikit-learn. Messages name the offending file (or input row)
and the problem. Warnings subclass :class:`UserWarning`.

Importing this module imports nothing else, so the command line's ``--help``
stays quick: :class:`InvalidHyperparameterError`, which subclasses
scikit-learn's ``InvalidParameterError``, is made on first use.
"""

from __future__ import annotations

__all__ = [
    "SkserError",
    "AudioLoadError",
    "InvalidAudioError",
    "CorpusError",
    "DataNotFoundError",
    "LabelError",
    "ModelFileError",
    "InputTypeError",
    "InvalidHyperparameterError",  # noqa: F822 (made on first use by __getattr__)
    "AudioLoadWarning",
    "SpeakerNormalizationWarning",
    "FeatureCacheWarning",
]


class SkserError(ValueError):
    """Base class of every error skser raises on purpose."""


class AudioLoadError(SkserError):
    """A file could not be read as audio (missing, unreadable, corrupt, not audio).

    Attributes
    ----------
    path : str
        The file that failed.
    """

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class InvalidAudioError(SkserError):
    """Audio was read (or given as an array) but cannot be used: NaN/Inf, empty, wrong shape."""

    def __init__(self, source, problem: str):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class CorpusError(SkserError):
    """A corpus folder is missing, empty, or holds a file whose name does not parse."""


class DataNotFoundError(CorpusError):
    """A data folder does not exist (the command line's exit code 3)."""


class LabelError(SkserError):
    """A label is unknown, or labels and samples do not line up."""


class ModelFileError(SkserError):
    """A saved model file is truncated, tampered with, or from an incompatible version."""


class InputTypeError(SkserError, TypeError):
    """Input of a type skser cannot use (sparse matrices, objects that are not numbers).

    Also a :class:`TypeError`, as numpy and scikit-learn raise for such input.
    """


class FeatureCacheWarning(UserWarning):
    """A feature-cache entry was damaged (unreadable, or of the wrong shape or dtype)
    and was recomputed."""


class AudioLoadWarning(UserWarning):
    """Some inputs failed and were replaced by NaN rows (``on_error="warn"``)."""


class SpeakerNormalizationWarning(UserWarning):
    """Some rows had no speaker statistics and were standardized with the training population's."""


def _invalid_hyperparameter_error() -> type:
    from sklearn.utils._param_validation import InvalidParameterError

    class InvalidHyperparameterError(SkserError, InvalidParameterError):
        """A classifier's ``__init__`` argument has a wrong type or value.

        Both a SkserError and scikit-learn's InvalidParameterError, so code (and
        scikit-learn's checks) expecting either catch it.
        """

    # Found (and pickled) as skser.exceptions.InvalidHyperparameterError.
    InvalidHyperparameterError.__qualname__ = "InvalidHyperparameterError"
    return InvalidHyperparameterError


def __getattr__(name: str):
    if name == "InvalidHyperparameterError":
        cls = globals()[name] = _invalid_hyperparameter_error()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
