"""Figures for evaluating emotion classifiers: confusions, recalls, training curves,
search results."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import recall_score

from ..exceptions import SkserError
from ..metrics import _check_predictions, _confusion_matrix
from ..utils._estimators import iter_estimators
from ._base import _axes, _pyplot

__all__ = [
    "plot_confusion_matrix", "plot_recall_per_emotion", "plot_training_history",
    "plot_search_results",
]


def plot_confusion_matrix(y_true, y_pred, *, labels: Sequence | np.ndarray | None = None,
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


def plot_recall_per_emotion(y_true, y_pred, *, labels: Sequence | np.ndarray | None = None,
                            ax=None):
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
    """The ``history_`` of the one fitted network in ``obj`` (or ``obj`` itself, a dict)."""
    if isinstance(obj, dict):
        return obj
    inside = iter_estimators(obj, fitted=True) if hasattr(obj, "get_params") else [("", obj)]
    networks = [(path, est) for path, est in inside
                if getattr(est, "history_", None) is not None]
    if not networks:
        raise SkserError(
            f"{type(obj).__name__} has no training history: pass a fitted Keras "
            "classifier, a pipeline ending in one, or its history_ dict"
        )
    if len(networks) > 1:
        raise SkserError(
            f"{type(obj).__name__} holds {len(networks)} trained networks ("
            + ", ".join(path for path, _ in networks) + "): pass one of them, or its "
            "history_ dict"
        )
    return dict(networks[0][1].history_)


def plot_training_history(estimator_or_history, *, metrics: Sequence[str] = ("loss", "accuracy"),
                          axes=None):
    """Training and validation curves, one panel per metric.

    Parameters
    ----------
    estimator_or_history : estimator, Pipeline, search or dict
        A fitted skser Keras classifier, an estimator holding exactly one (a
        pipeline ending in one, a fitted search, a vote with one network: as
        :func:`skser.utils.iter_estimators` finds them), or a ``history_``
        dict of per-epoch lists.
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
