"""Reading audio: pure functions and the :class:`AudioLoader` transformer."""

from ._io import check_waveform, fix_length, load_audio
from ._loader import AudioLoader

__all__ = ["AudioLoader", "check_waveform", "fix_length", "load_audio"]
