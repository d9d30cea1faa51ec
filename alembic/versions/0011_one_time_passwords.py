"""One-time passwords: an account whose password was generated or reset by an administrator
must choose its own at the next login (issue 17).

Revision ID: 0011_one_time_passwords
Revises: 0010_users
Create Date: 2026-12-07

Written by hand, like the others; must match models/records/tables/users.py. Existing accounts
keep their passwords as they are (the server default false).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011_one_time_passwords"
down_revision: str | None = "0010_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch: SQLite cannot add a NOT NULL column with ALTER TABLE in all cases; the batch
    # rebuild is the portable way, and PostgreSQL gets a plain ALTER TABLE.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
