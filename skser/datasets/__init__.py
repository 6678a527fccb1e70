"""Corpus loaders and a synthetic demo corpus.

Every loader returns a :class:`pandas.DataFrame` with one row per recording and
the columns ``path`` (absolute), ``emotion`` (from :data:`EMOTIONS`),
``speaker`` (unique across corpora, such as ``"ravdess_01"`` or ``"tess_OAF"``)
and ``corpus``, followed by the corpus's own metadata columns.
:func:`load_data_folder` reads a folder of corpora or one corpus folder, whichever
it is. :func:`map_labels` merges, drops or keeps emotions of such a table.
"""

from ._corpora import load_corpora, load_cremad, load_ravdess, load_savee, load_tess
from ._custom import load_folder, load_table
from ._data_folder import load_data_folder
from ._duplicates import KNOWN_DUPLICATES, drop_known_duplicates
from ._labels import map_labels, parse_label_map
from ._pattern import load_pattern
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
    "load_data_folder",
    "drop_known_duplicates",
    "map_labels",
    "parse_label_map",
    "make_synthetic_corpus",
]
