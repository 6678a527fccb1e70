"""The zip archive of a model file: read within bounded resources, written atomically.

Every limit is checked against sizes the archive declares before anything is
decompressed, and again while decompressing, so a small file cannot make a
reader allocate or spend time out of proportion to its size (zip bombs, a
padded manifest, a member that inflates past what its header says).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
import zlib
from pathlib import Path

from ..exceptions import ModelFileError
from ..utils._atomic import write_atomically
from ..utils._text import escape_control

#: Largest ``manifest.json`` read, in bytes.
MAX_MANIFEST_BYTES = 1 << 20
#: Most members an archive may hold.
MAX_MEMBERS = 10_000
#: Uncompressed bytes that any file may hold, whatever its own size ...
MIN_BUDGET_BYTES = 64 << 20
#: ... and, beyond that, per byte of the file on disk (real weights barely compress).
MAX_EXPANSION = 50
#: Ceiling on the uncompressed size of any archive.
MAX_TOTAL_BYTES = 8 << 30

_CHUNK = 1 << 20
# Path segments of letters, digits, '_', '-' and '.', none starting with '.': no
# absolute paths, no '..', no backslashes, nothing a terminal interprets.
_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}"
_MEMBER_NAME = re.compile(rf"{_SEGMENT}(/{_SEGMENT}){{0,7}}")


def check_member_name(name, where: str) -> str:
    """``name`` if it is a safe member name, else a ModelFileError naming ``where``."""
    if not isinstance(name, str) or not _MEMBER_NAME.fullmatch(name):
        raise ModelFileError(f"{where}: invalid member name {escape_control(repr(name))}")
    return name


def budget_for(file_size: int) -> int:
    """Uncompressed bytes a model file of ``file_size`` bytes may expand to."""
    return min(MAX_TOTAL_BYTES, max(MIN_BUDGET_BYTES, MAX_EXPANSION * file_size))


def _open_regular(path: Path):
    """Open ``path`` for reading, refusing at once anything but a regular file.

    ``O_NONBLOCK`` keeps a FIFO from blocking the open itself; the type is then
    read from the open descriptor, so the check and the read see one file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot open the model file ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ModelFileError(
            f"{path}: not a regular file (a directory, FIFO or device); a model file is a "
            "zip archive written by skser.save"
        )
    return os.fdopen(fd, "rb"), info.st_size


class ModelArchive:
    """A model file opened for bounded reading.

    Parameters
    ----------
    path : path-like
        The file; anything but a regular file is refused before reading.

    Raises
    ------
    ModelFileError
        Not a zip archive, too many or badly named members, encrypted or
        unusually compressed members, or declared sizes past the budget.
    """

    def __init__(self, path):
        self.path = Path(path)
        self._fh, self.file_size = _open_regular(self.path)
        try:
            self._zf = zipfile.ZipFile(self._fh)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            self._fh.close()
            raise ModelFileError(
                f"{self.path}: not a skser model file, or truncated (cannot open it as a zip "
                f"archive: {escape_control(exc)})"
            ) from None
        try:
            self._infos = self._index()
        except BaseException:
            self.close()
            raise
        self.budget = budget_for(self.file_size)
        self._spent = 0

    def _index(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ModelFileError(f"{self.path}: {len(infos)} members, more than {MAX_MEMBERS}")
        index: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            name = check_member_name(info.filename, str(self.path))
            if name in index:
                raise ModelFileError(f"{self.path}: member {name!r} appears twice")
            if info.flag_bits & 0x1:
                raise ModelFileError(f"{self.path}: member {name!r} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFileError(
                    f"{self.path}: member {name!r} uses compression method "
                    f"{info.compress_type}; skser writes only stored or deflated members"
                )
            declared += info.file_size
            index[name] = info
        budget = budget_for(self.file_size)
        if declared > budget:
            raise ModelFileError(
                f"{self.path}: its members would expand to {declared:,} bytes, more than the "
                f"{budget:,} bytes allowed for a file of {self.file_size:,} bytes"
            )
        return index

    def names(self) -> list[str]:
        return list(self._infos)

    def size_of(self, name: str) -> int:
        return self._infos[name].file_size

    def read(self, name: str, *, size: int | None = None, sha256: str | None = None,
             limit: int | None = None) -> bytes:
        """The bytes of member ``name``, decompressed in chunks under a cap.

        Parameters
        ----------
        name : str
        size : int, optional
            The size the manifest lists; the archive must declare the same and
            the data must have exactly that many bytes.
        sha256 : str, optional
            The checksum the manifest lists.
        limit : int, optional
            Refuse a member larger than this (checked before reading).
        """
        info = self._infos.get(name)
        if info is None:
            raise ModelFileError(f"{self.path}: member {name!r} is missing")
        expected = info.file_size
        if size is not None and size != expected:
            raise ModelFileError(
                f"{self.path}: member {name!r} is {expected:,} bytes in the archive but "
                f"{size:,} in the manifest"
            )
        if limit is not None and expected > limit:
            raise ModelFileError(
                f"{self.path}: member {name!r} is {expected:,} bytes, more than the "
                f"{limit:,} allowed"
            )
        if self._spent + expected > self.budget:
            raise ModelFileError(f"{self.path}: reading {name!r} would pass the size budget")
        digest = hashlib.sha256()
        out = bytearray()
        try:
            with self._zf.open(info) as fh:
                while True:
                    chunk = fh.read(min(_CHUNK, expected + 1 - len(out)))
                    if not chunk:
                        break
                    out += chunk
                    digest.update(chunk)
                    if len(out) > expected:
                        break
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
            raise ModelFileError(
                f"{self.path}: member {name!r} is corrupt ({escape_control(exc)})"
            ) from None
        if len(out) != expected:
            raise ModelFileError(
                f"{self.path}: member {name!r} holds {len(out):,}+ bytes, not the "
                f"{expected:,} it declares"
            )
        if sha256 is not None and digest.hexdigest() != sha256:
            raise ModelFileError(
                f"{self.path}: checksum mismatch for member {name!r}: the file is corrupt or "
                "was edited after saving"
            )
        self._spent += expected
        return bytes(out)

    def close(self) -> None:
        self._zf.close()
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_archive(path: Path, members: dict[str, bytes]) -> None:
    """Write ``members`` (name -> bytes, in order) as a deflated zip at ``path``."""

    def write(fh):
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(check_member_name(name, str(path)), data)

    write_atomically(path, write)
