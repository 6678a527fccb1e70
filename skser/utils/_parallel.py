"""One parallel map for the whole package: joblib underneath, a tqdm bar on top.

Going through :class:`joblib.Parallel` means ``joblib.parallel_config(backend="dask")``
sends the work to a ``dask.distributed`` cluster without any change here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from joblib import Parallel, delayed
from tqdm.auto import tqdm

__all__ = ["parallel_map", "progress"]


def parallel_map(
    func: Callable,
    items: Sequence,
    *,
    n_jobs: int | None = None,
    verbose: int = 0,
    desc: str | None = None,
) -> list:
    """Apply ``func`` to every item, in order, optionally in parallel.

    Parameters
    ----------
    func : callable
        Must be picklable when ``n_jobs`` is not 1 (module-level function or
        ``functools.partial`` of one).
    items : sequence
    n_jobs : int or None, default=None
        Number of joblib workers; ``None`` means 1 unless a
        :func:`joblib.parallel_config` context says otherwise, ``-1`` all cores.
        A single item runs in this process whatever ``n_jobs`` says (sending it
        to a worker process costs more than the work of one file), except inside
        a ``parallel_config`` block, whose backend (Dask) may be the only place
        the files can be read. With joblib's own workers, the first item also runs
        in this process, before the workers start (see the comment in the code).
    verbose : int, default=0
        0 silent; 1 a progress bar on stderr; 2 or more plain lines on stderr
        (each tenth of the work, with the time left), for logs and pipes.
    desc : str, optional
        Label of the progress bar.

    Returns
    -------
    list
        ``[func(item) for item in items]``, in the order of ``items``.
    """
    items = list(items)
    bar = progress(len(items), desc=desc, verbose=verbose)
    try:
        if (n_jobs in (None, 1) or len(items) <= 1) and not _parallel_context_active():
            out = []
            for item in items:
                out.append(func(item))
                bar.update()
            return out
        out = []
        if not _parallel_context_active():
            # The first item runs here before any worker starts: it compiles (and writes
            # to numba's on-disk cache) every numba function the work calls, e.g.
            # librosa.yin's. Workers compiling the same functions at once can leave a
            # mismatched cache that crashes every later process that loads it
            # (a segmentation fault; numba issue 10128).
            out.append(func(items[0]))
            bar.update()
            items = items[1:]
        runner = Parallel(n_jobs=n_jobs, return_as="generator", batch_size="auto")
        for result in runner(delayed(func)(item) for item in items):
            out.append(result)
            bar.update()
        return out
    finally:
        bar.close()


class _Lines:
    """Progress as plain lines on stderr: at each tenth of the work, with the time left."""

    def __init__(self, total: int, desc: str | None):
        self.total, self.desc, self.done = total, desc or "progress", 0
        self.start = time.monotonic()
        self._next = 1

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.total and self.done * 10 >= self._next * self.total:
            while self.done * 10 >= self._next * self.total:
                self._next += 1
            elapsed = time.monotonic() - self.start
            left = elapsed * (self.total - self.done) / self.done
            print(f"skser: {self.desc}: {self.done}/{self.total} "
                  f"({100 * self.done // self.total}%), {_duration(elapsed)} elapsed"
                  + (f", about {_duration(left)} left" if self.done < self.total else ""),
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def progress(total: int, *, desc: str | None = None, verbose: int = 0):
    """A progress reporter with ``update(n)`` and ``close()``: nothing (``verbose=0``), a
    tqdm bar on stderr (1), or plain lines on stderr (2 or more)."""
    if verbose and verbose >= 2:
        return _Lines(total, desc)
    return tqdm(total=total, desc=desc, disable=not verbose, leave=False, file=sys.stderr)


def _parallel_context_active() -> bool:
    """True inside a ``joblib.parallel_config(backend=...)`` block (e.g. Dask)."""
    from joblib.parallel import _get_active_backend

    backend, _ = _get_active_backend()
    return type(backend).__name__ not in ("LokyBackend", "SequentialBackend")
