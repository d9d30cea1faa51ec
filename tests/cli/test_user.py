"""`lov user add|passwd|disable` against a real SQLite records database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.records.db import upgrade
from models.runtime.settings import get_settings
from services import users
from tests.support.cli_runner import Result, cli_env
from tests.support.db_fixtures import open_store


@pytest.fixture
def records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    asyncio.run(upgrade(url))
    for key, value in cli_env(tmp_path, LOV_DATABASE_URL=url).items():
        if key.startswith("LOV_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def lov_user(*args: str, stdin: str | None = None) -> Result:
    from starter.cli import app

    result = CliRunner().invoke(app, ["user", *args], input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def login(url: str, username: str, password: str) -> users.Account:
    async def check() -> users.Account:
        async with open_store(url) as store:
            return await users.authenticate(store, username, password, "127.0.0.1")

    return asyncio.run(check())


def count(url: str) -> int:
    async def number() -> int:
        async with open_store(url) as store:
            return await store.count_users()

    return asyncio.run(number())


def test_add_prints_a_password_that_logs_in_once_shown(records: str) -> None:
    result = lov_user("add", "Anna", "--role", "auditor", "--name", "Anna Revisor")
    assert result.exit_code == 0, result.stderr
    assert "Konto skapat: anna (revisor, Anna Revisor)" in result.stdout
    password = result.stdout.strip().splitlines()[-1].rsplit(": ", 1)[1]
    assert login(records, "anna", password).role == "auditor"


def test_password_from_stdin_and_passwd_and_disable(records: str) -> None:
    result = lov_user(
        "add", "bo", "--role", "administrator", "--password-stdin", stdin="ett-långt-lösen\n"
    )
    assert result.exit_code == 0, result.stderr
    assert "Lösenord" not in result.stdout  # nothing to show: the user chose it
    assert login(records, "bo", "ett-långt-lösen").username == "bo"
    assert not login(records, "bo", "ett-långt-lösen").must_change_password  # bo chose it
    result = lov_user("passwd", "bo", "--password-stdin", stdin="ett-annat-lösen\n")
    assert result.exit_code == 0, result.stderr
    assert "engångslösenord" in result.stdout
    assert login(records, "bo", "ett-annat-lösen").username == "bo"
    # An administrator's reset: bo must choose a new one at the next login.
    assert login(records, "bo", "ett-annat-lösen").must_change_password
    assert lov_user("disable", "bo").exit_code == 0
    with pytest.raises(users.LoginRefused):
        login(records, "bo", "ett-annat-lösen")


@pytest.mark.parametrize(
    ("args", "stdin", "field"),
    [
        (["add", "anna", "--role", "kung"], None, "role"),
        (["add", "an na", "--role", "auditor"], None, "username"),
        (["add", "anna", "--role", "auditor", "--password-stdin"], "kort\n", "password"),
        (["passwd", "nobody"], None, "username"),
        (["disable", "nobody"], None, "username"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    records: str, args: list[str], stdin: str | None, field: str
) -> None:
    result = lov_user(*args, stdin=stdin)
    assert result.exit_code == 2
    assert result.error_line().startswith(f"fel: {field}: ")
    assert count(records) == 0


def test_add_one_time_makes_the_user_choose_a_password(records: str) -> None:
    result = lov_user("add", "cia", "--role", "manager", "--one-time")
    assert result.exit_code == 0, result.stderr
    password = result.stdout.strip().splitlines()[-1].rsplit(": ", 1)[1]
    assert login(records, "cia", password).must_change_password
    assert lov_user("add", "dan", "--role", "manager").exit_code == 0
