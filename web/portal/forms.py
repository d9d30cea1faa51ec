"""One form of the portal sent (a duty's report, an återkrav's answer, a finding's response or
åtgärdsplan, a genomförandeplan, a komplettering), as web/actions.perform is for the desk: the
page's steps run (checks, uploads into services/documents.py, the service under the form's
request id), and a refusal or an unanswered Temporal becomes the page again.

A refusal (`ActionError`) naming the page's "not yours / not found" field is the 404 page; any
other is the form again with its field errors (400). When Temporal cannot be reached the form
says whether the change may have been made (503) and keeps its request id only then, so sending
it again runs the change at most once (services/request_ids.py). Stored documents are discarded
unless they may have been sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile
from temporalio.client import Client
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError

from services.documents import DocumentStore, Stored
from services.errors import ActionError
from services.request_ids import Attempt, attempt, check_request_id
from web.desk import desk
from web.forms import GENERAL, text
from web.portal.limits import MAX_DOCUMENTS
from web.refusals import in_swedish

R = TypeVar("R")


@dataclass
class Sending:
    """The form being sent: the documents stored for it so far, and its attempt once the
    service is called."""

    request: Request
    form: FormData
    documents: DocumentStore | None = None
    stored: list[Stored] = field(default_factory=list)
    state: Attempt | None = None

    async def send(self, call: Callable[[Client], Awaitable[R]]) -> R:
        """The service called once under the form's request id (after every check)."""
        self.state = Attempt(check_request_id(text(self.form, "request_id") or None))
        client = await desk(self.request).temporal()
        with attempt(self.state):
            return await call(client)

    def discard(self) -> None:
        if self.documents is not None:
            self.documents.discard(self.stored)


@dataclass(frozen=True)
class Failed:
    """Why the form was not done: a refusal, or (refusal None) no answer from Temporal."""

    refusal: ActionError | None
    # Sent, but no answer came: the change may have been made.
    unknown: bool = False
    # The request id to send again (only when the outcome is unknown).
    request_id: str | None = None

    def not_sent(self, words: dict[str, str]) -> dict[str, str]:
        """The form's message when Temporal did not answer (web/portal/texts.py words)."""
        return {GENERAL: words["unknown_outcome" if self.unknown else "temporal_down"]}


def worded(err: ActionError, language: str) -> str:
    """A refusal the page has no words of its own for, as a sentence: Danish plans see the
    service's text as written, the others in Swedish."""
    message = err.message if language == "da" else in_swedish(err.message)
    return message[:1].upper() + message[1:]


async def perform(
    request: Request,
    form: FormData,
    steps: Callable[[Sending], Awaitable[R]],
    documents: DocumentStore | None = None,
) -> R | Failed:
    """The page's steps run, or why not (documents stored by them discarded unless sent)."""
    sending = Sending(request, form, documents)
    try:
        return await steps(sending)
    except ActionError as err:
        sending.discard()
        return Failed(err)
    except (RPCError, TemporalError, OSError, RuntimeError):
        state = sending.state
        unknown = state is not None and state.sent
        if not unknown:
            sending.discard()
        return Failed(None, unknown, state.request_id if unknown and state else None)


async def answer(
    failed: Failed,
    *,
    form_page: Callable[..., Awaitable[Response]],
    refusal: Callable[[ActionError], dict[str, str]],
    words: dict[str, str],
    missing: Callable[[], Response] | None = None,
    missing_field: str | None = None,
) -> Response:
    """The page for a form not done: 404 when the refusal names `missing_field`, else the form
    again with the refusal's field errors (400) or Temporal's silence (503). `form_page` takes
    the keywords errors, status_code and request_id (the page's own function, partly applied)."""
    err = failed.refusal
    if err is None:
        errors = failed.not_sent(words)
        return await form_page(errors=errors, status_code=503, request_id=failed.request_id)
    if missing is not None and err.field == missing_field:
        return missing()
    return await form_page(errors=refusal(err), status_code=400, request_id=None)


async def uploads(form: FormData, documents: DocumentStore, name: str, key: str) -> list[Stored]:
    """The files of the form's field `name` stored under `key` (at most MAX_DOCUMENTS); a
    refused one discards those stored before it."""
    found = [u for u in form.getlist(name) if isinstance(u, UploadFile)]
    found = [u for u in found if u.filename]
    if len(found) > MAX_DOCUMENTS:
        raise ActionError(f"documents.{key}", f"högst {MAX_DOCUMENTS} dokument")
    stored: list[Stored] = []
    try:
        for upload in found:
            # At most one byte more than allowed is read: enough to refuse it.
            data = await upload.read(documents.max_bytes + 1)
            filename = upload.filename or "dokument"
            stored.append(await asyncio.to_thread(documents.put, key, filename, data))
    except ActionError:
        documents.discard(stored)
        raise
    return stored
