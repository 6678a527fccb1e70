"""Reading audio: pure functions and the :class:`AudioLoader` transformer.

:data:`DEFAULT_SR`, :data:`DEFAULT_DURATION` and :data:`DEFAULT_OFFSET` are the
defaults of every audio step (:class:`AudioLoader`,
:class:`~skser.augmentation.Augmenter`, :class:`~skser.features.AcousticFeatures`,
:class:`~skser.features.MelImage`, :class:`~skser.features.MFCCImage`), so the
steps of one pipeline read a file alike unless given other values.
"""

from . import _io
from ._io import check_waveform, fix_length, load_audio, trim_silence
from ._loader import AudioLoader

__all__ = [
    "DEFAULT_DURATION",
    "DEFAULT_OFFSET",
    "DEFAULT_SR",
    "AudioLoader",
    "check_waveform",
    "fix_length",
    "load_audio",
    "trim_silence",
]

# The values live in _io, where the audio steps' modules import them from; their
# documentation lives here, where Sphinx reads it.

#: Sample rate in Hz that every audio step resamples to by default; 16 kHz keeps
#: frequencies up to 8 kHz, the band that carries speech.
DEFAULT_SR: int = _io.DEFAULT_SR

#: Seconds of audio every audio step reads per file by default: shorter audio is
#: zero-padded at the end, longer audio is cut, so every file gives an array of the
#: same shape.
DEFAULT_DURATION: float = _io.DEFAULT_DURATION

#: Seconds every audio step skips at the start of each file by default.
DEFAULT_OFFSET: float = _io.DEFAULT_OFFSET
