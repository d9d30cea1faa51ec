"""Application review: one row per skallkrav assessment.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Written by hand and frozen, like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("application_id", sa.String(200), nullable=False),
        sa.Column("org_nr", sa.String(11), nullable=False),
        sa.Column("requirement", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_assessments")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_application_assessments_idempotency_key")
        ),
        sa.CheckConstraint(
            "outcome IN ('met', 'not_met')", name=op.f("ck_application_assessments_outcome")
        ),
    )
    op.create_index(
        op.f("ix_application_assessments_application_id"),
        "application_assessments",
        ["application_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_application_assessments_application_id"), table_name="application_assessments"
    )
    op.drop_table("application_assessments")
