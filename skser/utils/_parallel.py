"""One parallel map for the whole package: joblib underneath, a tqdm bar on top.

Going through :class:`joblib.Parallel` means ``joblib.parallel_config(backend="dask")``
sends the work to a ``dask.distributed`` cluster without any change here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from joblib import Parallel, delayed
from tqdm.auto import tqdm

__all__ = ["parallel_map"]


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
        ``> 0`` shows a progress bar (to stderr).
    desc : str, optional
        Label of the progress bar.

    Returns
    -------
    list
        ``[func(item) for item in items]``, in the order of ``items``.
    """
    items = list(items)
    bar = tqdm(total=len(items), desc=desc, disable=not verbose, leave=False)
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


def _parallel_context_active() -> bool:
    """True inside a ``joblib.parallel_config(backend=...)`` block (e.g. Dask)."""
    from joblib.parallel import _get_active_backend

    backend, _ = _get_active_backend()
    return type(backend).__name__ not in ("LokyBackend", "SequentialBackend")
