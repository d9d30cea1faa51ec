"""How the CLI reports failures: one line on stderr and the exit codes of docs/CLI.md §5."""

from __future__ import annotations

from typing import NoReturn

import typer

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


def fail_bad_input(message: str) -> NoReturn:
    typer.echo(f"fel: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def fail(message: str) -> NoReturn:
    typer.echo(f"fel: {message}", err=True)
    raise typer.Exit(EXIT_FAILURE)
