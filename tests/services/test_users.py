"""Local accounts of the desk: validation, argon2 hashes, authentication and its limits, on a
real SQLite records database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from models.records.db import upgrade
from models.records.store import RecordStore
from services import users
from services.errors import ActionError
from tests.support.db_fixtures import open_store

PASSWORD = "rätt-hemligt-lösen"


@pytest_asyncio.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[RecordStore]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    async with open_store(url) as store:
        yield store


@pytest.mark.parametrize(
    ("username", "role", "name", "password", "field"),
    [
        ("", "administrator", None, PASSWORD, "username"),
        ("anna svensson", "administrator", None, PASSWORD, "username"),
        ("anna", "superuser", None, PASSWORD, "role"),
        ("anna", "auditor", "x" * 201, PASSWORD, "name"),
        ("anna", "auditor", None, "kort", "password"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    sqlite_store: RecordStore,
    username: str,
    role: str,
    name: str | None,
    password: str,
    field: str,
) -> None:
    with pytest.raises(ActionError) as caught:
        await users.add_user(sqlite_store, username, role, name, password)
    assert caught.value.field == field
    assert await sqlite_store.count_users() == 0


async def test_the_password_is_stored_as_an_argon2_hash(sqlite_store: RecordStore) -> None:
    account, generated = await users.add_user(sqlite_store, " Anna ", "manager", "Anna A", PASSWORD)
    assert (account.username, account.role, generated) == ("anna", "manager", None)
    record = await sqlite_store.get_user("anna")
    assert record is not None and record.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in record.password_hash
    with pytest.raises(ActionError) as caught:
        await users.add_user(sqlite_store, "anna", "auditor")
    assert caught.value.field == "username"


async def test_a_generated_password_logs_in(sqlite_store: RecordStore) -> None:
    _, generated = await users.add_user(sqlite_store, "bo", "auditor")
    assert generated is not None and len(generated) >= users.MIN_PASSWORD
    account = await users.authenticate(sqlite_store, "bo", generated, "127.0.0.1")
    assert (account.username, account.may_act) == ("bo", False)


async def test_wrong_password_unknown_or_disabled_account_is_refused(
    sqlite_store: RecordStore,
) -> None:
    await users.add_user(sqlite_store, "anna", "administrator", None, PASSWORD)
    for username, password in [("anna", "fel-lösenord-123"), ("okänd", PASSWORD)]:
        with pytest.raises(users.LoginRefused):
            await users.authenticate(sqlite_store, username, password, "10.0.0.1")
    await users.disable(sqlite_store, "anna")
    with pytest.raises(users.LoginRefused):
        await users.authenticate(sqlite_store, "anna", PASSWORD, "10.0.0.2")
    assert await users.active_account(sqlite_store, "anna") is None


async def test_after_five_failures_even_the_right_password_waits(
    sqlite_store: RecordStore,
) -> None:
    await users.add_user(sqlite_store, "anna", "administrator", None, PASSWORD)
    now = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    for i in range(users.MAX_FAILURES_PER_USER):
        with pytest.raises(users.LoginRefused, match="Fel"):
            await users.authenticate(sqlite_store, "anna", "fel-lösenord-123", f"10.0.0.{i}", now)
    with pytest.raises(users.LoginRefused, match="För många"):
        await users.authenticate(sqlite_store, "anna", PASSWORD, "10.0.1.1", now)
    # After the window the right password works again, and clears the count.
    later = now + users.FAILURE_WINDOW + timedelta(minutes=30)
    account = await users.authenticate(sqlite_store, "anna", PASSWORD, "10.0.1.1", later)
    assert account.username == "anna"


async def test_one_address_trying_many_accounts_is_limited(sqlite_store: RecordStore) -> None:
    await users.add_user(sqlite_store, "anna", "administrator", None, PASSWORD)
    now = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    for i in range(users.MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(users.LoginRefused):
            await users.authenticate(sqlite_store, f"user{i}", "fel-lösenord-123", "10.9.9.9", now)
    with pytest.raises(users.LoginRefused, match="För många"):
        await users.authenticate(sqlite_store, "anna", PASSWORD, "10.9.9.9", now)
    assert (await users.authenticate(sqlite_store, "anna", PASSWORD, "10.1.1.1", now)).role == (
        "administrator"
    )


async def test_set_password_replaces_the_old_one(sqlite_store: RecordStore) -> None:
    await users.add_user(sqlite_store, "anna", "administrator", None, PASSWORD)
    generated = await users.set_password(sqlite_store, "anna")
    assert generated is not None
    with pytest.raises(users.LoginRefused):
        await users.authenticate(sqlite_store, "anna", PASSWORD, "10.0.0.1")
    await users.authenticate(sqlite_store, "anna", generated, "10.0.0.1")
    with pytest.raises(ActionError) as caught:
        await users.set_password(sqlite_store, "nobody", PASSWORD)
    assert caught.value.field == "username"


async def test_the_first_administrator_is_made_once(sqlite_store: RecordStore) -> None:
    first = await users.ensure_first_administrator(sqlite_store)
    assert first is not None and first[0] == "admin"
    account = await users.authenticate(sqlite_store, *first, "127.0.0.1")
    assert account.must_change_password  # printed on the terminal: one-time
    assert await users.ensure_first_administrator(sqlite_store) is None


@pytest.mark.parametrize(
    ("new", "repeated", "field"),
    [
        ("kort-lösen", "kort-lösen", "password"),
        ("ett-nytt-långt-lösen", "ett-nytt-långt-lösn", "repeated"),
        (PASSWORD, PASSWORD, "password"),  # the one-time password itself
    ],
)
async def test_changing_ones_own_password_refuses_bad_input_and_keeps_the_old(
    sqlite_store: RecordStore, new: str, repeated: str, field: str
) -> None:
    await users.add_user(sqlite_store, "anna", "administrator", None, PASSWORD, one_time=True)
    with pytest.raises(ActionError) as caught:
        await users.change_own_password(sqlite_store, "anna", new, repeated)
    assert caught.value.field == field
    account = await users.authenticate(sqlite_store, "anna", PASSWORD, "10.0.0.1")
    assert account.must_change_password


async def test_changing_ones_own_password_ends_the_one_time(sqlite_store: RecordStore) -> None:
    await users.add_user(sqlite_store, "anna", "administrator", None, PASSWORD, one_time=True)
    await users.change_own_password(
        sqlite_store, "anna", "mitt-eget-lösenord", "mitt-eget-lösenord"
    )
    account = await users.authenticate(sqlite_store, "anna", "mitt-eget-lösenord", "10.0.0.1")
    assert not account.must_change_password
    with pytest.raises(users.LoginRefused):
        await users.authenticate(sqlite_store, "anna", PASSWORD, "10.0.0.1")
