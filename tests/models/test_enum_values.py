"""The states and outcomes a workflow records are the values the records database accepts.

A workflow that records a value the CHECK constraint refuses gets a "record-refused" e-mail and
loses the row for good (docs/RELIABILITY.md); a value the database allows but no workflow can
send is a sign that one of the two was changed alone. So each pair is tied here: the message
field a workflow writes, the value tuple of models.records.tables, and the CHECK constraint the
newest migration actually created (read back from a migrated SQLite file).
"""

from __future__ import annotations

import re
import sqlite3
import types
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from models.domain.contract_state import NOT_STARTED
from models.domain.limits import STATUS_LEN
from models.messages.application import (
    ApplicationState,
    ApplicationWrite,
    Assessment,
    AssessmentWrite,
    Decision,
)
from models.messages.common import Termination
from models.messages.contract import ContractStateRecord, ContractStatus, TerminateRequest
from models.messages.finding import FindingDecision, FindingStepWrite
from models.messages.meeting import MeetingState, MeetingWrite
from models.messages.municipal import TaskState
from models.messages.obligation import ObligationState, OccurrenceRecord, ReviewWrite
from models.messages.placement import PlacementState, PlacementStatus, PlacementWrite
from models.messages.recovery import (
    RecoveryDecision,
    RecoveryResponse,
    RecoverySettlement,
    RecoveryState,
    RecoveryStatus,
    RecoveryStepWrite,
)
from models.records import tables
from models.records.db import head_revision, upgrade


def values(model: type[BaseModel], field: str) -> tuple[str, ...]:
    """The values a message field can hold: its enum's or Literal's, in declaration order
    (None, for an optional field, is not a value: the column is NULL then)."""
    annotation: Any = model.model_fields[field].annotation
    found: list[str] = []

    def walk(tp: Any) -> None:
        origin = get_origin(tp)
        if origin is Literal:
            found.extend(get_args(tp))
        elif origin in (Union, types.UnionType):
            for arg in get_args(tp):
                walk(arg)
        elif isinstance(tp, type) and issubclass(tp, StrEnum):
            found.extend(member.value for member in tp)
        elif tp is not type(None):
            raise AssertionError(f"{model.__name__}.{field}: {tp!r} is neither enum nor Literal")

    walk(annotation)
    return tuple(found)


def enum_values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


# (what a workflow writes, the table's value tuple, table, column): meant to be equal.
CONSTRAINED = [
    (
        values(OccurrenceRecord, "status"),
        tables.OCCURRENCE_STATUSES,
        "obligation_occurrences",
        "status",
    ),
    (values(ReviewWrite, "outcome"), tables.REVIEW_OUTCOMES, "reviews", "outcome"),
    (values(ContractStateRecord, "state"), tables.CONTRACT_STATUSES, "contracts", "status"),
    (values(Termination, "kind"), tables.TERMINATION_KINDS, "contracts", "termination_kind"),
    (
        values(AssessmentWrite, "outcome"),
        tables.ASSESSMENT_OUTCOMES,
        "application_assessments",
        "outcome",
    ),
    (values(RecoveryStepWrite, "status"), tables.RECOVERY_STATUSES, "recoveries", "status"),
    (values(PlacementWrite, "status"), tables.PLACEMENT_STATUSES, "placements", "status"),
    (values(FindingStepWrite, "status"), tables.FINDING_STATUSES, "findings", "status"),
    (values(FindingStepWrite, "severity"), tables.FINDING_SEVERITIES, "findings", "severity"),
    (values(FindingStepWrite, "source"), tables.FINDING_SOURCES, "findings", "source"),
    (values(FindingDecision, "kind"), tables.SANCTION_KINDS, "finding_decisions", "kind"),
    # The municipality's own tasks (issue 19): the workflow writes TaskState's values.
    (enum_values(TaskState), tables.TASK_STATES, "municipal_tasks", "state"),
]


@pytest.mark.parametrize(("written", "allowed", "table", "column"), CONSTRAINED)
def test_every_value_a_workflow_records_is_allowed_and_every_allowed_one_is_recordable(
    written: tuple[str, ...], allowed: tuple[str, ...], table: str, column: str
) -> None:
    assert written == allowed, f"{table}.{column}"


