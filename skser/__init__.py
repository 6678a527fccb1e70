"""skser: scikit-learn compatible speech emotion recognition.

Estimators are imported lazily, so ``import skser`` (and ``skser --help``) does
not pay TensorFlow's start-up cost until a Keras classifier is used.
"""

from __future__ import annotations

import importlib

from ._version import __version__

# public name -> module that defines it
_LAZY = {
    # audio
    "AudioLoader": "skser.audio",
    "load_audio": "skser.audio",
    # features
    "AcousticFeatures": "skser.features",
    "MelImage": "skser.features",
    "MFCCImage": "skser.features",
    # preprocessing
    "StandardScaler": "skser.preprocessing",
    "SpeakerNormalizer": "skser.preprocessing",
    # augmentation
    "Augmenter": "skser.augmentation",
    # models
    "Conv1DClassifier": "skser.models",
    "CNN2DClassifier": "skser.models",
    "CRNNClassifier": "skser.models",
    # pipelines
    "make_pipeline": "skser.pipeline",
    "Pipeline": "skser.pipeline",
    # persistence
    "save": "skser.persistence",
    "load": "skser.persistence",
    "read_manifest": "skser.persistence",
    # metrics
    "emotion_report": "skser.metrics",
    "format_report": "skser.metrics",
    # datasets
    "make_synthetic_corpus": "skser.datasets",
    "load_corpora": "skser.datasets",
    "EMOTIONS": "skser.datasets",
    # shipped models
    "load_pretrained": "skser.pretrained",
    # timeline
    "predict_timeline": "skser.timeline",
    # exceptions
    "SkserError": "skser.exceptions",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'skser' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
