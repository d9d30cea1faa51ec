"""Providers' identifier may be a Danish CVR-nummer (8 digits) as well as NNNNNN-NNNN.

Revision ID: 0009_cvr
Revises: 0008_mail
Create Date: 2026-12-07

Written by hand, like the others. A provider under a Danish plan has a CVR-nummer, not an
organisationsnummer (issue 16, point 8); the column keeps its name `org_nr` and its length, only
the shape check widens. Existing rows all have the old shape, which still passes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009_cvr"
down_revision: str | None = "0008_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "org_nr LIKE '______-____'"
NEW = "org_nr LIKE '______-____' OR org_nr LIKE '________'"


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table to change a CHECK constraint.
    with op.batch_alter_table("providers") as batch:
        batch.drop_constraint(op.f("ck_providers_org_nr_format"), type_="check")
        batch.create_check_constraint(op.f("ck_providers_org_nr_format"), NEW)


def downgrade() -> None:
    # A database with Danish providers cannot go back: the old check would refuse their rows.
    danish = op.get_bind().execute(sa.text(f"SELECT count(*) FROM providers WHERE NOT ({OLD})"))
    if danish.scalar_one():
        raise RuntimeError("0009_cvr: providers with a CVR-nummer are recorded; cannot downgrade")
    with op.batch_alter_table("providers") as batch:
        batch.drop_constraint(op.f("ck_providers_org_nr_format"), type_="check")
        batch.create_check_constraint(op.f("ck_providers_org_nr_format"), OLD)
