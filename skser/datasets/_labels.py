"""Relabel a corpus: merge emotions into others, drop some, keep only a model's classes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ..exceptions import LabelError
from ..utils._columns import EMOTION_COLUMN
from ._vocabulary import EMOTIONS, normalize_emotion

__all__ = ["map_labels", "parse_label_map"]


def _as_list(values, name: str) -> list:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    try:
        return list(values)
    except TypeError:
        raise LabelError(f"{name} must be a list of labels, got {values!r}") from None


def _unknown(label, known: set, what: str, among: str = "known labels") -> LabelError:
    hint = normalize_emotion(label)
    suggestion = f" (did you mean {hint!r}?)" if hint in known and hint != label else ""
    shown = ", ".join(sorted(map(str, known)))
    return LabelError(f"{what} {label!r} is not one of the {among}{suggestion}: {shown}")


def map_labels(df_or_labels, mapping: Mapping | None = None, drop: Iterable | None = None,
               keep: Iterable | None = None):
    """Merge labels into others, drop labels, and keep only given labels.

    The three steps run in this order: ``mapping`` renames labels (merging
    classes, e.g. ``{"calm": "neutral"}``), then the rows of the ``drop``
    labels are removed, then (when ``keep`` is given) every row whose label
    is not in ``keep`` is removed.

    Parameters
    ----------
    df_or_labels : pandas.DataFrame or array-like of shape (n_samples,)
        A corpus table with an ``emotion`` column (see :mod:`skser.datasets`),
        or the labels themselves.
    mapping : mapping of label -> label, optional
        Labels to rename. A source label must occur in the data or be in
        :data:`EMOTIONS`; a target must be in ``keep`` when ``keep`` is
        given, else in the data or in :data:`EMOTIONS`.
    drop : iterable of labels, optional
        Labels whose rows are removed (after ``mapping``). Each must occur in
        the data or be in :data:`EMOTIONS`.
    keep : iterable of labels, optional
        The labels to keep, e.g. the ``classes_`` of a fitted model; rows of
        any other label are removed. ``None`` keeps every label.

    Returns
    -------
    result : same kind as ``df_or_labels``
        A DataFrame or Series keeps its index for the remaining rows; other
        inputs give a 1-D ndarray.
    summary : dict
        ``n_before`` and ``n_after`` (numbers of rows), ``mapped``
        (``{source: {"to": target, "n": rows relabelled}}``) and ``dropped``
        (``{label: {"n": rows removed, "reason": "drop" or "not in keep"}}``),
        every label as it occurs in the data; ready for :func:`json.dumps`.

    Raises
    ------
    LabelError
        If a mapping source, mapping target or dropped label is unknown, a
        label is both mapped and dropped, or a DataFrame has no ``emotion``
        column.

    Examples
    --------
    >>> from skser.datasets import map_labels
    >>> labels = ["calm", "neutral", "sad", "surprised", "calm"]
    >>> result, summary = map_labels(labels, mapping={"calm": "neutral"}, drop=["surprised"])
    >>> result.tolist()
    ['neutral', 'neutral', 'sad', 'neutral']
    >>> summary["mapped"], summary["dropped"]
    ({'calm': {'to': 'neutral', 'n': 2}}, {'surprised': {'n': 1, 'reason': 'drop'}})
    >>> map_labels(labels, mapping={"calm": "nuetral"})
    Traceback (most recent call last):
    ...
    skser.exceptions.LabelError: mapping target 'nuetral' is not one of the known labels: ...
    """
    is_frame = isinstance(df_or_labels, pd.DataFrame)
    if is_frame:
        if EMOTION_COLUMN not in df_or_labels.columns:
            raise LabelError(
                "map_labels needs a DataFrame with an 'emotion' column, got columns "
                f"{list(df_or_labels.columns)}"
            )
        labels = df_or_labels[EMOTION_COLUMN]
    elif isinstance(df_or_labels, pd.Series):
        labels = df_or_labels
    else:
        labels = pd.Series(np.asarray(df_or_labels, dtype=object).ravel(), dtype=object)
    mapping = dict(mapping or {})
    drop = _as_list(drop, "drop")
    keep_list = None if keep is None else _as_list(keep, "keep")

    present = set(labels.dropna().unique().tolist())
    vocabulary = present | set(EMOTIONS)
    targets_allowed = set(keep_list) if keep_list is not None else vocabulary
    for source, target in mapping.items():
        if source not in vocabulary:
            raise _unknown(source, vocabulary, "mapping source")
        if target not in targets_allowed:
            raise _unknown(target, targets_allowed, "mapping target",
                           "known labels" if keep_list is None else "labels to keep")
    for label in drop:
        if label not in vocabulary:
            raise _unknown(label, vocabulary, "dropped label")
    both = sorted({str(x) for x in drop} & {str(x) for x in (*mapping, *mapping.values())})
    if both:
        raise LabelError(f"label(s) {', '.join(both)} are both mapped and dropped; "
                         "choose one")

    mapped = {}
    new = labels.copy()
    for source, target in mapping.items():
        hit = labels == source
        mapped[source] = {"to": target, "n": int(hit.sum())}
        new[hit] = target
    dropped = {}
    remove = np.zeros(len(new), dtype=bool)
    for label in drop:
        hit = (new == label).to_numpy()
        dropped[label] = {"n": int(hit.sum()), "reason": "drop"}
        remove |= hit
    if keep_list is not None:
        outside = ~new.isin(keep_list).to_numpy() & ~remove
        for label, n in new[outside].value_counts(dropna=False).sort_index().items():
            dropped[label] = {"n": int(n), "reason": "not in keep"}
        remove |= outside

    summary = {"n_before": len(new), "n_after": int((~remove).sum()),
               "mapped": mapped, "dropped": dropped}
    if is_frame:
        result = df_or_labels.assign(**{EMOTION_COLUMN: new.to_numpy()})[~remove]
    elif isinstance(df_or_labels, pd.Series):
        result = new[~remove]
    else:
        result = new.to_numpy()[~remove]
    return result, summary


def parse_label_map(pairs: str | Iterable[str] | None, *, name: str = "label map") -> dict:
    """Read ``FROM=TO`` pairs, as written on a command line, into a mapping of labels.

    Parameters
    ----------
    pairs : str, iterable of str, or None
        Pairs ``FROM=TO``, several in one string separated by commas:
        ``["calm=neutral", "surprised=happy,boredom=neutral"]``. Spaces around
        labels are ignored; ``None`` gives an empty mapping.
    name : str, default="label map"
        What the pairs are called in error messages (``skser evaluate`` says
        ``"--map"``).

    Returns
    -------
    mapping : dict of str to str
        ``FROM -> TO``, in the order given: the ``mapping`` of :func:`map_labels`.

    Raises
    ------
    LabelError
        If a pair has no ``=`` or an empty label, or a label is mapped to two
        different targets.

    Examples
    --------
    >>> from skser.datasets import parse_label_map
    >>> parse_label_map(["calm=neutral", "surprised = happy, boredom=neutral"])
    {'calm': 'neutral', 'surprised': 'happy', 'boredom': 'neutral'}
    >>> parse_label_map("calm", name="--map")
    Traceback (most recent call last):
    ...
    skser.exceptions.LabelError: --map expects FROM=TO, got 'calm'
    """
    if isinstance(pairs, str):
        pairs = [pairs]
    items = [item.strip() for value in pairs or () for item in value.split(",")]
    mapping: dict[str, str] = {}
    for item in filter(None, items):
        source, sep, target = item.partition("=")
        source, target = source.strip(), target.strip()
        if not sep or not source or not target:
            raise LabelError(f"{name} expects FROM=TO, got {item!r}")
        if mapping.get(source, target) != target:
            raise LabelError(f"{name} maps {source!r} twice: to {mapping[source]!r} and "
                             f"{target!r}")
        mapping[source] = target
    return mapping
