"""`--request-id` on the commands that change something, and the line a command prints when
the connection was lost after its change was sent (services/request_ids.py says why)."""

from __future__ import annotations

import shlex
from typing import Annotated

import typer

# Typer ships its own copy of click (pinned with it); the running command's parameters, and
# which of them were typed, are only to be had from there.
from typer._click.core import Context, ParameterSource
from typer._click.globals import get_current_context
from typer.core import TyperArgument as Argument
from typer.core import TyperOption as Option

from services.errors import ActionError
from services.request_ids import check_request_id
from starter.errors import fail_bad_input

RequestIdOpt = Annotated[
    str | None,
    typer.Option(
        "--request-id",
        metavar="ID",
        help="Begärans id: samma id igen räknas som samma begäran och utförs inte två gånger. "
        "Standard: ett nytt id. (Request id; a retry with the same id is the same request.)",
        show_default=False,
    ),
]


def checked_request_id(value: str | None) -> str:
    """The given request id, or a fresh one; exit 2 naming the option if it is unusable."""
    try:
        return check_request_id(value)
    except ActionError as err:
        fail_bad_input(str(err))


# --- the "outcome unknown" line ----------------------------------------------------------


def _command_words(ctx: Context, request_id: str) -> list[str]:
    """The running command as typed (arguments and the options given), `--request-id` last."""
    arguments: list[str] = []
    options: list[str] = []
    for param in ctx.command.params:
        name = param.name
        if name is None or name == "request_id":
            continue
        if ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
            continue
        value = ctx.params.get(name)
        values = list(value) if isinstance(value, list | tuple) else [value]
        if isinstance(param, Argument):
            arguments += [str(v) for v in values]
        elif isinstance(param, Option):
            if param.is_flag:
                flags = param.opts if value else param.secondary_opts
                options += flags[:1]
            else:
                for v in values:
                    options += [param.opts[0], str(v)]
    path = ctx.command_path.split()[1:]
    return ["lov", *path, *arguments, *options, "--request-id", request_id]


def _status_words(ctx: Context) -> list[str]:
    """`lov <group> status <first argument>`: where each group shows what a command changed."""
    path = ctx.command_path.split()[1:-1]
    first = next(
        (ctx.params.get(p.name) for p in ctx.command.params if isinstance(p, Argument)),
        None,
    )
    return ["lov", *path, "status", *([str(first)] if first else [])]


def unknown_outcome(request_id: str, where: str, reason: str, status: str | None) -> str:
    ctx = get_current_context(silent=True)
    if ctx is None:
        retry = f"samma kommando med --request-id {request_id}"
        check = status or "status-kommandot"
    else:
        retry = shlex.join(_command_words(ctx, request_id))
        check = status or shlex.join(_status_words(ctx))
    return (
        f"utfallet är okänt (outcome unknown): förbindelsen med Temporal på {where} bröts "
        f"({reason}) efter att begäran skickats, så den kan ha genomförts. Kontrollera med "
        f"{check}, eller kör om med samma id (utförs inte två gånger): {retry}"
    )
