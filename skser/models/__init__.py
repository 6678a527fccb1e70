"""Keras classifiers with a scikit-learn interface.

Importing this module also registers skser's custom Keras layers, so models
saved with ``model_.save("model.keras")`` load with ``keras.models.load_model``.
"""

from ._cnn2d import CNN2DClassifier
from ._conv1d import Conv1DClassifier
from ._crnn import CRNNClassifier
from ._layers import AttentionPooling, SpecAugment, StatsPooling

__all__ = ["AttentionPooling", "CNN2DClassifier", "CRNNClassifier", "Conv1DClassifier",
           "SpecAugment", "StatsPooling"]
