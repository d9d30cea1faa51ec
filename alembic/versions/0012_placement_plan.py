"""A placement's plan, so that `lov placement list --plan` lists the ones awaiting a choice.

Revision ID: 0012_placement_plan
Revises: 0011_one_time_passwords
Create Date: 2026-12-07

Written by hand, like the others. Until now the plan of a placement was read through its
provider's contract, so a placement awaiting the customer's choice (no provider yet) was under
no plan. The placement workflow knows its plan; the record_placement activity now writes it.
Existing rows are backfilled from what the records know: the provider serving the placement,
else the one taking it over, else the last provider the audit trail names for it; the plan is
that provider's contracts' plan when they all follow one. Unknown (no provider ever, or
contracts under several plans) stays NULL, and the list keeps reading such a row through its
provider as before; the next outcome the workflow records fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012_placement_plan"
down_revision: str | None = "0011_one_time_passwords"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BACKFILL = """
UPDATE placements SET plan_id = (
    SELECT MIN(c.plan_id) FROM contracts c
    WHERE c.org_nr = COALESCE(
        placements.org_nr,
        placements.pending_org_nr,
        (
            SELECT a.org_nr FROM audit_events a
            WHERE a.workflow_id = placements.placement_id AND a.org_nr IS NOT NULL
            ORDER BY a.at DESC, a.id DESC
            LIMIT 1
        )
    )
    HAVING COUNT(DISTINCT c.plan_id) = 1
)
WHERE plan_id IS NULL
"""


def upgrade() -> None:
    op.add_column("placements", sa.Column("plan_id", sa.String(100), nullable=True))
    op.create_index(op.f("ix_placements_plan_id"), "placements", ["plan_id"])
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index(op.f("ix_placements_plan_id"), table_name="placements")
    # Batch mode: SQLite rebuilds the table to drop a column.
    with op.batch_alter_table("placements") as batch:
        batch.drop_column("plan_id")
