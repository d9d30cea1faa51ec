"""One administrator's action from a form: read it, call the service on Temporal at most once, and
say why when it cannot be done.

Shared by the pages with actions (duties, meetings). `prepare` reads the form into the call
(raising ActionError, or pydantic's ValidationError, for bad input: nothing is sent); the call
runs under the form's request id (services/request_ids.py), so sending the same form again
after a lost answer runs it once. A refusal comes back as `Refused`: the errors by form field
and the HTTP status the page is shown again with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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

T = TypeVar("T")

UNKNOWN_OUTCOME = (
    "Temporal svarade inte, så det är oklart om ändringen gjordes. Skicka "
    "formuläret igen: samma formulär görs bara en gång."
)
NOT_SENT = "Temporal svarar inte just nu, så inget har ändrats. Försök igen om en stund."


@dataclass(frozen=True, slots=True)
class Refused:
    errors: dict[str, str]
    status_code: int
    # The request id to send again (the outcome is unknown, or nothing was sent).
    request_id: str | None = None


def _as_action_error(err: ValidationError) -> ActionError:
    first = err.errors()[0]
    return ActionError(str(first["loc"][0]) if first["loc"] else GENERAL, first["msg"])


async def act_on_form(
    request: Request,
    form: FormData,
    fields: tuple[str, ...],
    prepare: Callable[[], Callable[[Client], Awaitable[T]]],
    on_form: Callable[[ActionError], ActionError] = lambda err: err,
) -> T | Refused:
    """The call's result, or why it was refused (`on_form` names a refusal's form field where
    the service's name differs)."""
    state: Attempt | None = None
    try:
        try:
            call = prepare()
        except ValidationError as err:
            raise _as_action_error(err) from None
        state = Attempt(check_request_id(text(form, "request_id") or None))
        client = await desk(request).temporal()
        with attempt(state):
            return await call(client)
    except ActionError as err:
        return Refused(errors_of(on_form(err), fields), 400)
    except (RPCError, TemporalError, OSError, RuntimeError):
        message = UNKNOWN_OUTCOME if state is not None and state.sent else NOT_SENT
        return Refused({GENERAL: message}, 503, state.request_id if state else None)
