"""Request ids: a command that changes something can be retried without doing it twice.

Every such command has `--request-id` (default: a fresh one). The id goes with each change the
command asks of Temporal:
- an Update gets it as its Update id, which Temporal de-duplicates per workflow: a retry gets the
  first attempt's outcome instead of running the change again;
- a workflow start records it in the workflow's memo (the SDK sends a request id of its own per
  call, which cannot be given), and a start that finds the workflow id taken asks the memo
  whether it was this request (`started_by`), i.e. a retry, which then counts as success.

When the connection is lost after the change was sent, nobody can tell whether it happened.
`run_with_client` then says so in one line, with the status command to check and the exact
command to retry with the same `--request-id` (`unknown_outcome`).
"""

from __future__ import annotations

import re
import shlex
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from temporalio.client import WorkflowHandle

# Typer ships its own copy of click (pinned with it); the running command's parameters, and
# which of them were typed, are only to be had from there.
from typer._click.core import Context, ParameterSource
from typer._click.globals import get_current_context
from typer.core import TyperArgument as Argument
from typer.core import TyperOption as Option

from services.lookup import describe_or_none
from starter.errors import fail_bad_input

MEMO_KEY = "lov_request_id"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,79}")

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
    if value is None:
        return str(uuid.uuid4())
    text = value.strip()
    if not _ID.fullmatch(text):
        fail_bad_input(
            "--request-id: 1–80 tecken av A–Z, a–z, 0–9, . _ : - (letters, digits, . _ : -), "
            f"fick {value!r}"
        )
    return text


@dataclass
class Attempt:
    """What one run of a command has asked of Temporal so far."""

    request_id: str
    sent: bool = False  # a change may have reached the server
    updates: int = 0


_current: ContextVar[Attempt | None] = ContextVar("lov_request_attempt", default=None)


@contextmanager
def attempt(state: Attempt) -> Iterator[Attempt]:
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


def start_memo() -> dict[str, Any] | None:
    """The memo for a workflow this command starts (None outside a command: tests, simulate)."""
    state = _current.get()
    if state is None:
        return None
    state.sent = True
    return {MEMO_KEY: state.request_id}


_part: ContextVar[str | None] = ContextVar("lov_request_part", default=None)


@contextmanager
def update_ids_for(part: str) -> Iterator[None]:
    """Inside, this command's Update is named `<request id>:<part>` instead of by its position:
    for a command that sends one Update per item (one per skallkrav), so a retry that names
    the items in another order, or adds some, still runs each item's Update once."""
    token = _part.set(part)
    try:
        yield
    finally:
        _part.reset(token)


def next_update_id() -> str | None:
    """The Update id for this command's next Update: the request id, then `<id>-2`, … for a
    command that sends several (a retry sends them in the same order); see `update_ids_for`."""
    state = _current.get()
    if state is None:
        return None
    state.sent = True
    part = _part.get()
    if part is not None:
        return f"{state.request_id}:{part}"
    state.updates += 1
    return state.request_id if state.updates == 1 else f"{state.request_id}-{state.updates}"


def current_request_id() -> str | None:
    state = _current.get()
    return None if state is None else state.request_id


async def request_id_of(handle: WorkflowHandle[Any, Any]) -> str | None:
    """The request id that started the workflow, from its memo (None if none or no such)."""
    desc = await describe_or_none(handle)
    if desc is None:
        return None
    value = await desc.memo_value(MEMO_KEY, None)
    return value if isinstance(value, str) else None


async def started_by(handle: WorkflowHandle[Any, Any], request_id: str | None) -> bool:
    """Whether the workflow behind `handle` was started by this request (an earlier attempt)."""
    return request_id is not None and await request_id_of(handle) == request_id


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
