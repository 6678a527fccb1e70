"""The exceptions skser raises.

Every error that skser raises on purpose derives from :class:`SkserError`, which
subclasses :class:`ValueError`, so ``except ValueError`` keeps working for code
written against scikit-learn. Messages name the offending file (or input row)
and the problem.
"""

from __future__ import annotations

__all__ = [
    "SkserError",
    "AudioLoadError",
    "InvalidAudioError",
    "CorpusError",
    "LabelError",
    "ModelFileError",
    "InputTypeError",
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


class LabelError(SkserError):
    """A label is unknown, or labels and samples do not line up."""


class ModelFileError(SkserError):
    """A saved model file is truncated, tampered with, or from an incompatible version."""


class InputTypeError(SkserError, TypeError):
    """Input of a type skser cannot use (sparse matrices, objects that are not numbers).

    Also a :class:`TypeError`, as numpy and scikit-learn raise for such input.
    """
