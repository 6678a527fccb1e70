"""Held-out files, recorded so that a saved model can be scored on them again later."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..utils._columns import PATH_COLUMN

__all__ = ["record_held_out", "select_held_out"]


def record_held_out(paths: Iterable, root) -> list[str]:
    """The held-out files, relative to the data folder, with forward slashes.

    Relative paths stay valid when the data folder moves or is read on
    another machine: :func:`select_held_out` finds the files again under the
    folder's new location. ``skser train`` stores them in the model file's
    metadata (``test_files``).

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        The held-out files, e.g. the ``path`` column of the test part of a split.
    root : str or os.PathLike
        The data folder the files were loaded from.

    Returns
    -------
    list of str
        Each path relative to ``root``, in order; a file outside ``root``
        starts with ``..``.

    See Also
    --------
    select_held_out

    Examples
    --------
    >>> from skser.model_selection import record_held_out
    >>> record_held_out(["/data/ravdess/Actor_01/a.wav"], "/data")
    ['ravdess/Actor_01/a.wav']
    """
    root = Path(root).resolve()
    return [Path(os.path.relpath(Path(p).resolve(), root)).as_posix() for p in paths]


def select_held_out(df: pd.DataFrame, held_out: Iterable[str], roots: Iterable) -> pd.DataFrame:
    """The rows of a corpus table whose file is one of the recorded held-out files.

    Parameters
    ----------
    df : pandas.DataFrame
        A corpus table with a ``path`` column.
    held_out : iterable of str
        Files relative to a data folder, as :func:`record_held_out` gives them.
    roots : iterable of str or os.PathLike
        Where the data folder may be now: a held-out file is found under any
        of them (the folder the files were recorded against, the folder it was
        moved to, or the part of it being read).

    Returns
    -------
    pandas.DataFrame
        The rows of ``df`` (index kept) whose ``path`` is a held-out file under
        one of ``roots``; possibly none.

    See Also
    --------
    record_held_out

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.model_selection import select_held_out
    >>> df = pd.DataFrame({"path": ["/new/ravdess/a.wav", "/new/ravdess/b.wav"]})
    >>> select_held_out(df, ["ravdess/b.wav"], ["/old", "/new"])["path"].tolist()
    ['/new/ravdess/b.wav']
    """
    held_out = list(held_out)
    wanted = {(Path(root) / rel).resolve() for root in roots for rel in held_out}
    return df[[Path(p).resolve() in wanted for p in df[PATH_COLUMN]]]
