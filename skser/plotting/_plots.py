"""Figures for evaluating emotion classifiers and looking at their inputs.

matplotlib is an optional dependency (``pip install skser[plot]``): it is
imported inside each function. Every function draws on the Axes it is given
(or on a new figure), returns the Axes or the Figure, and never calls
``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.metrics import recall_score

from ..exceptions import SkserError
from ..metrics import _check_predictions, _confusion_matrix

__all__ = [
    "plot_confusion_matrix",
    "plot_recall_per_emotion",
    "plot_training_history",
    "plot_waveform",
    "plot_spectrogram",
    "plot_emotion_examples",
    "plot_search_results",
    "plot_timeline",
    "save_figure",
]


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


def plot_confusion_matrix(y_true, y_pred, *, labels: Sequence | None = None,
                          normalize: str | None = None, ax=None, cmap: str = "Blues"):
    """Draw the confusion matrix with every cell annotated.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : sequence, optional
        Row and column order; default: the sorted union of both vectors.
    normalize : {None, "true"}, default=None
        None shows counts; "true" divides each row by its number of true
        samples, so the diagonal holds the per-emotion recalls.
    ax : matplotlib Axes, optional
        Where to draw; default: a new figure.
    cmap : str, default="Blues"

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    skser.metrics.emotion_report

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skser.plotting import plot_confusion_matrix
    >>> ax = plot_confusion_matrix(["sad", "angry", "sad"], ["sad", "sad", "sad"])
    >>> [t.get_text() for t in ax.texts]
    ['0', '1', '0', '2']
    """
    if normalize not in (None, "true"):
        raise ValueError(f"normalize must be None or 'true', got {normalize!r}")
    y_true, y_pred, labels = _check_predictions(y_true, y_pred, labels)
    cm = _confusion_matrix(y_true, y_pred, labels)
    if normalize == "true":
        # Rows without true samples stay 0 instead of 0/0.
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    # Room for the cells and for the tick labels (rotated below, upright at the left).
    longest = max(len(str(label)) for label in labels)
    ax = _axes(ax, figsize=(1.6 + 0.7 * len(labels) + 0.08 * longest,
                            1.2 + 0.6 * len(labels) + 0.06 * longest))
    image = ax.imshow(cm, cmap=cmap, vmin=0, vmax=1 if normalize else max(cm.max(), 1))
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = (1 if normalize else cm.max()) / 2
    for (i, j), value in np.ndenumerate(cm):
        ax.text(j, i, f"{value:.2f}" if normalize else f"{value:d}", ha="center", va="center",
                color="white" if value > threshold else "black", fontsize=9)
    names = [str(label) for label in labels]
    ax.set_xticks(range(len(labels)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), names)
    ax.set_xlabel("Predicted emotion")
    ax.set_ylabel("True emotion")
    ax.set_title("Confusion matrix" + (" (row-normalized)" if normalize else ""))
    return ax


def plot_recall_per_emotion(y_true, y_pred, *, labels: Sequence | None = None, ax=None):
    """Bar chart of each emotion's recall, with the chance level as a line.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : sequence, optional
        Bar order; default: the sorted union of both vectors.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Bar heights are the recalls; the dashed line is at 1 / n_labels.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skser.plotting import plot_recall_per_emotion
    >>> ax = plot_recall_per_emotion(["sad", "angry", "sad"], ["sad", "sad", "sad"])
    >>> [float(bar.get_height()) for bar in ax.patches]
    [0.0, 1.0]
    """
    y_true, y_pred, labels = _check_predictions(y_true, y_pred, labels)
    recalls = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    ax = _axes(ax, figsize=(1.0 + 0.6 * len(labels), 3.5))
    names = [str(label) for label in labels]
    bars = ax.bar(range(len(names)), recalls, color="tab:blue")
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.axhline(1 / len(labels), color="tab:red", linestyle="--", label="chance")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("Recall")
    uar = recalls[np.isin(labels, y_true)].mean()
    ax.set_title(f"Recall per emotion (UAR {uar:.3f})")
    ax.legend(loc="upper right")
    return ax


def _history_of(obj) -> dict:
    if isinstance(obj, dict):
        return obj
    if hasattr(obj, "best_estimator_"):
        return _history_of(obj.best_estimator_)
    if hasattr(obj, "steps"):
        return _history_of(obj.steps[-1][1])
    history = getattr(obj, "history_", None)
    if history is None:
        raise SkserError(
            f"{type(obj).__name__} has no training history: pass a fitted Keras "
            "classifier, a pipeline ending in one, or its history_ dict"
        )
    return dict(history)


def plot_training_history(estimator_or_history, *, metrics: Sequence[str] = ("loss", "accuracy"),
                          axes=None):
    """Training and validation curves, one panel per metric.

    Parameters
    ----------
    estimator_or_history : estimator, Pipeline, search or dict
        A fitted skser Keras classifier, a pipeline ending in one, a fitted
        search (its ``best_estimator_``), or a ``history_`` dict of per-epoch
        lists.
    metrics : sequence of str, default=("loss", "accuracy")
        Keys of the history; ``val_<metric>`` is drawn too when present.
    axes : sequence of matplotlib Axes, optional
        One per metric; default: a new figure with one row of panels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skser.plotting import plot_training_history
    >>> history = {"loss": [1.2, 0.9], "val_loss": [1.3, 1.1], "accuracy": [0.4, 0.6]}
    >>> fig = plot_training_history(history)
    >>> [len(ax.lines) for ax in fig.axes]
    [2, 1]
    """
    history = _history_of(estimator_or_history)
    missing = [m for m in metrics if m not in history]
    if missing:
        raise SkserError(
            f"metrics {missing} are not in the training history; it has {sorted(history)}"
        )
    if axes is None:
        axes = _pyplot().subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2),
                                  squeeze=False, layout="constrained")[1][0]
    if len(axes) != len(metrics):
        raise ValueError(f"got {len(axes)} axes for {len(metrics)} metrics")
    for ax, metric in zip(axes, metrics):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], marker=".", label="train")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], marker=".", label="validation")
        ax.set_xlabel("Epoch")
        ax.set_ylabel(metric)
        ax.legend()
    return axes[0].figure


def plot_waveform(y, sr: int, ax=None):
    """Draw a waveform against time in seconds.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    sr : int
        Sample rate in Hz.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skser.plotting import plot_waveform
    >>> y = 0.5 * np.sin(2 * np.pi * 220 * np.arange(8000) / 16000)
    >>> ax = plot_waveform(y, sr=16000)
    >>> [float(x) for x in ax.get_xlim()], ax.get_xlabel()
    ([0.0, 0.5], 'Time (s)')
    """
    y = np.asarray(y, dtype=np.float32).ravel()
    ax = _axes(ax, figsize=(8, 2.5))
    ax.plot(np.arange(len(y)) / sr, y, linewidth=0.6)
    ax.set_xlim(0, max(len(y) / sr, 1 / sr))
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Amplitude")
    return ax


def plot_spectrogram(image, *, sr: int, hop_length: int, kind: str = "mel", ax=None):
    """Draw a mel spectrogram (in dB) or an MFCC image against time.

    Parameters
    ----------
    image : array-like of shape (n_bins, n_frames) or (n_bins, n_frames, n_channels)
        E.g. one row of :class:`~skser.features.MelImage`'s output; of a 3-D
        image (MFCCs with deltas) the first channel is drawn.
    sr : int
        Sample rate in Hz of the audio the image was computed from.
    hop_length : int
        Samples between frames.
    kind : {"mel", "mfcc"}, default="mel"
        Sets the frequency axis: mel-spaced in Hz, or coefficient numbers.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skser.features import MelImage, MFCCImage
    >>> from skser.plotting import plot_spectrogram
    >>> waves = np.random.default_rng(0).uniform(-0.1, 0.1, (1, 16000))
    >>> mel = MelImage(duration=1.0)
    >>> image = mel.fit_transform(waves)[0]
    >>> image.shape
    (64, 63)
    >>> ax = plot_spectrogram(image, sr=mel.sr, hop_length=mel.hop_length)
    >>> ax.get_xlabel(), ax.get_ylabel(), len(ax.figure.axes)  # the image and its colorbar
    ('Time', 'Hz', 2)
    >>> mfcc = MFCCImage(duration=1.0, deltas=1)
    >>> image = mfcc.fit_transform(waves)[0]  # the first channel is drawn
    >>> image.shape
    (40, 63, 2)
    >>> plot_spectrogram(image, sr=mfcc.sr, hop_length=mfcc.hop_length, kind="mfcc").get_ylabel()
    'MFCC'
    """
    if kind not in ("mel", "mfcc"):
        raise ValueError(f"kind must be 'mel' or 'mfcc', got {kind!r}")
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3:
        image = image[..., 0]
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (n_bins, n_frames), got shape {image.shape}")
    _pyplot()
    import librosa.display

    ax = _axes(ax, figsize=(8, 3))
    mesh = librosa.display.specshow(image, sr=sr, hop_length=hop_length, x_axis="time",
                                    y_axis="mel" if kind == "mel" else None, ax=ax)
    ax.figure.colorbar(mesh, ax=ax, format="%+.0f dB" if kind == "mel" else "%.1f")
    if kind == "mfcc":
        ax.set_ylabel("MFCC")
    return ax


def plot_emotion_examples(df, *, transformer=None, emotions: Sequence[str] | None = None,
                          sr: int = 16000):
    """One row per emotion: the waveform and the image of one example file.

    Parameters
    ----------
    df : DataFrame
        A corpus with ``path`` and ``emotion`` columns (see
        :mod:`skser.datasets`); the first file of each emotion is shown.
    transformer : skser feature transformer, optional
        Computes the image from a path, e.g. ``MelImage()`` or
        ``MFCCImage()`` (cloned, then fitted on the one file; its ``sr`` and
        ``hop_length`` label the axes). Default: a 128-band mel spectrogram in
        dB (n_fft 2048, hop 512), as in reference B.
    emotions : sequence of str, optional
        Rows, in order; default: every emotion of ``df`` in order of appearance.
    sr : int, default=16000
        Sample rate in Hz for decoding the waveforms (and the default image).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_corpus
    >>> from skser.plotting import plot_emotion_examples
    >>> df = make_synthetic_corpus(tempfile.mkdtemp(), n_speakers=1, n_statements=1,
    ...                            n_repetitions=1, duration=0.5)
    >>> fig = plot_emotion_examples(df, emotions=["sad", "angry"])
    >>> len(fig.axes)  # two rows of a waveform and an image, and two colorbars
    6
    >>> [ax.get_title(loc="left") for ax in fig.axes[:4:2]]
    ['sad: 03-01-04-01-01-01-01.wav', 'angry: 03-01-05-01-01-01-01.wav']
    """
    from ..audio import load_audio

    if emotions is None:
        emotions = list(dict.fromkeys(df["emotion"]))
    missing = [e for e in emotions if not (df["emotion"] == e).any()]
    if missing or not emotions:
        raise SkserError(f"no file for emotions {missing} in the DataFrame"
                         if missing else "the DataFrame holds no files")
    fig, axes = _pyplot().subplots(len(emotions), 2, figsize=(11, 2.2 * len(emotions)),
                                   squeeze=False, layout="constrained")
    for row, emotion in zip(axes, emotions):
        path = df.loc[df["emotion"] == emotion, "path"].iloc[0]
        y = load_audio(path, sr=sr)
        plot_waveform(y, sr, ax=row[0])
        row[0].set_title(f"{emotion}: {Path(path).name}", loc="left", fontsize=10)
        if transformer is None:
            import librosa

            hop, image_sr, kind = 512, sr, "mel"
            image = librosa.power_to_db(
                librosa.feature.melspectrogram(y=y, sr=sr, n_fft=2048, hop_length=hop,
                                               n_mels=128), ref=np.max)
        else:
            hop = getattr(transformer, "hop_length", 512)
            image_sr = getattr(transformer, "sr", sr)
            kind = "mfcc" if hasattr(transformer, "n_mfcc") else "mel"
            image = clone(transformer).fit_transform([path])[0]
        plot_spectrogram(image, sr=image_sr, hop_length=hop, kind=kind, ax=row[1])
    for ax in axes[:-1].ravel():
        ax.set_xlabel("")
    return fig


def _short_value(value) -> str:
    # An estimator searched as a pipeline step is named by its class, not its repr.
    return type(value).__name__ if hasattr(value, "get_params") else str(value)


def _short_params(params: dict) -> str:
    # "conv1dclassifier__filters" -> "filters": step prefixes only add width.
    return ", ".join(f"{name.rsplit('__', 1)[-1]}={_short_value(value)}"
                     for name, value in params.items())


def plot_search_results(search, *, param: str | None = None, ax=None):
    """Compare the candidates of a fitted search: mean test score ± its std.

    Parameters
    ----------
    search : fitted GridSearchCV, RandomizedSearchCV or similar
        Anything with a scikit-learn ``cv_results_``. With several scorers,
        the ``refit`` one is shown.
    param : str, optional
        Label each candidate by this parameter only (e.g.
        ``"conv1dclassifier__filters"``); default: all searched parameters.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One horizontal bar per candidate, the best in a different colour.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skser.plotting import plot_search_results
    >>> X = np.random.default_rng(0).normal(size=(20, 3)); y = np.repeat(["sad", "angry"], 10)
    >>> X[y == "angry"] += 1.0
    >>> search = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0]}, cv=2).fit(X, y)
    >>> ax = plot_search_results(search)
    >>> [label.get_text() for label in ax.get_yticklabels()], len(ax.patches)
    (['C=0.01', 'C=1.0'], 2)
    >>> ax = plot_search_results(search, param="C")
    >>> [label.get_text() for label in ax.get_yticklabels()], ax.get_ylabel()
    (['0.01', '1.0'], 'C')
    """
    results = getattr(search, "cv_results_", None)
    if results is None:
        raise SkserError(f"{type(search).__name__} has no cv_results_: fit the search first")
    scorer = search.refit if isinstance(getattr(search, "refit", None), str) else "score"
    means = np.asarray(results[f"mean_test_{scorer}"], dtype=float)
    stds = np.asarray(results[f"std_test_{scorer}"], dtype=float)
    ranks = np.asarray(results[f"rank_test_{scorer}"])
    if param is not None and param not in results["params"][0]:
        raise SkserError(f"{param!r} is not a searched parameter; the search varied "
                         f"{sorted(results['params'][0])}")
    names = [_short_value(p[param]) if param else _short_params(p) for p in results["params"]]
    ax = _axes(ax, figsize=(7, 1.0 + 0.4 * len(names)))
    colors = ["tab:orange" if rank == 1 else "tab:blue" for rank in ranks]
    positions = np.arange(len(names))
    ax.barh(positions, means, xerr=stds, color=colors, capsize=3)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.set_xlabel(f"Mean test {'score' if scorer == 'score' else scorer} (± std over folds)")
    if param:
        ax.set_ylabel(param)
    return ax


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
