"""A data folder, whatever it holds: a folder of corpora, or one corpus folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..exceptions import CorpusError, DataNotFoundError
from ._corpora import load_corpora, load_cremad, load_ravdess, load_savee, load_tess
from ._custom import load_folder
from ._duplicates import drop_known_duplicates

__all__ = ["load_data_folder"]

# The layouts one corpus folder is tried against, in this order; then load_folder.
_SINGLE_CORPUS_LOADERS = (load_ravdess, load_cremad, load_tess, load_savee)


def load_data_folder(root, *, corpora: Iterable[str] | None = None,
                     drop_duplicates: bool = True) -> pd.DataFrame:
    """Load every recording of a data folder: a folder of corpora, or one corpus folder.

    ``root`` is first read as a folder of corpora (:func:`load_corpora`). When
    it holds no corpus folder, it is read as one corpus, its layout recognised
    by trying :func:`load_ravdess`, :func:`load_cremad`, :func:`load_tess` and
    :func:`load_savee` in that order, then :func:`load_folder` (one sub-folder
    per emotion, every folder name an emotion). This is what ``skser train
    --data ROOT`` and ``skser evaluate --data ROOT`` read.

    Parameters
    ----------
    root : str or os.PathLike
        The data folder.
    corpora : iterable of str or None, default=None
        Load only these corpora of a folder of corpora (``("ravdess", "tess")``);
        ``root`` must then be a folder of corpora. ``None`` loads whatever is found.
    drop_duplicates : bool, default=True
        Drop the recordings that the corpus releases hold twice
        (:func:`drop_known_duplicates`).

    Returns
    -------
    df : pandas.DataFrame
        One row per recording, with the columns of the loader that read it
        (see :mod:`skser.datasets`), and a fresh index.

    Raises
    ------
    DataNotFoundError
        If ``root`` is not a folder.
    CorpusError
        If ``root`` is neither a folder of corpora nor one corpus in a known
        layout (the message gives each loader's reason), or a requested corpus
        is missing.

    See Also
    --------
    load_corpora : a folder of corpora only.
    drop_known_duplicates

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skser.datasets import load_data_folder, make_synthetic_corpus
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = make_synthetic_corpus(root / "ravdess", n_speakers=1, n_statements=1,
    ...                           n_repetitions=1, duration=0.5)
    >>> len(load_data_folder(root)), len(load_data_folder(root / "ravdess"))
    (15, 15)
    >>> load_data_folder(root / "missing")
    Traceback (most recent call last):
    ...
    skser.exceptions.DataNotFoundError: data folder not found: ...
    """
    root = Path(root)
    if not root.is_dir():
        raise DataNotFoundError(f"data folder not found: {root}")
    try:
        df = load_corpora(root, corpora=corpora)
    except CorpusError as exc:
        if corpora is not None:
            raise
        df = _load_single_corpus(root, exc)
    if drop_duplicates:
        df = drop_known_duplicates(df)
    return df.reset_index(drop=True)


def _load_single_corpus(root: Path, not_corpora: CorpusError) -> pd.DataFrame:
    problems = [f"load_corpora: {not_corpora}"]
    for loader in _SINGLE_CORPUS_LOADERS:
        try:
            return loader(root)
        except CorpusError as exc:
            problems.append(f"{loader.__name__}: {exc}")
    try:
        return load_folder(root, allow_unknown_labels=False)
    except CorpusError as exc:
        problems.append(f"load_folder: {exc}")
    raise CorpusError(
        f"{root} is neither a folder of corpora (ravdess/, cremad/, tess/, savee/) nor one "
        "corpus in a known layout:\n  " + "\n  ".join(problems)
    )
