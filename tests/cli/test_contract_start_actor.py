"""`lov contract start` records who started the contract, as every other action does: the
"contract-started" entry of `lov audit` names `--actor`, or the OS user without it (real dev
server, worker and records database)."""

from __future__ import annotations

import getpass
import json

from tests.support.cli_runner import run_lov
from tests.support.contract_cli import Lov
from tests.support.helpers import eventually, random_org_nr


async def started_by(lov: Lov, org: str) -> list[str]:
    result = await run_lov(lov.env, "audit", org, "--records-only", "--json")
    assert result.exit_code == 0, result.stderr
    entries = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    actors = [e["actor"] for e in entries if e.get("type") == "contract-started"]
    assert actors, entries
    return actors


async def test_the_contract_start_names_who_started_it(records_lov: Lov) -> None:
    named, unnamed = random_org_nr(), random_org_nr()
    await records_lov.start(named, "--actor", "Eva Administratör")
    await records_lov.start(unnamed)

    async def recorded() -> None:
        # Before: "system", whoever ran the command.
        assert await started_by(records_lov, named) == ["Eva Administratör"]
        assert await started_by(records_lov, unnamed) == [getpass.getuser()]

    await eventually(recorded, timeout=20)
