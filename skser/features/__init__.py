"""Features: audio -> utterance statistics (AcousticFeatures) or images (MelImage, MFCCImage).

The estimators are thin wrappers around the pure functions exported here, which
work on one waveform at a time.
"""

from ._acoustic import AcousticFeatures
from ._functional import acoustic_feature_names, acoustic_feature_vector
from ._images import MelImage, MFCCImage
from ._spectrogram import log_mel_spectrogram, mfcc, stack_deltas

__all__ = [
    "AcousticFeatures",
    "MelImage",
    "MFCCImage",
    "acoustic_feature_names",
    "acoustic_feature_vector",
    "log_mel_spectrogram",
    "mfcc",
    "stack_deltas",
]
