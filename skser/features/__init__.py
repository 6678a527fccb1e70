"""Features: audio -> utterance statistics (AcousticFeatures), images (MelImage, MFCCImage)
or a pretrained encoder's pooled embeddings (PretrainedEmbedding).

The estimators are thin wrappers around the pure functions exported here, which
work on one waveform at a time.
"""

from ._acoustic import AcousticFeatures
from ._embedding import PretrainedEmbedding
from ._functional import acoustic_feature_names, acoustic_feature_vector
from ._images import MelImage, MFCCImage
from ._spectrogram import log_mel_spectrogram, mfcc, stack_deltas

__all__ = [
    "AcousticFeatures",
    "MelImage",
    "MFCCImage",
    "PretrainedEmbedding",
    "acoustic_feature_names",
    "acoustic_feature_vector",
    "log_mel_spectrogram",
    "mfcc",
    "stack_deltas",
]
