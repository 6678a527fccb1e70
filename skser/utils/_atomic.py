"""Files written whole or not at all, and the leftovers of writers that were killed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically", "clean_stale_temporaries"]

_TEMP_MARK = ".skser-tmp-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def clean_stale_temporaries(folder: Path) -> None:
    """Remove temporary files that writers killed mid-write left in ``folder``.

    A temporary's name carries its writer's process id; files of processes
    still running (a concurrent save) are left alone.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        head, mark, tail = entry.name.partition(_TEMP_MARK)
        pid = tail.split("-", 1)[0]
        if not (head.startswith(".") and mark and pid.isdigit()):
            continue
        if int(pid) != os.getpid() and not _pid_alive(int(pid)):
            Path(entry.path).unlink(missing_ok=True)


def write_atomically(path: Path, write) -> None:
    """Create ``path`` by calling ``write(binary_file)`` on a temporary beside it,
    then renaming: an interrupted write never leaves a half file under ``path``,
    and the next write cleans up the temporaries of killed writers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent,
                                    prefix=f".{path.name}{_TEMP_MARK}{os.getpid()}-")
    try:
        # mkstemp creates the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
