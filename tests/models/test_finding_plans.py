"""The plan's `[findings]` section (models/plans/findings.py): the shipped plans' requirements
and sanction ladders, and a broken section refused with the file, the key and what is wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from models.domain.sanctions import amount_problem
from models.plans.loader import PlanError, load_plan
from models.runtime.settings import PROJECT_ROOT
from tests.support.finding_cli import FINDINGS_TOML
from tests.support.plans import plan_toml

PLANS = PROJECT_ROOT / "plans"
# The test plan's one skallkrav, so a requirement can cite it.
SKALLKRAV = """
[[skallkrav]]
key = "care-plans"
title = "Genomförandeplan inom två veckor"
"""


def _plan(tmp_path: Path, findings: str) -> Path:
    path = tmp_path / "testplan.toml"
    path.write_text(plan_toml("testplan", date(2031, 6, 1)) + SKALLKRAV + findings, "utf-8")
    return path


@pytest.mark.parametrize("plan_id", ["sundsvall", "nordanstig", "herning"])
def test_shipped_plans_have_findings(plan_id: str) -> None:
    plan = load_plan(plan_id, PLANS)
    findings = plan.findings
    assert findings is not None
    skallkrav = {k.key for k in plan.skallkrav}
    cited = [r.key for r in findings.requirements if r.kind == "skallkrav"]
    assert cited and set(cited) <= skallkrav
    assert {r.kind for r in findings.requirements} == {"skallkrav", "avtal", "lag"}
    kinds = [s.kind for s in findings.sanctions]
    assert kinds[0] == "pafpekande" and kinds[-1] == "havning"
    assert all(s.amount and s.amount > 0 for s in findings.sanctions if s.kind == "vite")
    assert findings.action_plan_min_days <= findings.action_plan_max_days


@pytest.mark.parametrize(
    ("plan_id", "invoiced"),
    [("sundsvall", ["vite"]), ("nordanstig", ["vite"]), ("herning", ["vite"])],
)
def test_shipped_plans_invoice_their_vite(plan_id: str, invoiced: list[str]) -> None:
    findings = load_plan(plan_id, PLANS).findings
    assert findings is not None
    assert [s.kind for s in findings.sanctions if s.collect == "invoice"] == invoiced


def test_herning_calls_it_samarbejdsprocedure() -> None:
    findings = load_plan("herning", PLANS).findings
    assert findings is not None and findings.procedure == "Samarbejdsprocedure"
    assert [s.title for s in findings.sanctions] == [
        "Påtale",
        "Bod",
        "Indstilling om ophævelse af kontrakten",
    ]


def test_a_skallkrav_requirement_may_cite_the_plans_skallkrav(tmp_path: Path) -> None:
    text = FINDINGS_TOML.replace('kind = "avtal"', 'kind = "skallkrav"')
    _plan(tmp_path, text)
    findings = load_plan("testplan", tmp_path).findings
    assert findings is not None and findings.requirement("care-plans") is not None


BROKEN = [
    (
        "unknown-skallkrav",
        ('key = "care-plans"\nkind = "avtal"', 'key = "ivo"\nkind = "skallkrav"'),
        "findings.requirements[0].key",
        "no skallkrav 'ivo' in the plan",
    ),
    (
        "avtal-without-title",
        ('title = "Insatser av god kvalitet"\n', ""),
        "findings.requirements[1].title",
        "must not be empty",
    ),
    (
        "ladder-out-of-order",
        ('kind = "pafpekande"', 'kind = "havning"'),
        "findings",
        "the ladder goes påpekande",
    ),
    (
        "ladder-without-pafpekande",
        ('kind = "pafpekande"\ntitle = "Påpekande"\n', 'kind = "prisavdrag"\ntitle = "Avdrag"\n'),
        "findings",
        "starts with a pafpekande",
    ),
    (
        "negative-vite",
        ("amount = 5000", "amount = -100"),
        "findings.sanctions[1].amount",
        "must be a positive sum in kronor",
    ),
    (
        "vite-in-ore-fractions",
        ("amount = 5000", "amount = 12.345"),
        "findings.sanctions[1].amount",
        "at most two decimals",
    ),
    (
        "amount-on-pafpekande",
        ('title = "Påpekande"\n', 'title = "Påpekande"\namount = 100\n'),
        "findings.sanctions[0].amount",
        "only a prisavdrag or vite has an amount",
    ),
    (
        "action-plan-limits",
        ("action_plan_min_days = 14", "action_plan_min_days = 90"),
        "findings.action_plan_max_days",
        "must not be less than action_plan_min_days",
    ),
    (
        "unknown-decider",
        ("reminder_days = [7]", 'reminder_days = [7]\ndecider_role = "kommunstyrelsen"'),
        "findings.decider_role",
        "unknown role 'kommunstyrelsen'",
    ),
    (
        "collect-on-pafpekande",
        ('title = "Påpekande"\n', 'title = "Påpekande"\ncollect = "invoice"\n'),
        "findings.sanctions[0]",
        "only a prisavdrag or vite is collected",
    ),
    (
        # An återkrav is hours billed but not approved, with its own kommunicering.
        "collect-by-recovery",
        ("amount = 5000", 'amount = 5000\ncollect = "recovery"'),
        "findings.sanctions[1].collect",
        "invoice",
    ),
    (
        "unknown-notify",
        ('title = "Vite"\n', 'title = "Vite"\nnotify = ["chef"]\n'),
        "findings.sanctions[1].notify",
        "unknown role 'chef'",
    ),
]


@pytest.mark.parametrize(
    ("swap", "key", "words"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_a_broken_findings_section_is_refused(
    tmp_path: Path, swap: tuple[str, str], key: str, words: str
) -> None:
    old, new = swap
    assert old in FINDINGS_TOML, old
    path = _plan(tmp_path, FINDINGS_TOML.replace(old, new, 1))
    with pytest.raises(PlanError) as caught:
        load_plan("testplan", tmp_path)
    err = caught.value
    assert err.file == str(path)
    assert err.key.startswith(key), err
    assert words in err.message, err


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        ("5000", None),
        ("0.01", None),
        ("0", "must be a positive sum in kronor"),
        ("-1", "must be a positive sum in kronor"),
        ("1.005", "at most two decimals (kronor and öre)"),
        ("NaN", "must be a number"),
        ("1E+9", "unreasonably large"),
    ],
)
def test_an_amount_is_a_positive_sum_in_kronor(amount: str, problem: str | None) -> None:
    assert amount_problem(Decimal(amount)) == problem
