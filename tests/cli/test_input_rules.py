"""The input rules at the command line (issue 15, points 3, 5, 6, 8, 11), before connecting.

The setup has the real plans and a migrated records database, but no Temporal server. So a
valid command gets past every input check and stops at connecting (exit 1, "cannot connect"),
which each test shows first; a value the rules refuse exits 2 with one line naming the field,
and the records database is byte for byte as it was. (With a server, the same refusals are
shown in tests/cli/test_contract.py and tests/cli/test_meeting.py.)
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from models.records.db import upgrade
from models.runtime.settings import PROJECT_ROOT
from tests.support.cli_args import placement_start_args
from tests.support.cli_runner import Result, cli_env, run_lov
from tests.support.helpers import free_port
from tests.support.strategies import WRITTEN_PERSONNUMMER


class Lov:
    def __init__(self, tmp_path: Path) -> None:
        self.records = tmp_path / "records.db"
        asyncio.run(upgrade(f"sqlite+aiosqlite:///{self.records}"))
        self.env = cli_env(
            tmp_path,
            LOV_TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}",  # nothing listens there
            LOV_DATABASE_URL=f"sqlite+aiosqlite:///{self.records}",
            LOV_PLANS_DIR=str(PROJECT_ROOT / "plans"),
        )

    def digest(self) -> str:
        return hashlib.sha256(self.records.read_bytes()).hexdigest()

    async def run(self, *args: str) -> Result:
        return await run_lov(self.env, *args)

    async def accepted(self, *args: str) -> None:
        """Past every input check: the command got as far as connecting."""
        result = await self.run(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert result.error_line().startswith("fel: Kan inte ansluta till Temporal"), result.stderr

    async def refused(self, *args: str) -> str:
        before = self.digest()
        result = await self.run(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert not result.stdout
        assert self.digest() == before
        return result.error_line()


@pytest.fixture
def lov(tmp_path: Path) -> Lov:
    return Lov(tmp_path)


async def test_placement_customer_ref_that_is_a_personnummer(lov: Lov) -> None:
    await lov.accepted(*placement_start_args())
    for ref in WRITTEN_PERSONNUMMER:
        line = await lov.refused(*placement_start_args(ref))
        assert line.startswith("fel: --customer: looks like a personnummer"), (ref, line)
        assert ref not in line  # never echoed into a log


async def test_recovery_customer_ref_that_is_a_personnummer(lov: Lov) -> None:
    await lov.accepted("recovery", "start", "--line=2031-03,K-1042,10,8,385", "556036-0793")
    for ref in WRITTEN_PERSONNUMMER:
        line = await lov.refused(
            "recovery", "start", f"--line=2031-03,{ref},10,8,385", "556036-0793"
        )
        assert "customer_ref: ser ut som ett personnummer" in line, (ref, line)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"--actor": "A" * 101}, "--actor: högst 100 tecken"),
        ({"--actor": "Anna\x1b[2J"}, "--actor: får inte innehålla"),
        ({"--area": "C" * 101}, "area: högst 100 tecken"),
        ({"--service": "omvårdnad\r\nx"}, "service_type: får inte innehålla"),
        ({"--decision-date": "0001-01-01"}, "--decision-date: måste ligga mellan"),
        ({"--start": "9999-12-31"}, "--start: måste ligga mellan"),
    ],
)
async def test_placement_texts_and_dates(lov: Lov, options: dict[str, str], field: str) -> None:
    await lov.accepted(*placement_start_args())
    line = await lov.refused(*placement_start_args(**options))
    assert line.startswith(f"fel: {field}"), line


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--start=9999-12-31", "--", "556036-0793"], "--start: måste ligga mellan"),
        (["--start=0001-01-01", "--", "556036-0793"], "--start: måste ligga mellan"),
        (["--start=2031-03-01", "--", "５５６０３６-０７９３"], "org_nr:"),
        (["--start=2031-03-01", "--", "556036-0793"], None),
    ],
)
async def test_contract_start(lov: Lov, args: list[str], field: str | None) -> None:
    command = ["contract", "start", "--name=Omsorg AB", "--email=a@b.se", *args]
    if field is None:
        await lov.accepted(*command)
    else:
        assert (await lov.refused(*command)).startswith(f"fel: {field}")


async def test_application_submit(lov: Lov) -> None:
    base = ["application", "submit", "--name=Omsorg AB", "--email=a@b.se", "--service=omvårdnad"]
    await lov.accepted(*base, "--area=Centrum", "556036-0793")
    line = await lov.refused(*base, "--area=Centrum", "--area=" + "x" * 101, "556036-0793")
    assert line.startswith("fel: areas[1]: högst 100 tecken"), line
    line = await lov.refused(*base, "--area=Centrum", "--requested-start=9999-12-31", "556036-0793")
    assert line.startswith("fel: --requested-start: måste ligga mellan"), line
    line = await lov.refused(*base, "--area=Centrum", "--actor=" + "a" * 150, "556036-0793")
    assert line.startswith("fel: --actor: högst 100 tecken"), line
