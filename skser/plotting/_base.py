"""What every figure shares: matplotlib imported on first use, new Axes, saving.

matplotlib is an optional dependency (``pip install skser[plot]``): it is
imported inside each function. Every function of :mod:`skser.plotting` draws on
the Axes it is given (or on a new figure), returns the Axes or the Figure, and
never calls ``plt.show()``.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

__all__ = ["save_figure"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skser.plotting needs matplotlib: pip install skser[plot]"
        ) from exc
    return plt


def _axes(ax, **subplots_kw):
    if ax is not None:
        return ax
    # Constrained layout keeps rotated tick labels, colorbars and titles inside
    # the figure as drawn and as saved.
    return _pyplot().subplots(layout="constrained", **subplots_kw)[1]


def save_figure(fig, path: str | PathLike) -> Path:
    """Save a Figure (or the Figure of an Axes) at 120 dpi with a tight bounding box.

    Parameters
    ----------
    fig : matplotlib Figure or Axes
    path : str or path-like
        The suffix sets the format (``.png``, ``.pdf``, ``.svg``...).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skser.plotting import plot_recall_per_emotion, save_figure
    >>> ax = plot_recall_per_emotion(["sad", "angry", "sad"], ["sad", "sad", "sad"])
    >>> path = save_figure(ax, Path(tempfile.mkdtemp()) / "recall.png")
    >>> path.name, path.read_bytes()[1:4]  # the file starts with PNG's signature
    ('recall.png', b'PNG')
    """
    figure = fig.figure  # an Axes's Figure, or the Figure itself
    path = Path(path)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    return path
