"""How the CLI reports failures: one line on stderr and the exit codes of docs/CLI.md §5."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

import typer

T = TypeVar("T")

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


def fail_bad_input(message: str) -> NoReturn:
    typer.echo(f"fel: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def fail(message: str) -> NoReturn:
    typer.echo(f"fel: {message}", err=True)
    raise typer.Exit(EXIT_FAILURE)


def or_bad_input(make: Callable[[], T]) -> T:
    """`make()`, or exit 2 with the one line of the ValueError it raised: the application
    layer's `ActionError(field, message)` for input it refuses before anything is sent."""
    try:
        return make()
    except ValueError as err:
        fail_bad_input(str(err))