def test_the_write_messages_carry_the_workflow_states() -> None:
    # The write messages name the very enums the workflows hold, so a new state cannot reach
    # the write without reaching these tests.
    assert values(OccurrenceRecord, "status") == enum_values(ObligationState)
    assert values(RecoveryStepWrite, "status") == enum_values(RecoveryState)
    assert values(RecoveryStatus, "status") == enum_values(RecoveryState)
    assert values(PlacementWrite, "status") == enum_values(PlacementState)
    assert values(PlacementStatus, "state") == enum_values(PlacementState)
    assert values(ApplicationWrite, "state") == enum_values(ApplicationState)
    assert values(MeetingWrite, "status") == enum_values(MeetingState)
    # A contract's queried state is the one it records, or the application layer's reading of
    # "active" before the start date (models.domain.contract_state); the kind asked for is the
    # one recorded.
    assert values(ContractStatus, "state") == (*values(ContractStateRecord, "state"), NOT_STARTED)
    assert values(TerminateRequest, "kind") == values(Termination, "kind")
    # A pending assessment (None) is not recorded; the recorded outcomes are the checklist's.
    assert values(Assessment, "outcome") == values(AssessmentWrite, "outcome")


# Columns without a CHECK constraint: what a workflow writes must at least fit the column.
UNCONSTRAINED = [
    (values(ApplicationWrite, "state"), "applications.status"),
    (values(Decision, "outcome"), "applications.decision"),
    (values(MeetingWrite, "status"), "meetings.status"),
    (values(RecoveryStepWrite, "response"), "recoveries.response"),
    (values(RecoveryStepWrite, "decision"), "recoveries.decision"),
    (values(RecoveryStepWrite, "settlement"), "recoveries.settlement"),
]


@pytest.mark.parametrize(("written", "column"), UNCONSTRAINED)
def test_unconstrained_status_values_fit_their_column(
    written: tuple[str, ...], column: str
) -> None:
    table, name = column.split(".")
    length = tables.Base.metadata.tables[table].c[name].type.length  # type: ignore[attr-defined]
    assert length == STATUS_LEN
    assert written and all(0 < len(v) <= length for v in written), column


def test_recovery_step_values_are_the_case_summary_values() -> None:
    # The status shows the response, decision and settlement under the same values it records.
    assert values(RecoveryStepWrite, "response") == values(RecoveryResponse, "outcome")
    assert values(RecoveryStepWrite, "decision") == values(RecoveryDecision, "outcome")
    assert values(RecoveryStepWrite, "settlement") == values(RecoverySettlement, "method")


@pytest.fixture(scope="module")
def migrated_checks(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], set[str]]:
    """(table, column) → the values its CHECK constraint allows, as the migrations created them
    on a fresh SQLite file at the head revision."""
    import asyncio

    path: Path = tmp_path_factory.mktemp("enum-values") / "records.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    checks: dict[tuple[str, str], set[str]] = {}
    with sqlite3.connect(path) as db:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        assert revision == head_revision()
        for table, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type='table'"):
            for column, listed in re.findall(r"CHECK \((?:.*? OR )?(\w+) IN \(([^)]*)\)\)", sql):
                checks[(table, column)] = set(re.findall(r"'([^']*)'", listed))
    return checks


def test_the_migrated_schema_allows_exactly_the_table_values(
    migrated_checks: dict[tuple[str, str], set[str]],
) -> None:
    expected = {(table, column): set(allowed) for _, allowed, table, column in CONSTRAINED}
    expected[("notifications", "status")] = set(tables.OUTBOX_STATUSES)
    # The desk's roles (revision 0010_users): written by services/users.py, not by a workflow.
    expected[("users", "role")] = set(tables.USER_ROLES)
    # Whose task it is (revision 0014_municipal_tasks): the plan's duty scopes.
    expected[("municipal_tasks", "scope")] = set(tables.TASK_SCOPES)
    assert migrated_checks == expected


def test_every_table_value_fits_its_column() -> None:
    for _, allowed, table, column in CONSTRAINED:
        length = tables.Base.metadata.tables[table].c[column].type.length  # type: ignore[attr-defined]
        assert all(len(v) <= length for v in allowed), (table, column)
