"""A record the database refuses for good (a text longer than its PostgreSQL column) fails its
activity at once, not retried for ever; the workflow tells the administrator and carries on, so
the provider's e-mail still goes out (activities/data_errors.py, workflows.common.call)."""

from __future__ import annotations

import asyncio
import typing
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from temporalio.api.enums.v1 import EventType
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer

from activities.data_errors import DATA_ERROR, final_error
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT
from tests.support.harness import PROVIDER, lovflow_stack
from tests.support.refused_record import RefusedRecordInput, RefusedRecordWorkflow
from workflows import ALL_WORKFLOWS
from workflows.common import FollowsPlan


def test_refused_data_is_final_and_outages_are_not() -> None:
    for err in (
        DataError("INSERT …", {}, Exception("value too long for type character varying(100)")),
        IntegrityError("INSERT …", {}, Exception("null value violates not-null constraint")),
        OverflowError("date value out of range"),
    ):
        final = final_error(err)
        assert isinstance(final, ApplicationError)
        assert final.non_retryable and final.type == DATA_ERROR
    assert final_error(OperationalError("SELECT 1", {}, Exception("connection refused"))) is None
    assert final_error(ConnectionResetError()) is None


@pytest.mark.parametrize("cls", ALL_WORKFLOWS, ids=lambda c: c.__name__)
def test_every_workflow_names_the_plan_of_its_input(cls: type) -> None:
    """The report of a refused record goes to the administrator of the plan the workflow's
    input names, with the input's roles where it has them (workflows.common.FollowsPlan)."""
    assert issubclass(cls, FollowsPlan)
    input_type = typing.get_type_hints(cls.__init__)["inp"]
    roles = {"lov-admin": object()}
    workflow = object.__new__(cls)
    workflow._in = SimpleNamespace(plan_id="herning", roles=roles)
    has_roles = "roles" in input_type.model_fields
    assert workflow.followed_plan() == ("herning", roles if has_roles else None)


async def test_too_long_value_on_postgresql_is_reported_and_workflow_carries_on(
    postgres_url: str, tmp_path: Path
) -> None:
    plan = load_plan("sundsvall", PROJECT_ROOT / "plans")
    admin = plan.roles[plan.administrator_role].email
    async with lovflow_stack(
        tmp_path, database_url=postgres_url, extra_workflows=[RefusedRecordWorkflow]
    ) as stack:
        handle = await stack.client.start_workflow(
            RefusedRecordWorkflow.run,
            RefusedRecordInput(
                org_nr=PROVIDER.org_nr,
                name=PROVIDER.name,
                email=PROVIDER.email,
                actor="a" * 150,  # the reviews.actor column holds 100
                roles=plan.roles,
            ),
            id="refused-record-1",
            task_queue=stack.settings.temporal_task_queue,
        )
        # Retried for ever before: the workflow never got past the record.
        assert await asyncio.wait_for(handle.result(), timeout=60) == "done"

        history = await handle.fetch_history()
        failed = [
            e.activity_task_failed_event_attributes.failure
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
        ]
        assert len(failed) == 1, failed
        info = failed[0].application_failure_info
        assert info.type == DATA_ERROR and info.non_retryable
        assert "value too long" in failed[0].message
        started = [
            e.activity_task_started_event_attributes.attempt
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        ]
        assert max(started) == 1, "an activity was retried"
        # The new path (patch marker, notice activity) replays deterministically.
        replayer = Replayer(
            workflows=[RefusedRecordWorkflow], data_converter=pydantic_data_converter
        )
        replayed = await replayer.replay_workflow(history, raise_on_replay_failure=True)
        assert replayed.replay_failure is None
        assert any(e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED for e in history.events), (
            "no patch marker"
        )

        assert await stack.store.list_reviews("refused-record-1") == []
        kinds = {str(m["X-Lov-Kind"]): m for m in stack.mail.messages}
        assert set(kinds) == {"waived", "record-refused"}, list(kinds)
        assert kinds["waived"]["To"] == PROVIDER.email
        notice = kinds["record-refused"]
        assert notice["To"] == admin
        body = notice.get_content()
        assert "refused-record-1" in body and "record_review" in body
        assert "value too long" in body


@pytest.mark.parametrize("plan_id", ["herning", None], ids=["plan-id", "roles-only"])
async def test_the_notice_goes_to_the_administrator_of_the_workflows_own_plan(
    postgres_url: str, tmp_path: Path, plan_id: str | None
) -> None:
    """A workflow of Herning's plan (not the default, Sundsvall): Herning's administrator is
    told, in Danish, found by the plan id or else by the plan's roles."""
    plans = PROJECT_ROOT / "plans"
    herning, default = load_plan("herning", plans), load_plan("sundsvall", plans)
    admin = herning.roles[herning.administrator_role].email
    assert admin != default.roles[default.administrator_role].email
    async with lovflow_stack(
        tmp_path, database_url=postgres_url, extra_workflows=[RefusedRecordWorkflow]
    ) as stack:
        assert stack.settings.default_plan == "sundsvall"
        handle = await stack.client.start_workflow(
            RefusedRecordWorkflow.run,
            RefusedRecordInput(
                org_nr=PROVIDER.org_nr,
                name=PROVIDER.name,
                email=PROVIDER.email,
                actor="a" * 150,
                roles=herning.roles,
                plan_id=plan_id,
            ),
            id="refused-record-herning",
            task_queue=stack.settings.temporal_task_queue,
        )
        assert await asyncio.wait_for(handle.result(), timeout=60) == "done"
        kinds = {str(m["X-Lov-Kind"]): m for m in stack.mail.messages}
        assert set(kinds) == {"waived", "record-refused"}, list(kinds)
        notice = kinds["record-refused"]
        assert notice["To"] == admin, notice["To"]
        assert "kunne ikke gemmes" in str(notice["Subject"])  # Herning's language
        body = notice.get_content()
        assert "refused-record-herning" in body and "record_review" in body
