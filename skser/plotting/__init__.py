"""Figures: confusion matrices, recalls, training curves, audio, search results, timelines.

Needs matplotlib (``pip install skser[plot]``), imported only when a function
is called.
"""

from ._audio import plot_emotion_examples, plot_spectrogram, plot_waveform
from ._base import save_figure
from ._evaluation import (
    plot_confusion_matrix,
    plot_recall_per_emotion,
    plot_search_results,
    plot_training_history,
)
from ._timeline import plot_timeline

__all__ = [
    "plot_confusion_matrix",
    "plot_emotion_examples",
    "plot_recall_per_emotion",
    "plot_search_results",
    "plot_spectrogram",
    "plot_timeline",
    "plot_training_history",
    "plot_waveform",
    "save_figure",
]
