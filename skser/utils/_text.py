"""Text from files and users, made safe to print."""

from __future__ import annotations

import unicodedata

__all__ = ["escape_control", "escape_field"]


def escape_control(text) -> str:
    """``text`` with every control and format character escaped.

    Terminal escape sequences, carriage returns, bidirectional overrides and
    other invisible characters in a file name or a model file's manifest
    cannot then reach the terminal: each becomes a ``\\xNN`` / ``\\uNNNN``
    escape. Printable characters, including non-ASCII letters, are kept.

    Parameters
    ----------
    text : object
        Converted with ``str`` first.

    Returns
    -------
    str

    Examples
    --------
    >>> escape_control("angry\\x1b[31m red")
    'angry\\\\x1b[31m red'
    >>> escape_control("Émotion")
    'Émotion'
    """
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or (ch == " "):
            out.append(ch)
        elif unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def escape_field(text) -> str:
    """``text`` for one field of tab-separated output: tabs, newlines and
    other control characters escaped (``\\t``, ``\\n``, ``\\xNN``).

    Examples
    --------
    >>> escape_field("a\\tb\\nc.wav")
    'a\\\\tb\\\\nc.wav'
    """
    text = str(text).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return escape_control(text.replace("\r", "\\r"))
