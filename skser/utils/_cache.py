"""The per-file feature cache behind the audio steps' ``memory=``.

Each entry is one ``.npy`` file, read with ``allow_pickle=False``: a cache
folder someone else can write to cannot make skser run code. An entry is keyed
on the feature step's class, parameters and code version and on the audio
file's absolute path, modification time and size, so a changed file or
parameter never meets a stale entry. Entries are written to a temporary file
and renamed; temporaries of writers that were killed are removed by the next
write to the same folder. An entry that cannot be read, or holds an array of
the wrong shape or dtype, is recomputed and rewritten, and the caller is told
why (never broadcast into a row).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ._atomic import clean_stale_temporaries, write_atomically

#: Bump when the entry layout changes.
CACHE_FORMAT = 1
_FOLDER = "skser-features"


def cache_location(memory) -> str | None:
    """The folder of ``memory`` (None, a path, or a ``joblib.Memory``), or None."""
    if memory is None:
        return None
    location = getattr(memory, "location", memory)
    return None if location is None else os.fspath(location)


class FeatureCache:
    """Feature arrays of audio files, one ``.npy`` entry per file and setting.

    Parameters
    ----------
    location : str
        Folder of the cache (created when the first entry is written).
    setting : dict
        What decides the features besides the file: the step's class, its
        parameters and its feature-code version. JSON-serialisable (other
        values are keyed by their ``repr``).
    shape : tuple of int
        The shape every entry must have; entries are float32.
    """

    def __init__(self, location: str, setting: dict, shape: tuple[int, ...]):
        self.root = Path(location, _FOLDER)
        self.shape = tuple(shape)
        self._setting = json.dumps({"format": CACHE_FORMAT, **setting}, sort_keys=True,
                                   default=repr)

    def clean_temporaries(self) -> None:
        """Remove what writers killed mid-write left anywhere in the cache."""
        try:
            folders = [e.path for e in os.scandir(self.root) if e.is_dir()]
        except OSError:
            return
        for folder in folders:
            clean_stale_temporaries(Path(folder))

    def entry(self, path) -> Path | None:
        """The entry of audio file ``path`` (None if it cannot be stat'ed)."""
        abspath = os.path.abspath(path)
        try:
            st = os.stat(abspath)
        except OSError:
            return None
        key = hashlib.sha256(
            f"{self._setting}\0{abspath}\0{st.st_mtime_ns}\0{st.st_size}".encode()
        ).hexdigest()
        return self.root / key[:2] / f"{key}.npy"

    def read(self, entry: Path) -> tuple[np.ndarray | None, str | None]:
        """``(array, None)`` for a good entry, ``(None, None)`` for none, and
        ``(None, reason)`` for an entry that must be recomputed."""
        try:
            with open(entry, "rb") as fh:
                arr = np.load(fh, allow_pickle=False)
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError, EOFError) as exc:
            return None, f"unreadable ({exc})"
        if arr.shape != self.shape or arr.dtype != np.float32:
            return None, (f"holds an array of shape {arr.shape} and dtype {arr.dtype}, "
                          f"not {self.shape} float32")
        if not np.isfinite(arr).all():
            return None, "holds NaN or infinite values"
        return arr, None

    def write(self, entry: Path, arr: np.ndarray) -> None:
        """Store ``arr`` atomically; a failure to write only costs the cache."""
        try:
            write_atomically(entry, lambda fh: np.save(fh, arr, allow_pickle=False))
        except OSError:
            pass
