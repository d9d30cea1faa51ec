"""The desk's accounts and failed logins in the records database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.records.store import RecordStore
from models.records.users import UserExists

AT = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


async def test_an_account_is_recorded_once_and_changed_in_place(store: RecordStore) -> None:
    await store.add_user("anna", "Anna Admin", "administrator", "hash-1", AT)
    with pytest.raises(UserExists):
        await store.add_user("anna", "Another", "auditor", "hash-2", AT)
    assert await store.count_users() == 1
    later = AT + timedelta(hours=1)
    assert await store.set_password_hash("anna", "hash-3", later)
    assert await store.set_disabled("anna", True, later)
    assert not await store.set_disabled("nobody", True, later)
    user = await store.get_user("anna")
    assert user is not None
    assert (user.password_hash, user.disabled, user.role) == ("hash-3", True, "administrator")
    assert (user.created_at, user.changed_at) == (AT, later)


async def test_failures_are_counted_per_subject_within_the_window(store: RecordStore) -> None:
    for minute in range(3):
        at = AT + timedelta(minutes=minute)
        await store.add_login_failure(
            ["user:anna", "address:10.0.0.1"], at, at - timedelta(minutes=15)
        )
    assert await store.login_failures_since("user:anna", AT) == 3
    assert await store.login_failures_since("user:anna", AT + timedelta(minutes=1)) == 2
    assert await store.login_failures_since("address:10.0.0.1", AT) == 3
    # A failure long after forgets the old ones.
    late = AT + timedelta(hours=1)
    await store.add_login_failure(["user:bo"], late, late - timedelta(minutes=15))
    assert await store.login_failures_since("user:anna", AT - timedelta(days=1)) == 0
    await store.clear_login_failures("user:bo")
    assert await store.login_failures_since("user:bo", AT) == 0
