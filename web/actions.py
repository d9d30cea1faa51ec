"""One action of the desk, for every page with forms that change something (duties, meetings,
applications, återkrav, kundval): the form read into a services/ request, sent to Temporal once,
and either done or refused.

A refusal is the application layer's `ActionError` or the workflow validator's "field: message",
worded in the desk's language and shown next to the form field it names (HTTP 400, nothing
changed); when Temporal cannot be reached it says whether the change may have been made (503)
and keeps the form's request id, so sending the same form again runs the change at most once
(services/request_ids.py).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from temporalio.client import Client
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError

from services.errors import ActionError
from services.request_ids import Attempt, attempt, check_request_id
from web.desk import desk
from web.forms import GENERAL, errors_of, text
from web.refusals import Concept, in_language
from web.texts import text as desk_text

R = TypeVar("R")
T = TypeVar("T")

# What the form says when Temporal did not answer (web/texts.py).
_UNKNOWN, _NOT_SENT = "action.unknown_outcome", "action.not_sent"
# The services' bilingual refusals gloss the Swedish in English: "(not a number)". The desk's
# readers get the Swedish only; a gloss is lower-case ASCII words in brackets.
_GLOSS = re.compile(r" \((?:[a-z][a-z ,;'.-]*)\)")


@dataclass(frozen=True)
class Forms:
    """A page's forms as shown: after a refusal, that form's messages and what was typed; and
    the request id each form sends."""

    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    status_code: int = 200
    # A form whose outcome is unknown sends its request id again, so Temporal runs it once.
    same_request: dict[str, str] = field(default_factory=dict)

    def request_ids(self, names: Iterable[str]) -> dict[str, str]:
        """A fresh request id per form, but the one to send again."""
        return {name: str(uuid.uuid4()) for name in names} | self.same_request

    def refused_for_a_field(self) -> set[str]:
        """The forms refused for one of their fields, or with no answer (to send again)."""
        return {
            name
            for name, found in self.errors.items()
            if set(found) - {GENERAL} or self.status_code >= 500
        }


# The forms of a page shown without a refusal.
NO_REFUSAL = Forms()


@dataclass(frozen=True)
class Refused:
    """Why the action was not done: messages by form field, the HTTP status, and the request
    id the form must send again (only when the outcome is unknown)."""

    errors: dict[str, str]
    status_code: int
    request_id: str | None = None
    # The refusal as the service or validator gave it (None when Temporal could not be reached),
    # for a page that words its own (the application page names skallkrav by their titles).
    error: ActionError | None = None

    def shown(self, form_name: str, values: dict[str, str]) -> Forms:
        """The page's forms with `form_name` shown again: its messages, what was typed, the
        status, and the request id to send again (so the change runs at most once)."""
        return Forms(
            {form_name: self.errors},
            {form_name: values},
            self.status_code,
            {form_name: self.request_id} if self.request_id else {},
        )


def refusal(
    err: ActionError, fields: Iterable[str], language: str = "sv", concept: Concept = None
) -> Refused:
    """`err` as the form shows it: in the desk's language (web/refusals.py, `concept`'s
    wordings first), next to its field (or above the form)."""
    worded = _GLOSS.sub("", in_language(err.message, language, concept))
    return Refused(errors_of(ActionError(err.field, worded), fields, language), 400, error=err)


async def perform(
    request: Request,
    form: FormData,
    fields: Iterable[str],
    build: Callable[[], R],
    call: Callable[[Client, R], Awaitable[T]],
    concept: Concept = None,
    on_form: Callable[[ActionError], ActionError] = lambda err: err,
    language: str | None = None,
) -> T | Refused:
    """`call(client, build())` under the form's request id; `Refused` instead of raising
    (`on_form` names a refusal's form field where the service's name differs; `language` is a
    page's own language where it is not the desk's, such as a task's plan's)."""
    names = tuple(fields)
    state: Attempt | None = None
    try:
        try:
            built = build()
        except ValidationError as err:
            first = err.errors()[0]
            raise ActionError(
                str(first["loc"][0]) if first["loc"] else GENERAL, first["msg"]
            ) from None
        state = Attempt(check_request_id(text(form, "request_id") or None))
        client = await desk(request).temporal()
        with attempt(state):
            return await call(client, built)
    except ActionError as err:
        return refusal(on_form(err), names, language or desk(request).language(), concept)
    except (RPCError, TemporalError, OSError, RuntimeError):
        sent = state is not None and state.sent
        return Refused(
            {
                GENERAL: desk_text(
                    _UNKNOWN if sent else _NOT_SENT, language or desk(request).language()
                )
            },
            503,
            state.request_id if state is not None else None,
        )
