"""Preprocessing of feature tables and image stacks.

:class:`~skser.ensemble.SpeakerAdaptiveClassifier`, a meta-classifier, lives in
:mod:`skser.ensemble`; it is still importable from here.
"""

from ..exceptions import SpeakerNormalizationWarning
from ._scaler import StandardScaler
from ._speaker import SpeakerNormalizer, speakers_of
from ._utterance import UtteranceNormalizer

__all__ = [
    "SpeakerNormalizationWarning",
    "SpeakerNormalizer",
    "StandardScaler",
    "UtteranceNormalizer",
    "speakers_of",
]


def __getattr__(name: str):
    # Imported on first use: skser.ensemble imports this package.
    if name == "SpeakerAdaptiveClassifier":
        from ..ensemble import SpeakerAdaptiveClassifier

        return SpeakerAdaptiveClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
