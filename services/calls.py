"""The plumbing every service module shares: `ActionError`, request checks, Updates by name,
provider ids and documents.

`run_update` turns "what the administrator asked" into one Update on a workflow, and Temporal's
errors into `ActionError(field, message)`: a rejected Update never reached history, so nothing
was changed, and the CLI exits 2. The commands and queries themselves live in the module named
for their concept (services/contracts.py, services/obligations.py, ...).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from models.domain.file_input import MAX_DOCUMENT_BYTES, FileInputError, file_digest
from models.domain.inputs import check_request
from models.domain.provider_id import ProviderIdError, ProviderIds, is_personal
from models.ids import contract_workflow_id
from models.messages.obligation import DocumentRef
from models.runtime.settings import get_settings
from services.errors import ActionError
from services.request_ids import next_update_id

__all__ = ["ActionError"]  # defined in services.errors; imported from here by most callers

R = TypeVar("R", bound=BaseModel)


def _split(message: str) -> ActionError:
    field, _, rest = message.partition(": ")
    return ActionError(field, rest) if rest else ActionError("request", message)


def checked(request: BaseModel) -> None:
    """The request's fields follow models.domain.inputs, or ActionError naming the first that does
    not. Workflow starts have no validator, so this is their only check; Updates are checked
    again by their validator."""
    try:
        check_request(request)
    except ValueError as err:
        raise _split(str(err)) from None


# `lov simulate` runs its own throw-away server and worker and sets the key they share here;
# otherwise the actions use the configured key.
_CURRENT_IDS: ContextVar[ProviderIds | None] = ContextVar("provider_ids", default=None)


@contextmanager
def using_provider_ids(ids: ProviderIds) -> Iterator[None]:
    token = _CURRENT_IDS.set(ids)
    try:
        yield
    finally:
        _CURRENT_IDS.reset(token)


def provider_ids(ids: ProviderIds | None = None) -> ProviderIds:
    """`ids`, or the configured ones (the CLI's settings; the key file `lov serve` made)."""
    ids = ids or _CURRENT_IDS.get()
    if ids is not None:
        return ids
    try:
        return ProviderIds.from_settings(get_settings())
    except ProviderIdError as err:
        raise _split(str(err)) from None


def provider_ref(org_nr: str, ids: ProviderIds | None = None) -> str | None:
    """The opaque key naming a sole trader in ids and search attributes (models.domain.provider_id);
    None for a company. ActionError naming LOV_PROVIDER_ID_KEY when it is not configured."""
    if not is_personal(org_nr):
        return None  # a company needs no key, so none is read
    try:
        return provider_ids(ids).ref(org_nr)
    except ProviderIdError as err:
        raise _split(str(err)) from None


def contract_ids(org_nr: str, ids: ProviderIds | None = None) -> list[str]:
    """The contract workflow id of `org_nr`; for a sole trader also the one its contract had if
    it was started before the opaque key existed (so that contract can still be managed)."""
    ref = provider_ref(org_nr, ids)
    current = contract_workflow_id(org_nr, ref)
    return [current] if ref is None else [current, contract_workflow_id(org_nr)]


async def run_update(
    handle: WorkflowHandle[Any, Any], update: str, arg: BaseModel, result_type: type[R]
) -> R:
    """Run the Update named `update` (its name in history, so this layer needs no workflow
    module) with a checked request; `ActionError` if the validator or the workflow refuses."""
    result: R = await _update(handle, update, arg, result_type)
    return result


async def _update(
    handle: WorkflowHandle[Any, Any], update: Any, arg: Any, result_type: type | None = None
) -> Any:
    if isinstance(arg, BaseModel):
        checked(arg)
    try:
        # The request id as Update id: Temporal runs an Update id once per workflow, so a
        # retried command gets the first attempt's outcome (services/request_ids.py).
        return await handle.execute_update(
            update, arg, id=next_update_id(), result_type=result_type
        )
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        raise _split(str(getattr(cause, "message", None) or cause)) from None
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
    # The workflow has closed: say in what state, from its last query result.
    try:
        final = await handle.query("status")
    except RPCError:
        raise ActionError("request", "the workflow has already ended") from None
    state = final.get("status") or final.get("state") if isinstance(final, dict) else None
    raise ActionError("status", f"the item is already {state or 'closed'}")


def document_ref(key: str, path: Path) -> DocumentRef:
    """A document is kept where it is; the records hold its path, size and SHA-256 (hashed as
    a stream, a regular file of at most MAX_DOCUMENT_BYTES)."""
    try:
        sha256, size = file_digest(path, MAX_DOCUMENT_BYTES)
    except FileInputError as err:
        raise ActionError(f"document {key}", f"{path}: {err}") from None
    return DocumentRef(key=key, filename=str(path.resolve()), sha256=sha256, size=size)


async def wait_registered(
    handle: WorkflowHandle[Any, Any],
    status_query: Any,
    timeout: float = 30.0,
    *,
    result_type: type | None = None,
) -> None:
    """Wait until a just-started workflow has registered itself (loaded its plan, recorded the
    start), so that the administrator's next command is not refused as "still being
    registered". Gives up quietly after `timeout`: the start itself has succeeded. A query
    given by its name needs `result_type` (the status model with a `registered` field)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status = await handle.query(status_query, result_type=result_type)
        if getattr(status, "registered", False) or loop.time() > deadline:
            return
        await asyncio.sleep(0.1)
