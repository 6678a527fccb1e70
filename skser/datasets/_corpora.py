"""Corpus loaders: folders of audio files -> DataFrames of paths, labels and speakers.

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
from ._vocabulary import AUDIO_EXTENSIONS, EMOTIONS, normalize_emotion

__all__ = [
    "load_pattern",
    "load_ravdess",
    "load_cremad",
    "load_tess",
    "load_savee",
    "load_corpora",
    "load_folder",
    "load_table",
    "drop_known_duplicates",
    "KNOWN_DUPLICATES",
]

_BASE_COLUMNS = ["path", "emotion", "speaker", "corpus"]
# How many offending files an error message lists before summarising the rest.
_MAX_LISTED = 5


# --------------------------------------------------------------------------- helpers
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

    def lookup(code):
        emotion = table.get(str(code).lower())
        if emotion is None and allow_unknown_labels:
            return normalize_emotion(code) or str(code)
        return emotion

    return lookup


def _known_codes(label_map: Mapping | None) -> str:
    return ", ".join(map(str, label_map)) if label_map is not None else ", ".join(EMOTIONS)


def _frame(records: list[dict], metadata_columns: Iterable[str]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records, columns=[*_BASE_COLUMNS, *metadata_columns])
    for column in df.columns:
        # Nullable integers, so that a column missing from another corpus
        # becomes <NA> on concatenation rather than turning into floats.
        if df[column].dtype.kind in "iu":
            df[column] = df[column].astype("Int64")
    return df.sort_values("path", ignore_index=True)


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
        record = {"path": str(path), "emotion": emotion, "speaker": speaker, "corpus": corpus}
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


# --------------------------------------------------------------------------- generic loader
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
        expected = getattr(pattern, "pattern", pattern)
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


# --------------------------------------------------------------------------- the four corpora
def _constant(value):
    return lambda groups: value


def _ravdess_gender(groups: dict) -> str:
    return "male" if int(groups["speaker"]) % 2 else "female"


_RAVDESS = {
    "pattern": (
        r"03-01-(?P<emotion>\d\d)-(?P<intensity>\d\d)-(?P<statement>\d\d)"
        r"-(?P<repetition>\d\d)-(?P<speaker>\d\d)"
    ),
    "label_map": {f"{i:02d}": emotion for i, emotion in enumerate(EMOTIONS, start=1)},
    "metadata": {
        "gender": _ravdess_gender,
        "intensity": lambda g: {"01": "normal", "02": "strong"}.get(g["intensity"], g["intensity"]),
        "statement": lambda g: int(g["statement"]),
        "repetition": lambda g: int(g["repetition"]),
    },
    "expected": "03-01-EE-II-SS-RR-AA.wav (RAVDESS speech, Actor_AA/ folders)",
}

_CREMAD_LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}

_CORPORA = {
    "ravdess": _RAVDESS,
    "cremad": {
        "pattern": (
            r"(?P<speaker>\d{4})_(?P<sentence>[A-Za-z]{3})_(?P<emotion>[A-Za-z]{3})"
            r"_(?P<level>[A-Za-z]{2})"
        ),
        "label_map": {
            "ANG": "angry", "DIS": "disgust", "FEA": "fearful",
            "HAP": "happy", "NEU": "neutral", "SAD": "sad",
        },
        "metadata": {
            "sentence": "sentence",
            "level": lambda g: _CREMAD_LEVELS.get(g["level"].upper(), g["level"]),
        },
        "expected": "AAAA_SSS_EEE_LL.wav (CREMA-D, e.g. 1001_DFA_ANG_XX.wav)",
    },
    "tess": {
        "pattern": r"(?P<speaker>[A-Za-z]+)_(?P<word>[A-Za-z]+)_(?P<emotion>[A-Za-z]+)",
        # The speaker comes from the folder (OAF_angry/) where there is one:
        # the original release has a file named OA_bite_neutral.
        "folder_pattern": r"(?P<speaker>[A-Za-z]+)_.+",
        "label_map": {
            "angry": "angry", "disgust": "disgust", "fear": "fearful", "happy": "happy",
            "neutral": "neutral", "ps": "surprised", "sad": "sad",
        },
        "metadata": {"word": "word", "gender": _constant("female")},
        "expected": "OAF_word_emotion.wav (TESS, in folders such as OAF_angry/)",
    },
    "savee": {
        # Both layouts: ALL/DC_a01.wav, and the original AudioData/DC/a01.wav.
        "pattern": r"(?:(?P<speaker>[A-Za-z]{2})_)?(?P<emotion>sa|su|[adfhn])(?P<sentence>\d\d)",
        "folder_pattern": r"(?P<speaker>[A-Z]{2})",
        "label_map": {
            "a": "angry", "d": "disgust", "f": "fearful", "h": "happy",
            "n": "neutral", "sa": "sad", "su": "surprised",
        },
        "metadata": {"sentence": "sentence", "gender": _constant("male")},
        "expected": "DC_a01.wav (SAVEE; emotion prefix a, d, f, h, n, sa or su)",
    },
}


def _parse_builtin(name: str, files: list[Path], *, corpus: str, where: str) -> pd.DataFrame:
    spec = _CORPORA[name]
    return _parse_files(
        files,
        _pattern_groups(spec["pattern"], spec.get("folder_pattern"), "emotion"),
        label_map=spec["label_map"],
        corpus=corpus,
        speaker_prefix=None,
        label_group="emotion",
        speaker_group="speaker",
        metadata=spec["metadata"],
        allow_unknown_labels=False,
        expected=spec["expected"],
        where=where,
    )


def _load_builtin(name: str, root) -> pd.DataFrame:
    root = _check_root(root)
    df = _parse_builtin(name, _list_audio(root, AUDIO_EXTENSIONS), corpus=name, where=str(root))
    _check_no_copies(df, root)
    return df


def _check_no_copies(df: pd.DataFrame, root) -> None:
    """Refuse a speaker's recording found twice: a copy of a test file would leak into training.

    Some redistributions nest a second copy of the corpus inside the first
    (RAVDESS ``audio_speech_actors_01-24/Actor_01``), or hold one recording in two formats.
    """
    keys = pd.DataFrame({"speaker": df["speaker"],
                         "stem": df["path"].map(lambda p: Path(p).stem.lower())})
    repeated = df[keys.duplicated(keep=False)]
    if len(repeated):
        raise CorpusError(
            f"{len(repeated)} files under {root} are copies of the same recording (same "
            f"speaker and file name): {_listing(list(repeated['path']))}; keep one copy of each"
        )


def load_ravdess(root) -> pd.DataFrame:
    """Load the speech part of RAVDESS (24 actors, 8 emotions, 1440 files).

    Files are named ``03-01-EE-II-SS-RR-AA.ext`` (modality 03 audio-only,
    channel 01 speech, emotion EE 01-08 in the order of :data:`EMOTIONS`,
    intensity II, statement SS, repetition RR, actor AA), usually in
    ``Actor_AA/`` folders; any audio extension soundfile reads is accepted.

    Parameters
    ----------
    root : str or os.PathLike
        The folder that holds the ``Actor_NN`` folders (searched recursively).

    Returns
    -------
    df : pandas.DataFrame
        Columns ``path``, ``emotion``, ``speaker`` (``"ravdess_01"`` ...),
        ``corpus`` (``"ravdess"``), ``gender`` (``"male"`` for odd actor ids),
        ``intensity`` (``"normal"``/``"strong"``), ``statement`` (1 "Kids are
        talking by the door", 2 "Dogs are sitting by the door") and
        ``repetition`` (1, 2).

    Raises
    ------
    CorpusError
        See :func:`load_pattern`; also when the same recording appears twice.

    See Also
    --------
    load_corpora : All four corpora at once.
    drop_known_duplicates : RAVDESS holds two identical files.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_corpus, load_ravdess
    >>> root = tempfile.mkdtemp()
    >>> _ = make_synthetic_corpus(root, n_speakers=2, n_statements=1, n_repetitions=1,
    ...                           duration=0.5)
    >>> df = load_ravdess(root)
    >>> len(df), df["speaker"].unique().tolist()
    (30, ['ravdess_01', 'ravdess_02'])
    """
    return _load_builtin("ravdess", root)


def load_cremad(root) -> pd.DataFrame:
    """Load CREMA-D (91 actors, 6 emotions, 7442 files).

    Files are named ``AAAA_SSS_EEE_LL.ext``: actor id, sentence code, emotion
    (ANG, DIS, FEA, HAP, NEU, SAD) and level (LO, MD, HI, XX).

    Parameters
    ----------
    root : str or os.PathLike
        The corpus folder (for instance the one holding ``AudioWAV/``).

    Returns
    -------
    df : pandas.DataFrame
        Columns ``path``, ``emotion``, ``speaker`` (``"cremad_1001"`` ...),
        ``corpus`` (``"cremad"``), ``sentence`` (code such as ``"DFA"``) and
        ``level`` (``"low"``, ``"medium"``, ``"high"`` or ``"unspecified"``).

    Raises
    ------
    CorpusError
        See :func:`load_pattern`.

    See Also
    --------
    drop_known_duplicates : Three CREMA-D recordings carry two labels each.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_cremad
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ["1001_DFA_ANG_XX", "1002_IEO_HAP_HI"]:
    ...     sf.write(root / f"{name}.wav", np.zeros(160), 16000)
    >>> df = load_cremad(root)
    >>> df["emotion"].tolist(), df["speaker"].tolist()
    (['angry', 'happy'], ['cremad_1001', 'cremad_1002'])
    >>> df["sentence"].tolist(), df["level"].tolist()
    (['DFA', 'IEO'], ['unspecified', 'high'])
    """
    return _load_builtin("cremad", root)


def load_tess(root) -> pd.DataFrame:
    """Load TESS (2 speakers, 7 emotions, 2800 files).

    Files are named ``OAF_word_emotion.ext`` inside folders such as
    ``OAF_angry/`` (possibly within the ``TESS Toronto emotional speech set
    data/`` folder of the original archive); ``ps`` (pleasant surprise) maps to
    ``"surprised"``. The speaker is read from the folder where it has one, so the
    original's misnamed ``OA_bite_neutral`` counts as speaker OAF.

    Parameters
    ----------
    root : str or os.PathLike
        The corpus folder, searched recursively.

    Returns
    -------
    df : pandas.DataFrame
        Columns ``path``, ``emotion``, ``speaker`` (``"tess_OAF"``,
        ``"tess_YAF"``), ``corpus`` (``"tess"``), ``word`` and ``gender``
        (``"female"``).

    Raises
    ------
    CorpusError
        See :func:`load_pattern`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_tess
    >>> root = Path(tempfile.mkdtemp())
    >>> for folder, name in [("OAF_neutral", "OA_bite_neutral"),
    ...                      ("YAF_pleasant_surprised", "YAF_dog_ps")]:
    ...     (root / folder).mkdir()
    ...     sf.write(root / folder / f"{name}.wav", np.zeros(160), 16000)
    >>> df = load_tess(root)
    >>> df[["emotion", "speaker", "word"]].to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'emotion': ['neutral', 'surprised'], 'speaker': ['tess_OAF', 'tess_YAF'],
     'word': ['bite', 'dog']}
    """
    return _load_builtin("tess", root)


def load_savee(root) -> pd.DataFrame:
    """Load SAVEE (4 male speakers, 7 emotions, 480 files).

    Files are named ``DC_a01.ext`` (speaker, emotion prefix a, d, f, h, n, sa,
    su, sentence number), or ``DC/a01.ext`` as in the original ``AudioData``
    folder.

    Parameters
    ----------
    root : str or os.PathLike
        The corpus folder, searched recursively.

    Returns
    -------
    df : pandas.DataFrame
        Columns ``path``, ``emotion``, ``speaker`` (``"savee_DC"`` ...),
        ``corpus`` (``"savee"``), ``sentence`` (the number in the file name,
        ``"01"``-``"30"``) and ``gender`` (``"male"``).

    Raises
    ------
    CorpusError
        See :func:`load_pattern`.

    Examples
    --------
    Both layouts, ``DC_a01.wav`` and ``KL/su03.wav``:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_savee
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "KL").mkdir()
    >>> for name in ["DC_a01", "JK_sa02", "KL/su03"]:
    ...     sf.write(root / f"{name}.wav", np.zeros(160), 16000)
    >>> df = load_savee(root)
    >>> df[["emotion", "speaker", "sentence"]].to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'emotion': ['angry', 'sad', 'surprised'], 'speaker': ['savee_DC', 'savee_JK', 'savee_KL'],
     'sentence': ['01', '02', '03']}
    """
    return _load_builtin("savee", root)


_LOADERS = {
    "ravdess": load_ravdess,
    "cremad": load_cremad,
    "tess": load_tess,
    "savee": load_savee,
}


def _corpus_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def load_corpora(root, corpora: Iterable[str] | None = None) -> pd.DataFrame:
    """Load whichever of RAVDESS, CREMA-D, TESS and SAVEE sit directly under ``root``.

    Folders are recognised by name, ignoring case and punctuation: ``ravdess``,
    ``cremad`` (``CREMA-D``), ``tess`` and ``savee``.

    Parameters
    ----------
    root : str or os.PathLike
        The folder holding the corpus folders.
    corpora : iterable of str or None, default=None
        Load only these (``("ravdess", "tess")``); ``None`` loads every one found.

    Returns
    -------
    df : pandas.DataFrame
        The loaders' frames concatenated in the order ravdess, cremad, tess,
        savee (or the order of ``corpora``), with a fresh index. Metadata columns
        that a corpus lacks are missing values (``<NA>``/``NaN``) in its rows.

    Raises
    ------
    CorpusError
        If ``root`` is missing, no corpus folder is found, a requested corpus is
        unknown or absent (the message says where it looked), two folders claim
        the same corpus, or a loader fails.

    See Also
    --------
    load_ravdess, load_cremad, load_tess, load_savee, drop_known_duplicates

    Examples
    --------
    >>> import tempfile, shutil
    >>> from pathlib import Path
    >>> from skser.datasets import make_synthetic_corpus, load_corpora
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = make_synthetic_corpus(root / "RAVDESS", n_speakers=1, n_statements=1,
    ...                           n_repetitions=1, duration=0.5)
    >>> load_corpora(root)["corpus"].value_counts().to_dict()
    {'ravdess': 15}
    """
    root = _check_root(root, "corpora root")
    found: dict[str, Path] = {}
    for child in sorted(root.iterdir()):
        key = _corpus_key(child.name)
        if key in _LOADERS and child.is_dir():
            if key in found:
                raise CorpusError(
                    f"two folders under {root} hold corpus {key!r}: {found[key]} and {child}"
                )
            found[key] = child
    if corpora is None:
        if not found:
            raise CorpusError(
                f"no corpus folder found directly under {root}: looked for folders named "
                f"{', '.join(_LOADERS)} (any case, e.g. RAVDESS, CREMA-D)"
            )
        names = [name for name in _LOADERS if name in found]
    else:
        names = [corpora] if isinstance(corpora, str) else list(corpora)
        keys = [_corpus_key(n) for n in names]
        for name, key in zip(names, keys):
            if key not in _LOADERS:
                raise CorpusError(
                    f"unknown corpus {name!r}; known corpora: {', '.join(_LOADERS)}"
                )
            if key not in found:
                raise CorpusError(
                    f"corpus {name!r} not found: no folder named like {key!r} directly "
                    f"under {root}"
                )
        names = list(dict.fromkeys(keys))
    return pd.concat([_LOADERS[n](found[n]) for n in names], ignore_index=True)


# --------------------------------------------------------------------------- custom layouts
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
        "path": [str(p) for p in paths],
        "emotion": emotions,
        "speaker": speakers,
        "corpus": corpus,
    })
    extra = frame.drop(columns=[*columns, *(c for c in _BASE_COLUMNS if c in frame.columns)],
                       errors="ignore")
    return pd.concat([out, extra], axis=1)


# --------------------------------------------------------------------------- duplicates
# corpus -> file stems to drop. RAVDESS: two Actor_07 files are byte-identical
# in the original release; one copy is kept. CREMA-D: three recordings appear
# under two labels each; both copies go, since the true label is unknown.
KNOWN_DUPLICATES: dict[str, frozenset[str]] = {
    "ravdess": frozenset({"03-01-03-01-02-02-07"}),
    "cremad": frozenset({
        "1006_TIE_HAP_XX", "1006_TIE_NEU_XX",
        "1013_WSI_DIS_XX", "1013_WSI_SAD_XX",
        "1017_IWW_ANG_XX", "1017_IWW_FEA_XX",
    }),
}


def drop_known_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    """Remove the recordings that the original corpus releases hold twice.

    * RAVDESS: ``03-01-03-01-02-01-07`` and ``03-01-03-01-02-02-07`` (Actor_07)
      are identical; the second is dropped and the first kept.
    * CREMA-D: ``1006_TIE_HAP_XX``/``1006_TIE_NEU_XX``,
      ``1013_WSI_DIS_XX``/``1013_WSI_SAD_XX`` and
      ``1017_IWW_ANG_XX``/``1017_IWW_FEA_XX`` are each one recording under two
      labels; both members are dropped, since the true label is ambiguous.

    Rows are matched by ``corpus`` and file stem, so files of other corpora
    (the synthetic one uses RAVDESS names) are never dropped.

    Parameters
    ----------
    df : pandas.DataFrame
        A corpus DataFrame with ``path`` and ``corpus`` columns.

    Returns
    -------
    df : pandas.DataFrame
        The remaining rows, in order, with a fresh index (7 fewer rows for the
        complete corpora).

    Raises
    ------
    CorpusError
        If ``df`` lacks the ``path`` or ``corpus`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.datasets import drop_known_duplicates
    >>> df = pd.DataFrame({"path": ["/c/1006_TIE_HAP_XX.wav", "/c/1006_TIE_ANG_XX.wav"],
    ...                    "corpus": ["cremad", "cremad"]})
    >>> drop_known_duplicates(df)["path"].tolist()
    ['/c/1006_TIE_ANG_XX.wav']
    """
    missing = [c for c in ("path", "corpus") if c not in df.columns]
    if missing:
        raise CorpusError(
            f"drop_known_duplicates needs a corpus DataFrame; missing column(s) {missing}"
        )
    stems = df["path"].map(lambda p: Path(str(p)).stem)
    drop = [
        stem in KNOWN_DUPLICATES.get(corpus, ())
        for corpus, stem in zip(df["corpus"], stems)
    ]
    return df.loc[~pd.Series(drop, index=df.index, dtype=bool)].reset_index(drop=True)
