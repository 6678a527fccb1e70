"""Internal helpers: input validation and parallel maps with progress bars."""

from ._inputs import as_audio_items
from ._parallel import parallel_map

__all__ = ["as_audio_items", "parallel_map"]
