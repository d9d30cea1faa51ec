"""Printing a plain table: columns padded to their widest cell, numbers to the right."""

from __future__ import annotations

from collections.abc import Container, Sequence

import typer


def table_lines(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Container[int] = (),
    indent: str = "",
) -> list[str]:
    """`headers` and `rows`, two spaces between columns; the columns in `right` right-aligned;
    each line starts with `indent` (a table within a page)."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for row in [headers, *rows]:
        cells = (
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def echo_table(
    headers: tuple[str, ...], rows: Sequence[tuple[str, ...]], right: Container[int] = ()
) -> None:
    """`headers` and `rows`, two spaces between columns; the columns in `right` right-aligned."""
    for line in table_lines(headers, rows, right):
        typer.echo(line)
