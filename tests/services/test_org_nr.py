"""services.org_nr and the application it guards: a provider's identifier must be the kind the
plan's country uses (a CVR-nummer in Denmark, an organisationsnummer in Sweden)."""

from __future__ import annotations

import pytest

from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT, Settings
from services.applications import new_application
from services.errors import ActionError
from services.org_nr import org_nr_for_plan
from tests.support.helpers import random_cvr, random_org_nr

PLANS = PROJECT_ROOT / "plans"
HERNING = load_plan("herning", PLANS)
SUNDSVALL = load_plan("sundsvall", PLANS)


def test_each_plan_takes_its_countrys_identifier() -> None:
    cvr, org = random_cvr(), random_org_nr()
    assert org_nr_for_plan(f"DK{cvr}", HERNING) == cvr
    assert org_nr_for_plan(org.replace("-", ""), SUNDSVALL) == org
    for value, plan, needed in ((cvr, SUNDSVALL, "organisationsnummer"), (org, HERNING, "CVR")):
        with pytest.raises(ActionError) as caught:
            org_nr_for_plan(value, plan)
        assert caught.value.field == "org_nr"
        assert f"kräver ett {needed}" in caught.value.message


@pytest.mark.parametrize(("plan", "ok"), [("herning", True), ("sundsvall", False)])
def test_an_application_with_a_cvr_follows_the_plan(plan: str, ok: bool) -> None:
    settings = Settings(plans_dir=PLANS, default_plan="sundsvall")
    cvr = random_cvr()

    def apply() -> str:
        made = new_application(
            org_nr=cvr,
            name="Pleje og Omsorg ApS",
            email="kontakt@pleje.example",
            service_types=["personlig pleje"],
            areas=["Herning"],
            documents=[],
            requested_start=None,
            plan=plan,
            actor="Anna Admin",
            settings=settings,
        )
        return made.input.provider.org_nr

    if ok:
        assert apply() == cvr
    else:
        with pytest.raises(ActionError, match="org_nr: .* är ett CVR-nummer"):
            apply()
