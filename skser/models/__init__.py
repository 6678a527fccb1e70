"""Keras classifiers with a scikit-learn interface."""

from ._conv1d import Conv1DClassifier

__all__ = ["Conv1DClassifier"]
