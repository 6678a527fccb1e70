"""Labels and speakers from file names: the generic loader and what every loader shares.

Every loader only lists files and parses their names; no audio is decoded, so
loading the four reference corpora (12,162 files) is quick.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
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
from ._vocabulary import AUDIO_EXTENSIONS, EMOTIONS, normalize_emotion

__all__ = ["load_pattern"]

# How many offending files an error message lists before summarising the rest.
_MAX_LISTED = 5


def _check_root(root, what: str = "corpus root") -> Path:
    p = Path(root).expanduser()
    if not p.exists():
        raise CorpusError(f"{what} {p} does not exist")
    if not p.is_dir():
        raise CorpusError(f"{what} {p} is not a folder")
    return p.resolve()


def _extension_set(extensions) -> frozenset[str]:
    if extensions is None:
        return AUDIO_EXTENSIONS
    if isinstance(extensions, str):
        extensions = [extensions]
    return frozenset(str(e).lower().lstrip(".") for e in extensions)


def _list_audio(root: Path, extensions: frozenset[str]) -> list[Path]:
    """Audio files under ``root``, recursively, sorted; hidden files are skipped.

    Hidden entries include the ``._name`` resource forks and ``__MACOSX``
    folders that macOS leaves in zip archives of these corpora.
    """
    found = []
    for folder, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__MACOSX"]
        for name in filenames:
            if name.startswith("."):
                continue
            ext = name.rpartition(".")[2].lower() if "." in name else ""
            if ext in extensions:
                found.append(Path(folder, name))
    if not found:
        raise CorpusError(
            f"no audio files found under {root} (looked for extensions: "
            f"{', '.join(sorted(extensions))})"
        )
    return sorted(found)


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _label_lookup(label_map: Mapping | None, allow_unknown_labels: bool):
    """Return ``lookup(code) -> emotion or None`` (``None``: unknown code).

    Codes compare case-insensitively. With ``label_map=None`` the code itself
    is the label, read through the synonym table (``"Anger"`` -> ``"angry"``).
    """
    if label_map is None:
        def lookup(code):
            emotion = normalize_emotion(code)
            if emotion is None and allow_unknown_labels:
                return str(code).strip().lower()
            return emotion

        return lookup
    table = {}
    for code, value in label_map.items():
        emotion = value if value in EMOTIONS else normalize_emotion(value)
        if emotion is None:
            if not allow_unknown_labels:
                raise CorpusError(
                    f"label_map maps {code!r} to {value!r}, which is not in the emotion "
                    f"vocabulary ({', '.join(EMOTIONS)}); pass allow_unknown_labels=True "
                    "to keep labels outside it"
                )
            emotion = str(value)
        table[str(code).lower()] = emotion

    def lookup_table(code):
        emotion = table.get(str(code).lower())
        if emotion is None and allow_unknown_labels:
            return normalize_emotion(code) or str(code)
        return emotion

    return lookup_table


def _known_codes(label_map: Mapping | None) -> str:
    return ", ".join(map(str, label_map)) if label_map is not None else ", ".join(EMOTIONS)


def _frame(records: list[dict], metadata_columns: Iterable[str]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records, columns=[*CORPUS_COLUMNS, *metadata_columns])
    for column in df.columns:
        # Nullable integers, so that a column missing from another corpus
        # becomes <NA> on concatenation rather than turning into floats.
        if df[column].dtype.kind in "iu":
            df[column] = df[column].astype("Int64")
    return df.sort_values(PATH_COLUMN, ignore_index=True)


def _parse_files(
    files: list[Path],
    groups_of: Callable[[Path], dict | None],
    *,
    label_map: Mapping | None,
    corpus: str,
    speaker_prefix: str | None,
    label_group: str,
    speaker_group: str | None,
    metadata: Mapping | None,
    allow_unknown_labels: bool,
    expected: str,
    where: str,
) -> pd.DataFrame:
    """Build a corpus DataFrame from files whose named groups ``groups_of`` extracts."""
    lookup = _label_lookup(label_map, allow_unknown_labels)
    prefix = corpus if speaker_prefix is None else speaker_prefix
    metadata = dict(metadata or {})
    records, unmatched, unknown, speakerless = [], [], [], []
    for path in files:
        groups = groups_of(path)
        if groups is None:
            unmatched.append(str(path))
            continue
        code = groups.get(label_group)
        emotion = None if code is None else lookup(code)
        if emotion is None:
            unknown.append(f"{path} (code {code!r})")
            continue
        if speaker_group is None:
            speaker = pd.NA
        elif groups.get(speaker_group) is None:
            speakerless.append(str(path))
            continue
        else:
            speaker = f"{prefix}_{groups[speaker_group]}"
        record = {PATH_COLUMN: str(path), EMOTION_COLUMN: emotion, SPEAKER_COLUMN: speaker,
                  CORPUS_COLUMN: corpus}
        for column, source in metadata.items():
            record[column] = source(groups) if callable(source) else groups.get(source)
        records.append(record)
    if unmatched:
        raise CorpusError(
            f"{len(unmatched)} file name(s) under {where} do not match the expected "
            f"pattern {expected}: {_listing(unmatched)}"
        )
    if unknown:
        raise CorpusError(
            f"{len(unknown)} file(s) under {where} have an unknown {label_group} code: "
            f"{_listing(unknown)}; known codes: {_known_codes(label_map)}"
        )
    if speakerless:
        raise CorpusError(
            f"{len(speakerless)} file(s) under {where} name no speaker (no group "
            f"{speaker_group!r} matched in the file or folder name; expected {expected}): "
            f"{_listing(speakerless)}"
        )
    return _frame(records, metadata)


def _pattern_groups(pattern, folder_pattern, label_group: str):
    stem_re = re.compile(pattern)
    folder_re = None if folder_pattern is None else re.compile(folder_pattern)
    named = set(stem_re.groupindex) | set(folder_re.groupindex if folder_re else ())
    if label_group not in named:
        raise CorpusError(
            f"label group {label_group!r} is not a named group of pattern {stem_re.pattern!r}"
            + ("" if folder_re is None else f" or folder_pattern {folder_re.pattern!r}")
        )

    def groups_of(path: Path) -> dict | None:
        match = stem_re.fullmatch(path.stem)
        if match is None:
            return None
        groups = match.groupdict()
        if folder_re is not None:
            folder_match = folder_re.fullmatch(path.parent.name)
            if folder_match is not None:
                groups.update({k: v for k, v in folder_match.groupdict().items() if v})
        return groups

    return groups_of


def load_pattern(
    root,
    pattern: str | re.Pattern,
    label_map: Mapping[str, str] | None,
    *,
    corpus: str,
    speaker_prefix: str | None = None,
    label_group: str = "emotion",
    speaker_group: str | None = "speaker",
    metadata: Mapping[str, str | Callable[[dict], object]] | None = None,
    folder_pattern: str | re.Pattern | None = None,
    allow_unknown_labels: bool = False,
    extensions: Iterable[str] | None = None,
    expected: str | None = None,
) -> pd.DataFrame:
    """Load a corpus whose labels and speakers are encoded in its file names.

    Walks ``root`` recursively for audio files, matches each file name (without
    its extension) against ``pattern`` and reads the label and the speaker from
    its named groups.

    Parameters
    ----------
    root : str or os.PathLike
        The corpus folder.
    pattern : str or re.Pattern
        Regular expression that must match the whole file stem, with named
        groups: ``label_group``, ``speaker_group`` and any used by ``metadata``.
    label_map : mapping of str to str, or None
        Label code in the file name -> emotion (one of :data:`EMOTIONS`, or a
        synonym such as ``"anger"``). Codes compare case-insensitively. ``None``:
        the code is itself an emotion name or synonym.
    corpus : str
        Value of the ``corpus`` column.
    speaker_prefix : str or None, default=None
        Speaker ids are ``"{speaker_prefix}_{id}"``, unique across corpora;
        ``None`` uses ``corpus``.
    label_group : str, default="emotion"
        Name of the group that holds the label code.
    speaker_group : str or None, default="speaker"
        Name of the group that holds the speaker id; ``None``: the ``speaker``
        column is missing (``<NA>``).
    metadata : mapping or None, default=None
        Extra columns: column name -> the name of a group (copied as a string)
        or a callable that takes the dict of matched groups and returns the value.
    folder_pattern : str or re.Pattern or None, default=None
        Regular expression matched against the name of each file's folder; when
        it matches, its named groups override those of the file name (the folder
        names the speaker in some layouts, and is right where a file name has a
        typo). A folder that does not match leaves the file name's groups alone.
    allow_unknown_labels : bool, default=False
        Keep label codes missing from ``label_map`` (as the code itself) instead
        of raising.
    extensions : iterable of str or None, default=None
        File extensions to collect, case-insensitive; ``None``: every format
        soundfile reads (WAV, FLAC, OGG, Opus, MP3, AIFF, ...).
    expected : str or None, default=None
        A readable form of ``pattern`` for error messages, such as
        ``"03-01-EE-II-SS-RR-AA.wav"``; ``None`` shows the regular expression.

    Returns
    -------
    df : pandas.DataFrame
        One row per file, sorted by path, with columns ``path`` (absolute,
        ``str``), ``emotion``, ``speaker``, ``corpus`` and the ``metadata``
        columns (integers as nullable ``Int64``).

    Raises
    ------
    CorpusError
        If ``root`` is missing or not a folder, holds no audio file, a file name
        does not match ``pattern`` (the message names the files and the expected
        pattern), a label code is unknown (it names the files, the codes and the
        known codes), or a file names no speaker.

    See Also
    --------
    load_ravdess, load_cremad, load_tess, load_savee : The built-in special cases.
    load_folder : One sub-folder per emotion.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_pattern
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ["spk1-joy-01", "spk2-rage-01"]:
    ...     sf.write(root / f"{name}.wav", np.zeros(160), 16000)
    >>> df = load_pattern(root, r"(?P<speaker>spk\\d)-(?P<emotion>\\w+)-(?P<take>\\d+)",
    ...                   {"joy": "happy", "rage": "angry"}, corpus="mine",
    ...                   metadata={"take": lambda g: int(g["take"])})
    >>> df["emotion"].tolist(), df["speaker"].tolist(), df["take"].tolist()
    (['happy', 'angry'], ['mine_spk1', 'mine_spk2'], [1, 1])
    """
    groups_of = _pattern_groups(pattern, folder_pattern, label_group)
    root = _check_root(root)
    files = _list_audio(root, _extension_set(extensions))
    if expected is None:
        expected = str(getattr(pattern, "pattern", pattern))
    return _parse_files(
        files,
        groups_of,
        label_map=label_map,
        corpus=corpus,
        speaker_prefix=speaker_prefix,
        label_group=label_group,
        speaker_group=speaker_group,
        metadata=metadata,
        allow_unknown_labels=allow_unknown_labels,
        expected=expected,
        where=str(root),
    )
