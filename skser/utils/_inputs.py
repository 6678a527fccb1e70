"""Recognise what a transformer was given: file paths or waveforms."""

from __future__ import annotations

import numpy as np

from ._columns import PATH_COLUMN, WAVEFORM_COLUMN

__all__ = ["as_audio_items"]


def as_audio_items(X) -> tuple[list, str]:
    """Normalise the input of an audio transformer.

    Accepted forms
    --------------
    * paths: a list/tuple/1-D array/Series of ``str`` or ``os.PathLike``, a
      column array of shape (n, 1) of them, or a DataFrame with a ``path`` column;
    * waveforms: a 2-D numeric array of shape (n_samples, n_times), a
      list/object array of 1-D numeric arrays (lengths may differ), or a
      DataFrame with a ``waveform`` column of them (what
      :class:`~skser.audio.AudioLoader` returns for a DataFrame with a
      ``speaker`` column).

    Returns
    -------
    items : list
        Paths (``str``) or 1-D arrays, one per sample.
    kind : {"paths", "waveforms"}

    Raises
    ------
    ValueError
        With a message saying which forms are accepted, for anything else.
    """
    # Imported here: skser.audio imports this module, so a module-level import would make
    # `import skser.utils` (before skser.audio) fail on the cycle.
    from ..audio._io import is_path_like

    try:
        import pandas as pd

        if isinstance(X, pd.DataFrame):
            if WAVEFORM_COLUMN in X.columns:
                return _waveform_column(X[WAVEFORM_COLUMN])
            if PATH_COLUMN in X.columns:
                X = X[PATH_COLUMN]
            elif X.shape[1] == 1:
                X = X.iloc[:, 0]
            else:
                X = X.to_numpy()
        if isinstance(X, pd.Series):
            X = X.to_numpy()
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass

    if hasattr(X, "tocsr") or hasattr(X, "todense"):
        raise TypeError(
            "Sparse data is not supported: give file paths or a dense array of waveforms"
        )
    if isinstance(X, str) or is_path_like(X):
        raise ValueError(
            f"expected a list of paths or a 2-D array of waveforms, got a single path {X!r}; "
            "wrap it in a list: [path]"
        )
    if isinstance(X, list | tuple):
        if len(X) == 0:
            raise ValueError("got 0 samples; at least one path or waveform is required")
        if all(is_path_like(x) for x in X):
            return [str(x) for x in X], "paths"
        if any(is_path_like(x) for x in X):
            raise ValueError("a list mixes paths and non-path values; give only paths or arrays")
        return [np.asarray(x) for x in X], "waveforms"
    if not hasattr(X, "__array__") and not isinstance(X, np.ndarray):
        raise ValueError(
            f"expected a list of paths or a 2-D array of waveforms, got {type(X).__name__}"
        )
    arr = np.asarray(X)
    if arr.dtype.kind == "O" and arr.ndim == 2 and arr.shape[1] > 1:
        # an object array of numbers (e.g. from a DataFrame): waveforms
        try:
            arr = arr.astype(np.float64)
        except TypeError as exc:
            raise TypeError(f"waveform samples must be numbers: {exc}") from None
        except ValueError:
            raise ValueError(
                f"expected a 1-D array of paths or numeric waveforms, got an object array "
                f"of shape {arr.shape}"
            ) from None
    if arr.dtype.kind in "OUS":
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise ValueError(
                f"expected a 1-D array of paths, got an array of shape {arr.shape}"
            )
        if arr.size == 0:
            raise ValueError("got 0 samples; at least one path or waveform is required")
        if arr.dtype.kind in "US" or all(is_path_like(x) for x in arr):
            return [str(x) for x in arr], "paths"
        return [np.asarray(x) for x in arr], "waveforms"
    if arr.dtype.kind == "c":
        raise ValueError("Complex data not supported: audio samples must be real numbers")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"expected paths or numeric waveforms, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            "expected a 2-D array of mono waveforms (n_samples, n_times), got an array of "
            f"shape {arr.shape}"
            + (
                ". Reshape your data with X.reshape(1, -1) if it is a single waveform"
                if arr.ndim == 1 else ""
            )
        )
    if arr.shape[0] == 0:
        raise ValueError("got 0 samples; at least one path or waveform is required")
    if arr.shape[1] == 0:
        raise ValueError(
            f"got waveforms of 0 feature(s) (shape={arr.shape}) while a minimum of 1 is "
            "required: audio cannot be empty"
        )
    return list(arr), "waveforms"


def _waveform_column(column) -> tuple[list, str]:
    """The 1-D arrays of a DataFrame's ``waveform`` column."""
    if len(column) == 0:
        raise ValueError("got 0 samples; at least one path or waveform is required")
    items = [np.asarray(w) for w in column]
    bad = [i for i, w in enumerate(items) if w.ndim != 1]
    if bad:
        raise ValueError(
            f"the 'waveform' column must hold 1-D arrays; row {bad[0]} has shape "
            f"{items[bad[0]].shape}"
        )
    return items, "waveforms"
