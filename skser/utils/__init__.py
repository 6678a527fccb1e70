"""Utilities: :func:`iter_estimators`, the walk of the estimators nested in another.

The package's internal helpers (input recognition, the parallel map, column
names, feature statistics) live in the private modules here and are not public
API; ``as_audio_items`` and ``parallel_map`` are also importable from this
package. Names are imported on first use, as in :mod:`skser`, so that the
command line can read the column names without importing scikit-learn.
"""

from __future__ import annotations

import importlib

# name -> private module that defines it
_LAZY = {
    "iter_estimators": "._estimators",
    "as_audio_items": "._inputs",
    "parallel_map": "._parallel",
}

__all__ = ["iter_estimators"]  # noqa: F822 (imported on first use by __getattr__)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY})
