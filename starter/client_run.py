"""Running one CLI action against Temporal, with the exit codes of docs/CLI.md §5.

Kept apart from the command modules and free of workflow imports, so that a read-only command
such as `lov overdue` starts without loading every workflow and activity (docs/PERFORMANCE.md:
that import alone took longer than the query).
"""

from __future__ import annotations

import asyncio
import gc
import getpass
import os
import socket
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from pydantic import BaseModel
from temporalio.client import Client, RPCTimeoutOrCancelledError
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError, RPCStatusCode

from models.runtime.codec import CodecError, UnknownKeyError
from models.runtime.settings import Settings
from models.runtime.temporal import TemporalSetupError, connect, target_address
from services.errors import ActionError
from services.request_ids import Attempt, attempt
from starter.errors import fail, fail_bad_input
from starter.request_id_option import checked_request_id, unknown_outcome

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def cli_identity() -> str:
    """Who runs the CLI, as Temporal records it on every request: OS user, host, process."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"lov-cli {user}@{socket.gethostname()} pid {os.getpid()}"


# The connection went away (or the call timed out) while a request was under way: the server
# may or may not have carried it out.
_LOST = {
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.CANCELLED,
    RPCStatusCode.UNKNOWN,
}


def run_with_client(
    settings: Settings,
    action: Callable[[Client], Awaitable[T]],
    bad_input: tuple[type[Exception], ...] = (),
    *,
    request_id: str | None = None,
    status: str | None = None,
) -> T:
    """Connect as configured and run `action`. `bad_input` exceptions exit 2, Temporal's
    failures exit 1, each with one line on stderr.

    `request_id`: the action changes something (services/request_ids.py); if the connection is
    lost after the change was sent, the line says the outcome is unknown, how to check
    (`status`, else the group's status command) and how to retry with the same id."""
    state = Attempt(request_id) if request_id is not None else None

    async def main() -> T:
        client = await connect(settings, identity=cli_identity())
        if state is None:
            return await action(client)
        with attempt(state):
            return await action(client)

    def lost(reason: str) -> tuple[Callable[[str], NoReturn], str] | None:
        if state is None or not state.sent:
            return None  # nothing was asked to change yet: a plain failure
        return fail, unknown_outcome(state.request_id, target_address(settings), reason, status)

    failure: tuple[Callable[[str], NoReturn], str] | None = None
    try:
        return asyncio.run(main())
    except bad_input as err:
        failure = fail_bad_input, str(err)
    except TemporalSetupError as err:
        failure = fail, str(err)
    except UnknownKeyError as err:
        # A payload written with a key this process lacks: LOV_CODEC_KEYS is incomplete.
        failure = fail_bad_input, str(err)
    except CodecError as err:
        failure = fail, str(err)
    except RPCError as err:
        status_name = err.status.name if err.status else ""
        failure = (lost(status_name) if err.status in _LOST else None) or (
            fail,
            (
                f"Temporal på {target_address(settings)} svarade med fel (request failed): "
                f"{status_name} {' '.join(err.message.split())}"
            ),
        )
    except RPCTimeoutOrCancelledError as err:
        failure = lost("timeout") or (fail, f"Temporal: {' '.join(str(err).split())}")
    except TemporalError as err:
        failure = fail, f"Temporal: {' '.join(str(err).split())}"
    finally:
        # Release the client (and the SDK's Rust threads behind it) while the interpreter is
        # fully alive: dropped during interpreter shutdown instead, it can abort the process
        # ("PyGILState_Release", temporalio/sdk-python#300) after the command has succeeded.
        gc.collect()
    assert failure is not None
    report, message = failure
    report(message)


def run_action(settings: Settings, action: Callable[[Client], Awaitable[T]]) -> T:
    """Connect as configured and run `action`; an `ActionError` (bad input) exits 2."""
    return run_with_client(settings, action, bad_input=(ActionError,))


def echo_status(
    settings: Settings,
    query: Callable[[Client], Awaitable[M]],
    as_json: bool,
    text: Callable[[M], str],
) -> None:
    """A status command: `query` run as `run_action`, printed as JSON (--json) or as `text`."""
    found = run_action(settings, query)
    typer.echo(found.model_dump_json(indent=2) if as_json else text(found))


def run_change(
    settings: Settings,
    action: Callable[[Client], Awaitable[T]],
    request_id: str | None,
    *,
    status: str | None = None,
) -> T:
    """`run_action` for a command that changes something, under its `--request-id`
    (services/request_ids.py): a retry with the same id is recognised as the same request, and a
    connection lost after the change was sent says how to check (`status`, else
    `lov <group> status <first argument>`) and how to retry."""
    return run_with_client(
        settings,
        action,
        bad_input=(ActionError,),
        request_id=checked_request_id(request_id),
        status=status,
    )
