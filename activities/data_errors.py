"""Errors that no retry can mend, turned into a non-retryable `DataError` in one place.

Activities retry for as long as it takes (workflows/common.py), which is right for an SMTP or
database outage and wrong for a value the database refuses: a text longer than its column on
PostgreSQL, a NOT NULL or check constraint, a date out of range. Retried, such an activity
would fail for ever while the workflow waits on it (a CLI Update hanging, the provider's e-mail
never sent). `NonRetryableDataErrors`, a worker interceptor, lets these fail at once as
`ApplicationError(type="DataError", non_retryable=True)`; the workflow then reports the lost
record and carries on (`workflows.common.call`).

Duplicate keys are not among them: the store (models/records/store.py) answers those itself, and an
`IntegrityError` only reaches here when no row under the key exists, i.e. the values themselves
are refused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

DATA_ERROR = "DataError"
# The error text goes into a notice and the workflow's history: the first part says what it is.
MAX_MESSAGE = 500

# SQLSTATE classes of refused values: 22 data exception (e.g. 22001 value too long),
# 23 integrity constraint violation. Asked of the driver's error because SQLAlchemy's asyncpg
# dialect reports many of them (22001 among them) as a plain DBAPIError.
_FINAL_SQLSTATE_CLASSES = ("22", "23")


def _sqlstate(err: DBAPIError) -> str:
    for candidate in (err.orig, getattr(err.orig, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(state, str):
            return state
    return ""


def _is_final(err: BaseException) -> bool:
    if isinstance(err, (DataError, IntegrityError, OverflowError)):
        return True
    return isinstance(err, DBAPIError) and _sqlstate(err)[:2] in _FINAL_SQLSTATE_CLASSES


def final_error(err: BaseException) -> ApplicationError | None:
    """The non-retryable error to raise instead of `err`, or None if a retry may succeed."""
    if not _is_final(err):
        return None
    # The driver's own words, without SQLAlchemy's statement and parameters: those can hold
    # personal data and the text goes into a notice and the workflow's history.
    detail = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err
    state = (
        f" (SQLSTATE {_sqlstate(err)})" if isinstance(err, DBAPIError) and _sqlstate(err) else ""
    )
    text = " ".join(f"{type(err).__name__}{state}: {detail}".split())
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    return ApplicationError(text, type=DATA_ERROR, non_retryable=True)


class NonRetryableDataErrors(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next)


class _Inbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except Exception as err:
            final = final_error(err)
            if final is None:
                raise
            name = getattr(input.fn, "__name__", "activity")
            activity.logger.error("%s: not retried, the data is refused: %s", name, final)
            raise final from err
