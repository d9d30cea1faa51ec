"""Municipal duties in a plan (issue 19): roles with managers, duties owned by a role, their
dates; a duty owned by a role the plan does not define is refused naming the key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from models.domain.municipal_calendar import municipal_tasks
from models.messages.municipal import ActiveProvider
from models.plans.loader import PlanError, load_plan
from models.runtime.settings import PROJECT_ROOT

PLANS = PROJECT_ROOT / "plans"
# Appended to a copy of the Nordanstig plan: one duty and its owner.
DUTY = """
[municipal.roles.visitation]
title = "Visitationen"
email = "visitation@nordanstig.example"
manager = "{manager}"

[[municipal.duties]]
key = "policy"
title = "Policyn godkänns"
owner = "{owner}"
scope = "municipality"

[municipal.duties.schedule]
kind = "annual"
due = {{ month = 12, day = 15 }}
{extra}
"""


def _plan(tmp_path: Path, owner: str, manager: str = "management", extra: str = "") -> Path:
    text = (PLANS / "nordanstig.toml").read_text(encoding="utf-8")
    path = tmp_path / "plan.toml"
    path.write_text(text + DUTY.format(owner=owner, manager=manager, extra=extra), encoding="utf-8")
    return path


def test_shipped_plans_define_the_seeds_municipal_duties() -> None:
    nordanstig = load_plan("nordanstig", PLANS)
    assert {d.key: d.scope for d in nordanstig.municipal.duties} == {
        "tillsynsbesok": "provider",
        "kundundersokning": "municipality",
    }
    assert nordanstig.municipal.roles["kvalitetsuppfoljare"].manager == "management"
    # The provider stand-ins are gone from the schedule, kept for running contracts' titles.
    assert [o.key for o in nordanstig.obligations] == ["meeting-brief"]
    assert nordanstig.obligation("self-inspection").title == "Egenkontroll inför tillsynsbesök"
    herning = load_plan("herning", PLANS)
    assert "aggregated-report-response" not in [o.key for o in herning.obligations]
    assert {d.key for d in herning.municipal.duties} == {
        "samlet-opgorelse",
        "visitation-quality",
        "borgertilfredshed",
        "policy-approval",
    }
    assert herning.municipal.duty("policy-approval").owner == "committee"


def test_a_duty_owned_by_an_undefined_role_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(str(_plan(tmp_path, owner="kommunfullmaktige")), PLANS)
    assert caught.value.key == "municipal.duties[2].owner"
    assert "'kommunfullmaktige' of duty policy is not a role" in caught.value.message


def test_a_manager_the_plan_does_not_define_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(str(_plan(tmp_path, owner="visitation", manager="nobody")), PLANS)
    assert caught.value.key == "municipal.roles.visitation.manager"


def test_a_municipal_duty_every_third_year_needs_an_anchor(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(str(_plan(tmp_path, owner="visitation", extra="every_years = 3")), PLANS)
    assert "anchor" in str(caught.value)


def test_tasks_of_a_year_per_provider_and_for_the_municipality() -> None:
    plan = load_plan("herning", PLANS)
    old = ActiveProvider(
        org_nr="12345674", name="Hjem A/S", part="12345674", contract_start=date(2030, 1, 1)
    )
    new = ActiveProvider(
        org_nr="12345682", name="Ny A/S", part="12345682", contract_start=date(2032, 5, 1)
    )
    tasks = {t.task_id: t for t in municipal_tasks(plan, 2032, [old, new])}
    # The samlet opgørelse is due 31 March: only the provider under contract by then.
    assert sorted(tasks) == [
        "borgertilfredshed-2032",
        "policy-approval-2032",
        "samlet-opgorelse-2032-12345674",
        "visitation-quality-2032",
    ]
    # 31 October 2032 is a Sunday: the next business day.
    assert tasks["borgertilfredshed-2032"].due == date(2032, 11, 1)
    assert "borgertilfredshed-2033" not in {t.task_id for t in municipal_tasks(plan, 2033, [])}
    reminders = tasks["policy-approval-2032"].reminders
    assert len(reminders) == 3 and tasks["policy-approval-2032"].escalate_at > reminders[-1]
