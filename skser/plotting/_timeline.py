"""The figure of :func:`skser.timeline.predict_timeline`'s output: emotion over time."""

from __future__ import annotations

import numpy as np

from ..exceptions import SkserError
from ._base import _axes

__all__ = ["plot_timeline"]


def _silent_spans(starts, ends, silent) -> list[tuple[float, float]]:
    """The union of the silent windows' spans, as sorted disjoint intervals."""
    spans: list[tuple[float, float]] = []
    for start, end in sorted(zip(starts[silent], ends[silent])):
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((float(start), float(end)))
    return spans


def plot_timeline(timeline, ax=None):
    """Per-class probabilities of a recording over time, stacked; silence shaded.

    Parameters
    ----------
    timeline : pandas.DataFrame
        The output of :func:`skser.timeline.predict_timeline`: columns
        ``start``, ``end``, ``silent`` and one ``proba_<class>`` per class.
    ax : matplotlib Axes, optional
        Where to draw; default: a new wide figure.

    Returns
    -------
    matplotlib.axes.Axes
        One stacked area per class, drawn at the window centres (the stack is
        empty at silent windows), and one grey band per stretch of silent
        windows.

    Raises
    ------
    SkserError
        If ``timeline`` lacks those columns or has no rows.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from skser.plotting import plot_timeline
    >>> timeline = pd.DataFrame({
    ...     "start": [0.0, 1.0, 2.0], "end": [2.0, 3.0, 4.0],
    ...     "silent": [False, True, False],
    ...     "proba_sad": [0.8, float("nan"), 0.3], "proba_happy": [0.2, float("nan"), 0.7]})
    >>> ax = plot_timeline(timeline)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['sad', 'happy', 'silent']
    """
    from ..timeline import PROBA_PREFIX

    columns = getattr(timeline, "columns", None)
    missing = None if columns is None else [c for c in ("start", "end", "silent")
                                            if c not in columns]
    proba_columns = [] if columns is None else [c for c in columns
                                                if str(c).startswith(PROBA_PREFIX)]
    if columns is None or missing or not proba_columns:
        what = (f"a {type(timeline).__name__}" if columns is None
                else f"columns {list(columns)}")
        raise SkserError(
            "plot_timeline expects the DataFrame of predict_timeline (start, end, silent and "
            f"{PROBA_PREFIX}<class> columns), got {what}"
        )
    if len(timeline) == 0:
        raise SkserError("the timeline has no windows to plot")
    starts = timeline["start"].to_numpy(dtype=float)
    ends = timeline["end"].to_numpy(dtype=float)
    silent = timeline["silent"].to_numpy(dtype=bool)
    proba = np.nan_to_num(timeline[proba_columns].to_numpy(dtype=float), nan=0.0)
    names = [str(c)[len(PROBA_PREFIX):] for c in proba_columns]
    ax = _axes(ax, figsize=(10, 3))
    ax.stackplot((starts + ends) / 2, proba.T, labels=names, alpha=0.85)
    for i, (start, end) in enumerate(_silent_spans(starts, ends, silent)):
        ax.axvspan(start, end, color="0.85", zorder=0, label="silent" if i == 0 else None)
    ax.set_xlim(starts.min(), ends.max())
    ax.set_ylim(0, 1)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Probability")
    ax.set_title("Emotion over time")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return ax
