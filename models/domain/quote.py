"""Quoting a refused value in an error message: enough to recognise it, never all of it.

A value from a file or the command line may be a megabyte long (or a secret pasted in the wrong
place); a message that repeats it whole is unreadable and spreads it into logs.
"""

from __future__ import annotations

QUOTE_CHARS = 40


def short(value: object, limit: int = QUOTE_CHARS) -> str:
    """`repr(value)`, cut to its first `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
