"""The shared emotion vocabulary, label synonyms and the audio file extensions."""

from __future__ import annotations

import re

import soundfile as sf

__all__ = ["EMOTIONS", "AUDIO_EXTENSIONS", "normalize_emotion"]

EMOTIONS: tuple[str, ...] = (
    "neutral",
    "calm",
    "happy",
    "sad",
    "angry",
    "fearful",
    "disgust",
    "surprised",
)
"""The unified emotion vocabulary, in RAVDESS's code order (01 neutral ... 08 surprised)."""

# Spellings found in corpora and folder layouts, mapped to the vocabulary.
_SYNONYMS = {
    "anger": "angry",
    "angry": "angry",
    "mad": "angry",
    "calm": "calm",
    "calmness": "calm",
    "disgust": "disgust",
    "disgusted": "disgust",
    "fear": "fearful",
    "fearful": "fearful",
    "afraid": "fearful",
    "scared": "fearful",
    "happy": "happy",
    "happiness": "happy",
    "joy": "happy",
    "neutral": "neutral",
    "sad": "sad",
    "sadness": "sad",
    "surprise": "surprised",
    "surprised": "surprised",
    "pleasantsurprise": "surprised",
    "pleasantsurprised": "surprised",
}

# Every extension soundfile can decode. "raw" is left out: headerless files
# cannot be read without being told their sample rate and encoding.
AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {name.lower() for name in sf.available_formats()} - {"raw"}
    | {"opus", "oga", "mp3", "aif"}
)


def normalize_emotion(name: str) -> str | None:
    """Map a label spelling (``"Anger"``, ``"sadness"``, ``"pleasant_surprise"``) to the vocabulary.

    Parameters
    ----------
    name : str
        A label as found in a folder name, a table or a label map.

    Returns
    -------
    emotion : str or None
        One of :data:`EMOTIONS`, or ``None`` when the spelling is not known.
    """
    key = re.sub(r"[^a-z]", "", str(name).lower())
    return _SYNONYMS.get(key)
