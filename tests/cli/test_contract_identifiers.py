"""`lov contract start` with a Danish provider: the identifier follows the plan's country (a
CVR-nummer under a Danish plan, an organisationsnummer under a Swedish one), against the dev
server with a real worker and records database."""

from __future__ import annotations

import pytest

from models.runtime.settings import get_settings
from services import contracts
from services.errors import ActionError
from tests.support.cli_runner import run_lov
from tests.support.contract_cli import Lov
from tests.support.helpers import eventually, random_cvr, random_org_nr
from tests.support.plans import PROVIDER_EMAIL, plan_toml

DANISH_PLAN = "testkommune-dk"


@pytest.fixture
def danish(lov: Lov, monkeypatch: pytest.MonkeyPatch) -> Lov:
    """`lov` with a Danish variant of the test plan beside the Swedish one, and the CLI reading
    the worker's records database."""
    plans_dir = lov.tmp / "plans"
    text = plan_toml(DANISH_PLAN, lov.due, country="DK")
    (plans_dir / f"{DANISH_PLAN}.toml").write_text(text, encoding="utf-8")
    url = f"sqlite+aiosqlite:///{lov.tmp / 'records.db'}"
    lov.env["LOV_DATABASE_URL"] = url
    monkeypatch.setenv("LOV_DATABASE_URL", url)
    get_settings.cache_clear()
    return lov


def start_args(lov: Lov, org_nr: str, plan: str | None = None) -> list[str]:
    args = ["start", org_nr, "--name", "Pleje og Omsorg ApS", "--email", PROVIDER_EMAIL]
    args += ["--start", lov.contract_start.isoformat()]
    return [*args, "--plan", plan] if plan else args


async def test_a_danish_contract_starts_with_a_cvr_number(danish: Lov) -> None:
    cvr = random_cvr()
    written = f"DK {cvr[:2]} {cvr[2:4]} {cvr[4:6]} {cvr[6:]}"
    started = await danish.cli(*start_args(danish, written, DANISH_PLAN))
    assert started.exit_code == 0, started.stderr
    # The CVR's eight digits in the place of an org nr's ten: contract-<digits>.
    assert started.stdout.startswith(f"Avtal startat (started): contract-{cvr} ")

    async def opened() -> None:
        status = await danish.contract(cvr)
        assert status.provider.org_nr == cvr
        assert {k for k, s in status.obligations.items() if s.open} == {
            "annual-report",
            "annual-accounts",
        }

    await eventually(opened, timeout=20)

    # The records database keeps the provider too (its shape check admits a CVR).
    async def recorded() -> None:
        shown = await run_lov(danish.env, "provider", "show", cvr)
        assert shown.exit_code == 0, shown.stderr
        assert cvr in shown.stdout

    await eventually(recorded, timeout=20)


@pytest.mark.parametrize("plan", [None, DANISH_PLAN], ids=["swedish-plan", "danish-plan"])
async def test_the_other_countrys_identifier_is_refused(danish: Lov, plan: str | None) -> None:
    # A valid CVR under the Swedish plan; a valid organisationsnummer under the Danish one.
    org_nr, needed = (
        (random_cvr(), "organisationsnummer")
        if plan is None
        else (
            random_org_nr(),
            "CVR-nummer",
        )
    )
    result = await danish.cli(*start_args(danish, org_nr, plan))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    line = result.error_line()
    assert line.startswith(f"fel: org_nr: {org_nr} är ett "), line
    assert f"kräver ett {needed}" in line, line
    assert not result.stdout
    with pytest.raises(ActionError, match="org_nr"):
        await contracts.contract_status(danish.client, org_nr)


async def test_a_cvr_with_a_wrong_check_digit_is_refused(danish: Lov) -> None:
    cvr = random_cvr()
    wrong = cvr[:7] + str((int(cvr[7]) + 1) % 10)
    result = await danish.cli(*start_args(danish, wrong, DANISH_PLAN))
    assert result.exit_code == 2
    assert result.error_line().startswith(f"fel: org_nr: '{wrong}' has a wrong check digit")
    with pytest.raises(ActionError, match="org_nr"):
        await contracts.contract_status(danish.client, wrong)
