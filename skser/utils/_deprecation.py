"""Renamed public names: the old ones stay for one release and warn when used.

A name that said which study first used a thing rather than what it does was
renamed; its old spelling (a function, a classmethod, a parameter value or a
recipe name) keeps working, with a :class:`FutureWarning` that names the new one.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

__all__ = ["renamed_value", "warn_renamed"]


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn (:class:`FutureWarning`) that ``old`` is deprecated in favour of ``new``.

    ``stacklevel`` is :func:`warnings.warn`'s, counted from this function: the
    default, 3, points at the code that called the function calling this one,
    i.e. at the user's use of the deprecated name.
    """
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new} instead",
        FutureWarning,
        stacklevel=stacklevel,
    )


def renamed_value(value, renamed: Mapping[str, str], parameter: str, *, stacklevel: int = 4):
    """``value``, or its new spelling from ``renamed`` with a :class:`FutureWarning`.

    Parameters
    ----------
    value : object
        A parameter value as given by the user.
    renamed : mapping of str to str
        Old value -> new value.
    parameter : str
        The parameter's name, for the warning (``"preset"`` gives
        ``preset='old' is deprecated ...; use preset='new' instead``).
    stacklevel : int, default=4
        :func:`warnings.warn`'s, counted from :func:`warn_renamed`: 4 points at
        the code that called the function calling this one.
    """
    if isinstance(value, str) and value in renamed:
        new = renamed[value]
        warn_renamed(f"{parameter}={value!r}", f"{parameter}={new!r}",
                     stacklevel=stacklevel)
        return new
    return value
