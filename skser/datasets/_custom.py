"""Corpora of other layouts: one sub-folder per emotion, or a table of files and labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..exceptions import CorpusError
from ..utils._columns import (
    CORPUS_COLUMN,
    CORPUS_COLUMNS,
    EMOTION_COLUMN,
    PATH_COLUMN,
    SPEAKER_COLUMN,
)
from ._pattern import _check_root, _label_lookup, _list_audio, _listing, _parse_files
from ._vocabulary import AUDIO_EXTENSIONS, EMOTIONS

__all__ = ["load_folder", "load_table"]


def load_folder(root, *, corpus: str = "custom", allow_unknown_labels: bool = True) -> pd.DataFrame:
    """Load a corpus laid out as one sub-folder per emotion (``root/angry/x.wav``).

    The name of each file's top folder under ``root`` is its label, read
    through a table of synonyms (``anger``, ``Fear``, ``happiness``,
    ``sadness``, ``surprise``, ``disgusted`` ... map to :data:`EMOTIONS`).
    Files may sit deeper inside the emotion folder.

    Parameters
    ----------
    root : str or os.PathLike
        The folder holding the emotion folders.
    corpus : str, default="custom"
        Value of the ``corpus`` column.
    allow_unknown_labels : bool, default=True
        Keep folders whose name is not an emotion of the vocabulary (labelled
        with the lower-cased folder name); ``False`` raises instead.

    Returns
    -------
    df : pandas.DataFrame
        Columns ``path``, ``emotion``, ``speaker`` (all ``<NA>``: the layout
        names no speaker, so speaker-independent splits are not possible) and
        ``corpus``, sorted by path.

    Raises
    ------
    CorpusError
        If ``root`` is missing or holds no audio, a file lies directly in
        ``root``, or (with ``allow_unknown_labels=False``) a folder name is not
        an emotion.

    See Also
    --------
    load_table : Labels (and speakers) from a CSV file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_folder
    >>> root = Path(tempfile.mkdtemp())
    >>> for folder in ["Anger", "sadness"]:
    ...     (root / folder).mkdir()
    ...     sf.write(root / folder / "take1.wav", np.zeros(160), 16000)
    >>> load_folder(root)["emotion"].tolist()
    ['angry', 'sad']
    """
    root = _check_root(root)
    files = _list_audio(root, AUDIO_EXTENSIONS)

    def groups_of(path: Path) -> dict | None:
        parts = path.relative_to(root).parts
        return {"emotion": parts[0]} if len(parts) > 1 else None

    return _parse_files(
        files,
        groups_of,
        label_map=None,
        corpus=corpus,
        speaker_prefix=None,
        label_group="emotion",
        speaker_group=None,
        metadata=None,
        allow_unknown_labels=allow_unknown_labels,
        expected="EMOTION/name.wav (one sub-folder per emotion)",
        where=str(root),
    )


def load_table(
    table,
    *,
    path: str = "path",
    label: str = "emotion",
    speaker: str | None = None,
    corpus: str = "custom",
    root=None,
    allow_unknown_labels: bool = True,
) -> pd.DataFrame:
    """Load a corpus listed in a table of file paths and labels.

    Parameters
    ----------
    table : str, os.PathLike or pandas.DataFrame
        A CSV file or a DataFrame with one row per recording.
    path : str, default="path"
        Column of file paths; relative ones are resolved against ``root``, or
        else the CSV file's folder (the working directory for a DataFrame).
    label : str, default="emotion"
        Column of labels, read through the synonym table (``"anger"`` ->
        ``"angry"``).
    speaker : str or None, default=None
        Column of speaker ids, which become ``"{corpus}_{id}"``; ``None``: the
        ``speaker`` column is ``<NA>``.
    corpus : str, default="custom"
        Value of the ``corpus`` column.
    root : str, os.PathLike or None, default=None
        Folder against which relative paths are resolved.
    allow_unknown_labels : bool, default=True
        Keep labels outside the vocabulary (lower-cased); ``False`` raises.

    Returns
    -------
    df : pandas.DataFrame
        Columns ``path`` (absolute), ``emotion``, ``speaker``, ``corpus``, then
        the table's other columns, in the table's row order.

    Raises
    ------
    CorpusError
        If the CSV file or a column is missing, a label is empty or (with
        ``allow_unknown_labels=False``) unknown, or listed files do not exist
        (the message names them).

    See Also
    --------
    load_folder, load_pattern

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, pandas as pd, soundfile as sf
    >>> from skser.datasets import load_table
    >>> root = Path(tempfile.mkdtemp())
    >>> sf.write(root / "a.wav", np.zeros(160), 16000)
    >>> table = pd.DataFrame({"file": ["a.wav"], "label": ["Happiness"], "who": ["s1"]})
    >>> df = load_table(table, path="file", label="label", speaker="who", root=root)
    >>> df[["emotion", "speaker", "corpus"]].to_dict("list")
    {'emotion': ['happy'], 'speaker': ['custom_s1'], 'corpus': ['custom']}
    """
    if isinstance(table, pd.DataFrame):
        frame = table.reset_index(drop=True)
        base = Path.cwd() if root is None else Path(root).expanduser()
        source = "the table"
    else:
        csv = Path(table).expanduser()
        if not csv.is_file():
            raise CorpusError(f"table {csv} does not exist or is not a file")
        # Read ids as text, so that speaker 1 does not become "1.0" next to a gap.
        frame = pd.read_csv(csv, dtype={c: str for c in (path, label, speaker) if c})
        base = csv.parent if root is None else Path(root).expanduser()
        source = str(csv)
    columns = [c for c in (path, label, speaker) if c is not None]
    missing_columns = [c for c in columns if c not in frame.columns]
    if missing_columns:
        raise CorpusError(
            f"{source} has no column(s) {missing_columns}; its columns are {list(frame.columns)}"
        )
    rows = pd.Series([f"row {i} ({p})" for i, p in enumerate(frame[path])])
    empty = frame[label].isna() | (frame[label].astype(str).str.strip() == "")
    if empty.any():
        raise CorpusError(f"{source}: empty label in {_listing(list(rows[empty]))}")
    lookup = _label_lookup(None, allow_unknown_labels)
    emotions = frame[label].map(lookup)
    unknown = emotions.isna()
    if unknown.any():
        listed = list(rows[unknown] + ": " + frame.loc[unknown, label].astype(str))
        raise CorpusError(
            f"{int(unknown.sum())} label(s) in {source} are not in the emotion vocabulary "
            f"({', '.join(EMOTIONS)}): {_listing(listed)}; pass allow_unknown_labels=True "
            "to keep them"
        )
    paths = [(base / Path(str(p)).expanduser()).resolve() for p in frame[path]]
    absent = [str(p) for p in paths if not p.is_file()]
    if absent:
        raise CorpusError(f"{len(absent)} file(s) listed in {source} do not exist: "
                          f"{_listing(absent)}")
    if speaker is None:
        speakers = pd.Series(pd.NA, index=frame.index, dtype="object")
    else:
        speakers = frame[speaker].map(lambda s: pd.NA if pd.isna(s) else f"{corpus}_{s}")
    out = pd.DataFrame({
        PATH_COLUMN: [str(p) for p in paths],
        EMOTION_COLUMN: emotions,
        SPEAKER_COLUMN: speakers,
        CORPUS_COLUMN: corpus,
    })
    extra = frame.drop(columns=[*columns, *(c for c in CORPUS_COLUMNS if c in frame.columns)],
                       errors="ignore")
    return pd.concat([out, extra], axis=1)
