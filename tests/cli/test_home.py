"""`lov` finds its settings and records database the same way wherever it is started: under
LOV_HOME (lov.toml and var/), or where the settings file points; never in the working directory.
A command that reads records and finds no database says which setting to fix (exit 2), and
leaves no empty database behind."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from models.records.db import make_engine, make_session_factory, upgrade
from models.records.mail_incidents import MailIncidentStore
from models.runtime.settings import PROJECT_ROOT


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOV_")}
    # This checkout's code, wherever the process starts (the venv may belong to another one).
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env | values


def _lov(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "starter", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _database_with_a_failure(path: Path, kind: str) -> None:
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    engine = make_engine(url)
    try:
        await MailIncidentStore(make_session_factory(engine)).record_failure(
            f"key-{kind}",
            message_id=None,
            kind=kind,
            org_nr=None,
            workflow_id=None,
            refused=["x@example.invalid"],
            error="550 no such user",
            at=datetime(2027, 3, 1, 9, tzinfo=UTC),
        )
    finally:
        await engine.dispose()


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


def test_lov_home_names_the_database_wherever_lov_is_started(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    asyncio.run(_database_with_a_failure(home / "var" / "lovflow.db", "in-home"))
    # A database where `lov` is started: the old, per-directory lookup would have used it.
    asyncio.run(_database_with_a_failure(elsewhere / "var" / "lovflow.db", "in-cwd"))

    result = _lov(elsewhere, _env(LOV_HOME=str(home)), "mail", "failures", "--json")

    assert result.returncode == 0, result.stderr
    assert [f["kind"] for f in json.loads(result.stdout)] == ["in-home"]


def test_the_settings_file_under_lov_home_is_read_and_its_var_dir_is_under_home(
    tmp_path: Path,
) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    asyncio.run(_database_with_a_failure(home / "state" / "lovflow.db", "from-toml"))
    (home / "lov.toml").write_text('var_dir = "state"\n')

    result = _lov(elsewhere, _env(LOV_HOME=str(home)), "mail", "failures", "--json")

    assert result.returncode == 0, result.stderr
    assert [f["kind"] for f in json.loads(result.stdout)] == ["from-toml"]
    assert _files(elsewhere) == []


def test_a_missing_database_is_one_line_naming_lov_home_and_nothing_is_created(
    tmp_path: Path,
) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    env = _env(LOV_HOME=str(home))

    for args in (
        ("mail", "failures"),
        ("report", "compliance", "--year", "2027"),
        ("recovery", "totals"),
        ("audit", "556036-0793", "--records-only"),
        ("application", "list"),
        ("meeting", "list"),
        ("due",),
        ("provider", "list"),
    ):
        result = _lov(elsewhere, env, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert lines[0].startswith("fel: LOV_HOME: "), (args, lines)
        assert str(home / "var" / "lovflow.db") in lines[0]
        assert result.stdout == ""
    assert _files(elsewhere) == [] and _files(home) == []


def test_without_lov_home_the_settings_file_decides_and_the_working_directory_does_not(
    tmp_path: Path,
) -> None:
    config_dir, elsewhere = tmp_path / "etc", tmp_path / "elsewhere"
    config_dir.mkdir()
    elsewhere.mkdir()
    # A database in the working directory is not the one configured.
    asyncio.run(_database_with_a_failure(elsewhere / "var" / "lovflow.db", "in-cwd"))
    (elsewhere / "lov.toml").write_text(f'var_dir = "{elsewhere / "var"}"\n')
    before = _files(elsewhere)
    missing = tmp_path / "srv" / "lovflow"
    config = config_dir / "lov.toml"
    config.write_text(f'var_dir = "{missing}"\n')

    result = _lov(elsewhere, _env(LOV_CONFIG=str(config)), "mail", "failures", "--json")

    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip().splitlines() == [
        f"fel: LOV_VAR_DIR: ingen databas {missing / 'lovflow.db'} (records database not "
        "found); starta `lov serve` eller kör `lov db upgrade` där, eller sätt LOV_HOME eller "
        "LOV_DATABASE_URL"
    ]
    assert not missing.exists() and _files(elsewhere) == before


def test_db_upgrade_still_creates_the_database_under_lov_home(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _env(LOV_HOME=str(home))

    created = _lov(elsewhere, env, "db", "upgrade")

    assert created.returncode == 0, created.stderr
    assert (home / "var" / "lovflow.db").is_file() and _files(elsewhere) == []
    listed = _lov(elsewhere, env, "mail", "failures", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
