"""Preprocessing of feature tables and image stacks."""

from ._scaler import StandardScaler
from ._speaker import (
    SpeakerAdaptiveClassifier,
    SpeakerNormalizationWarning,
    SpeakerNormalizer,
    speakers_of,
)

__all__ = [
    "SpeakerAdaptiveClassifier",
    "SpeakerNormalizationWarning",
    "SpeakerNormalizer",
    "StandardScaler",
    "speakers_of",
]
