"""Request ids: a command that changes something can be retried without doing it twice.

Every such command has `--request-id` (default: a fresh one). The id goes with each change the
command asks of Temporal:
- an Update gets it as its Update id, which Temporal de-duplicates per workflow: a retry gets the
  first attempt's outcome instead of running the change again;
- a workflow start records it in the workflow's memo (the SDK sends a request id of its own per
  call, which cannot be given), and a start that finds the workflow id taken asks the memo
  whether it was this request (`started_by`), i.e. a retry, which then counts as success.

When the connection is lost after the change was sent, nobody can tell whether it happened. The
CLI (starter/request_id_option.py, `unknown_outcome`) then says so in one line, with the status
command to check and the exact command to retry with the same `--request-id`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from temporalio.client import WorkflowHandle

from services.errors import ActionError
from services.lookup import describe_or_none

MEMO_KEY = "lov_request_id"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,79}")


def check_request_id(value: str | None) -> str:
    """The given request id, or a fresh one; ActionError naming the option if it is unusable."""
    if value is None:
        return str(uuid.uuid4())
    text = value.strip()
    if not _ID.fullmatch(text):
        raise ActionError(
            "--request-id",
            f"1–80 tecken av A–Z, a–z, 0–9, . _ : - (letters, digits, . _ : -), fick {value!r}",
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
