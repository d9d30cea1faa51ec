"""Shared workflow plumbing: activity options and small deterministic helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

P = TypeVar("P")
R = TypeVar("R")

with workflow.unsafe.imports_passed_through():
    from zoneinfo import ZoneInfo

    from activities.data_errors import DATA_ERROR
    from models.messages.common import DataErrorReport
    from models.plans.schema import Role

# Side effects retry with backoff for as long as it takes (an SMTP or database outage must not
# lose a reminder); permanent failures are raised as non-retryable by the activities themselves.
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=15),
)
ACTIVITY_TIMEOUT = timedelta(minutes=2)
# Workers heartbeat for every running activity (activities/heartbeat.py), so an activity whose
# worker was killed is retried after this long instead of after ACTIVITY_TIMEOUT. Patched:
# activities scheduled by workflow code from before keep their old options on replay.
HEARTBEAT_TIMEOUT = timedelta(seconds=10)
HEARTBEAT_PATCH = "activity-heartbeat-timeout"


# workflow.patched() id: a record the database refuses for good (activities/data_errors.py) is
# reported to the administrator and the workflow carries on. Only reached after such a failure,
# which workers before it never produced (they retried for ever).
DATA_ERROR_PATCH = "record-data-error-reported"
REPORT_DATA_ERROR = "report_data_error"

# A workflow's plan id and the plan's roles, as its input names them (None where it does not).
FollowedPlan = tuple[str | None, dict[str, Role] | None]


@runtime_checkable
class FollowsPlan(Protocol):
    """Every lovflow workflow: which plan it follows, so the notice about a record refused for
    good (see `call`) reaches that plan's administrator."""

    def followed_plan(self) -> FollowedPlan:
        """The plan id and roles from the workflow's input (roles None where the input has
        none): only what the input says, so the notice's input stays what it was."""
        ...


async def call(activity: Callable[[Any, P], Awaitable[R]], arg: P) -> R:
    """Run an activity method with lovflow's timeouts and retry policy.

    A record activity (`record_*`: it only writes what the workflow already decided) or an
    e-mail whose data the database refuses for good is reported and skipped, returning None
    (no workflow uses their results): failing a years-long workflow, or an administrator's
    Update, over one refused row would lose far more (the provider's e-mail, the next deadline)
    than the row itself. Activities whose results the workflow needs still fail.
    """
    heartbeat = HEARTBEAT_TIMEOUT if workflow.patched(HEARTBEAT_PATCH) else None
    try:
        return await workflow.execute_activity_method(
            activity,
            arg,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            heartbeat_timeout=heartbeat,
            retry_policy=RETRY,
        )
    except ActivityError as err:
        name = getattr(activity, "__name__", "")
        cause = err.cause
        if not (
            (name.startswith("record_") or name == "send_mail")
            and isinstance(cause, ApplicationError)
            and cause.type == DATA_ERROR
            and workflow.patched(DATA_ERROR_PATCH)
        ):
            raise
        await _report_data_error(name, arg, err.activity_id, cause.message)
        return cast(R, None)


async def _report_data_error(activity: str, arg: Any, activity_id: str, error: str) -> None:
    workflow.logger.error("%s refused for good, carrying on without it: %s", activity, error)
    org_nr = getattr(arg, "org_nr", None)
    try:
        await _send_report(activity, arg, activity_id, error, org_nr)
    except ActivityError as err:
        # The notice's own outbox row refused too: the log and the history keep the failure.
        if not (isinstance(err.cause, ApplicationError) and err.cause.type == DATA_ERROR):
            raise
        workflow.logger.error("the notice about %s was refused too: %s", activity, err.cause)


def _plan_of(arg: Any) -> FollowedPlan:
    """The plan id and roles of the failing workflow, so the notice reaches that plan's
    administrator: from the workflow (`FollowsPlan`), else from the failing activity's input
    (a MailRequest carries the roles). Only fills the notice's input, which replay does not
    compare, so no patch is needed."""
    instance = workflow.instance()
    own = instance.followed_plan() if isinstance(instance, FollowsPlan) else (None, None)
    plan_ids = [own[0], getattr(arg, "plan_id", None)]
    roles = [own[1], getattr(arg, "roles", None)]
    return (
        next((p for p in plan_ids if isinstance(p, str) and p), None),
        next((r for r in roles if isinstance(r, dict) and r), None),
    )


async def _send_report(activity: str, arg: Any, activity_id: str, error: str, org_nr: Any) -> None:
    info = workflow.info()
    plan_id, roles = _plan_of(arg)
    await workflow.execute_activity(
        REPORT_DATA_ERROR,
        DataErrorReport(
            key=f"{info.workflow_id}:data-error:{info.run_id}:{activity_id}",
            workflow_id=info.workflow_id,
            workflow_type=info.workflow_type,
            activity=activity,
            error=error,
            at=workflow.now(),
            org_nr=org_nr if isinstance(org_nr, str) else None,
            plan_id=plan_id,
            roles=roles,
        ),
        start_to_close_timeout=ACTIVITY_TIMEOUT,
        heartbeat_timeout=HEARTBEAT_TIMEOUT,
        retry_policy=RETRY,
    )


async def until_handlers_finished() -> None:
    """Wait until every update and signal handler that is running has returned: a workflow that
    completes before would leave their callers without a reply."""
    await workflow.wait_condition(workflow.all_handlers_finished)


def local_today(time_zone: str) -> date:
    return workflow.now().astimezone(ZoneInfo(time_zone)).date()


def local_time(at: datetime, time_zone: str) -> datetime:
    # Workflow modules use this rather than ZoneInfo of their own: in a workflow's sandbox,
    # zoneinfo may already be loaded as the sandbox's restricted proxy (it depends on which
    # module imported it first there), and `astimezone` refuses the proxy's instances. This
    # module is always imported passed through, so its ZoneInfo is the real class.
    return at.astimezone(ZoneInfo(time_zone))


def end_of_day(day: date, time_zone: str) -> datetime:
    """The instant a day ends locally ("by 20 April" means before this)."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(time_zone))
