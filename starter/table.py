"""Printing a plain table: columns padded to their widest cell, numbers to the right."""

from __future__ import annotations

from collections.abc import Container, Sequence

import typer


def echo_table(
    headers: tuple[str, ...], rows: Sequence[tuple[str, ...]], right: Container[int] = ()
) -> None:
    """`headers` and `rows`, two spaces between columns; the columns in `right` right-aligned."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        cells = (
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        typer.echo("  ".join(cells).rstrip())
