"""The column names of skser's tables, defined once for the loaders that write them and the
steps that read them."""

from __future__ import annotations

__all__ = [
    "CORPUS_COLUMNS", "CORPUS_COLUMN", "EMOTION_COLUMN", "PATH_COLUMN", "SPEAKER_COLUMN",
    "WAVEFORM_COLUMN",
]

#: Audio file of each row: what skser's audio steps read of a DataFrame input.
PATH_COLUMN = "path"
#: A 1-D waveform per row (:class:`~skser.audio.AudioLoader`'s DataFrame output), read
#: before ``path`` by skser's audio steps.
WAVEFORM_COLUMN = "waveform"
#: Speaker of each row (:class:`~skser.preprocessing.SpeakerNormalizer` reads it).
SPEAKER_COLUMN = "speaker"
#: Label of each row.
EMOTION_COLUMN = "emotion"
#: Corpus of each row.
CORPUS_COLUMN = "corpus"
#: The first columns of every table of the corpus loaders, in order.
CORPUS_COLUMNS = (PATH_COLUMN, EMOTION_COLUMN, SPEAKER_COLUMN, CORPUS_COLUMN)
