"""Kundval: one row per placement (biståndsbeslut) with its provider and genomförandeplan.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Written by hand and frozen, like 0001. The chain is fixed at merge (0003/0004 come from other
branches).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.String(200), nullable=False),
        sa.Column("customer_ref", sa.String(100), nullable=False),
        sa.Column("area", sa.String(100), nullable=False),
        sa.Column("service_type", sa.String(100), nullable=False),
        sa.Column("granted_hours", sa.Numeric(12, 2), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("org_nr", sa.String(11), nullable=True),
        sa.Column("pending_org_nr", sa.String(11), nullable=True),
        sa.Column("provider_start", sa.Date(), nullable=True),
        sa.Column("care_plan_due", sa.Date(), nullable=True),
        sa.Column("care_plan_done_on", sa.Date(), nullable=True),
        sa.Column("care_plan_current", sa.Boolean(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
        sa.UniqueConstraint("placement_id", name=op.f("uq_placements_placement_id")),
        sa.CheckConstraint(
            "status IN ('awaiting_choice', 'active', 'ended')", name=op.f("ck_placements_status")
        ),
    )
    op.create_index(op.f("ix_placements_org_nr_status"), "placements", ["org_nr", "status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_placements_org_nr_status"), table_name="placements")
    op.drop_table("placements")
