"""Corpus loaders and a synthetic demo corpus.

Every loader returns a :class:`pandas.DataFrame` with one row per recording and
the columns ``path`` (absolute), ``emotion`` (from :data:`EMOTIONS`),
``speaker`` (unique across corpora, such as ``"ravdess_01"`` or ``"tess_OAF"``)
and ``corpus``, followed by the corpus's own metadata columns.
:func:`map_labels` merges, drops or keeps emotions of such a table.
"""

from ._corpora import (
    KNOWN_DUPLICATES,
    drop_known_duplicates,
    load_corpora,
    load_cremad,
    load_folder,
    load_pattern,
    load_ravdess,
    load_savee,
    load_table,
    load_tess,
)
from ._labels import map_labels
from ._synthetic import make_synthetic_corpus
from ._vocabulary import AUDIO_EXTENSIONS, EMOTIONS

__all__ = [
    "EMOTIONS",
    "AUDIO_EXTENSIONS",
    "KNOWN_DUPLICATES",
    "load_pattern",
    "load_ravdess",
    "load_cremad",
    "load_tess",
    "load_savee",
    "load_corpora",
    "load_folder",
    "load_table",
    "drop_known_duplicates",
    "map_labels",
    "make_synthetic_corpus",
]
