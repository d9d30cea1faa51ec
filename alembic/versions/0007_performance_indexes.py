"""Indexes for the reports: occurrences and submissions by period, audit events by workflow.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Written by hand, like the others. `lov report compliance` selects one follow-up year's
occurrences and submissions by period and joins each occurrence to its "submitted" audit
events; without these indexes each report read every row of the three tables, so its time grew
with the years on record (docs/PERFORMANCE.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_obligation_occurrences_period"), "obligation_occurrences", ["period"])
    op.create_index(op.f("ix_submissions_period"), "submissions", ["period"])
    op.create_index(
        op.f("ix_audit_events_workflow_id_event_type"),
        "audit_events",
        ["workflow_id", "event_type"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_events_workflow_id_event_type"), table_name="audit_events")
    op.drop_index(op.f("ix_submissions_period"), table_name="submissions")
    op.drop_index(op.f("ix_obligation_occurrences_period"), table_name="obligation_occurrences")
