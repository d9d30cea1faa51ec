"""ORM tables: the desk's local accounts and its failed logins (revision 0010_users).

Accounts are for `lov web` when no identity provider is configured: a password hash (argon2,
never the password), a role, and whether the account may log in. Failed logins are kept here,
not in the web process, so that every `lov web` process behind the reverse proxy counts the
same attempts (web/auth.py limits them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import CheckConstraint, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from models.records.tables import columns as col
from models.records.tables.base import Base, in_values

# administrator: everything; manager: reads (decisions on escalations later); auditor: reads and
# exports, never acts; case_officer: kundval.
USER_ROLES: Final = ("administrator", "manager", "auditor", "case_officer")
USERNAME_LEN: Final = 64
DISPLAY_NAME_LEN: Final = 200
PASSWORD_HASH_LEN: Final = 200  # an argon2id PHC string is about 100 characters
# "user:<username>" or "address:<client address>"
LOGIN_SUBJECT_LEN: Final = 120


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(in_values("role", USER_ROLES), name="role"),)

    id: Mapped[col.RowId]
    username: Mapped[str] = mapped_column(String(USERNAME_LEN), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_LEN))
    role: Mapped[col.Key]
    password_hash: Mapped[str] = mapped_column(String(PASSWORD_HASH_LEN))
    disabled: Mapped[bool]
    # A generated or reset password (revision 0011): the user must choose a new one first.
    must_change_password: Mapped[bool] = mapped_column(server_default=false())
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime]


class LoginFailure(Base):
    """One refused login, counted per user and per client address within a window."""

    __tablename__ = "login_failures"
    __table_args__ = (Index(None, "subject", "at"),)

    id: Mapped[col.RowId]
    subject: Mapped[str] = mapped_column(String(LOGIN_SUBJECT_LEN))
    at: Mapped[datetime]
