"""The desk's accounts and failed logins in the records database (`UserRecords`).

Writes are single statements; the unique username decides a race between two `lov user add`.
Times come from the caller, like every other store's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from models.records.access import CoreAccess
from models.records.tables import LoginFailure, User


class UserExists(ValueError):
    """An account with that username is already recorded."""


@dataclass(frozen=True, slots=True)
class UserRecord:
    username: str
    display_name: str
    role: str
    password_hash: str
    disabled: bool
    created_at: datetime
    changed_at: datetime
    must_change_password: bool = False


class UserRecords(CoreAccess):
    async def add_user(
        self,
        username: str,
        display_name: str,
        role: str,
        password_hash: str,
        at: datetime,
        one_time: bool = False,
    ) -> None:
        """Record a new account; UserExists if the username is taken."""
        try:
            async with self._transaction() as connection:
                await connection.execute(
                    insert(User).values(
                        username=username,
                        display_name=display_name,
                        role=role,
                        password_hash=password_hash,
                        disabled=False,
                        must_change_password=one_time,
                        created_at=at,
                        changed_at=at,
                    )
                )
        except IntegrityError:
            raise UserExists(username) from None

    async def get_user(self, username: str) -> UserRecord | None:
        return await self._one(UserRecord, select(User).where(User.username == username))

    async def list_users(self) -> list[UserRecord]:
        return await self._snapshots(UserRecord, select(User).order_by(User.username))

    async def count_users(self) -> int:
        row = await self._first(select(func.count()).select_from(User))
        return int(row[0])

    async def _change(self, username: str, at: datetime, **values: object) -> bool:
        async with self._transaction() as connection:
            result = await connection.execute(
                update(User).where(User.username == username).values(changed_at=at, **values)
            )
        return bool(result.rowcount)

    async def set_password_hash(
        self, username: str, password_hash: str, at: datetime, one_time: bool = False
    ) -> bool:
        """False if there is no such account. `one_time`: the user must change it at the next
        login."""
        return await self._change(
            username, at, password_hash=password_hash, must_change_password=one_time
        )

    async def set_disabled(self, username: str, disabled: bool, at: datetime) -> bool:
        """False if there is no such account."""
        return await self._change(username, at, disabled=disabled)

    # --- failed logins -----------------------------------------------------------------------

    async def add_login_failure(
        self, subjects: list[str], at: datetime, forget_before: datetime
    ) -> None:
        """Count one failed login against each subject; failures older than `forget_before`
        are deleted on the way, so the table holds one window's worth."""
        async with self._transaction() as connection:
            await connection.execute(delete(LoginFailure).where(LoginFailure.at < forget_before))
            await connection.execute(
                insert(LoginFailure), [{"subject": s, "at": at} for s in subjects]
            )

    async def login_failures_since(self, subject: str, since: datetime) -> int:
        row = await self._first(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.subject == subject, LoginFailure.at >= since)
        )
        return int(row[0])

    async def clear_login_failures(self, subject: str) -> None:
        async with self._transaction() as connection:
            await connection.execute(delete(LoginFailure).where(LoginFailure.subject == subject))
