"""The four reference corpora: RAVDESS, CREMA-D, TESS and SAVEE, one spec each.

Each loader is :func:`~skser.datasets.load_pattern` with its corpus's entry of
the spec table ``_CORPORA``: the file-name pattern, the label codes, the
metadata columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import CorpusError
from ..utils._columns import PATH_COLUMN, SPEAKER_COLUMN
from ._pattern import _check_root, _list_audio, _listing, _parse_files, _pattern_groups
from ._vocabulary import AUDIO_EXTENSIONS, EMOTIONS

__all__ = [
    "load_ravdess",
    "load_cremad",
    "load_tess",
    "load_savee",
    "load_corpora",
]


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

_CORPORA: dict[str, dict[str, Any]] = {
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
    keys = pd.DataFrame({"speaker": df[SPEAKER_COLUMN],
                         "stem": df[PATH_COLUMN].map(lambda p: Path(p).stem.lower())})
    repeated = df[keys.duplicated(keep=False)]
    if len(repeated):
        raise CorpusError(
            f"{len(repeated)} files under {root} are copies of the same recording (same "
            f"speaker and file name): {_listing(list(repeated[PATH_COLUMN]))}; keep one copy of "
            "each"
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
