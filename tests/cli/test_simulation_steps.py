"""A scenario's events are checked as the CLI checks its options, before any server starts
(starter/simulation_steps.py): bad input is one ScenarioError naming the event's key."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from models.plans.scenario import ScenarioError, load_scenario
from models.runtime.settings import PROJECT_ROOT, Settings
from starter.simulation_steps import prepare
from tests.support.strategies import WRITTEN_PERSONNUMMER

BASE = """
plan = "sundsvall"
start = 2031-01-01
until = 2031-05-31

[[providers]]
org_nr = "556036-0793"
name = "Omsorg i Norr AB"
email = "kontakt@omsorg.example"
contract_start = 2030-09-01
"""
PLACEMENT = """
[[events]]
on = 2031-02-04
action = "placement-start"
placement = "p"
customer = "DNR-2031-0042"
area = "Centrum"
service = "omvårdnad"
hours = "22,5"
decision_date = 2031-02-04
start_date = 2031-02-17
"""
MEETING = """
[[events]]
on = 2031-03-10
provider = "556036-0793"
action = "meeting-schedule"
window = "H1"
at = 2031-04-08T10:00:00
place = "Stadshuset"
"""
RECOVERY = """
[[events]]
on = 2031-02-03
provider = "556036-0793"
action = "recovery-start"
case = "r"
lines = ["2031-01;K-1042;12,5;10;385,50"]
"""
APPLICATION = """
[[events]]
on = 2031-03-03
provider = "559123-4561"
action = "application-submit"
name = "Trygg Hemtjänst AB"
email = "ansokan@trygghemtjanst.example"
services = ["omvårdnad"]
areas = ["Centrum"]
"""
FINDING = """
[[events]]
on = 2031-02-10
provider = "556036-0793"
action = "finding-register"
finding = "f"
source = "visit"
requirement = "care-plans"
what = "Genomförandeplaner saknas"
"""


def _finding_event(action: str, keys: str, on: str = "2031-02-20") -> str:
    return f'\n[[events]]\non = {on}\naction = "{action}"\nfinding = "f"\n{keys}\n'


def steps(tmp_path: Path, events: str) -> int:
    path = tmp_path / "s.toml"
    path.write_text(BASE + events, encoding="utf-8")
    scenario, plan, plan_ref = load_scenario(path, PROJECT_ROOT / "plans", "sundsvall")
    zone = ZoneInfo(plan.time_zone)
    return len(prepare(scenario.events, Settings(), plan_ref, zone, str(path)))


def test_the_valid_events_are_prepared_in_time_order(tmp_path: Path) -> None:
    assert steps(tmp_path, RECOVERY + PLACEMENT + MEETING + APPLICATION) == 4
    shipped = PROJECT_ROOT / "scenarios" / "administration.toml"
    scenario, plan, plan_ref = load_scenario(shipped, PROJECT_ROOT / "plans", "sundsvall")
    done = prepare(scenario.events, Settings(), plan_ref, ZoneInfo(plan.time_zone), "x")
    assert [s.at for s in done] == sorted(s.at for s in done)
    assert len(done) == len(scenario.events)
    for name in ("finding-visit.toml", "herning-samarbejdsprocedure.toml"):
        shipped = PROJECT_ROOT / "scenarios" / name
        scenario, plan, plan_ref = load_scenario(shipped, PROJECT_ROOT / "plans", "sundsvall")
        done = prepare(scenario.events, Settings(), plan_ref, ZoneInfo(plan.time_zone), "x")
        assert len(done) == len(scenario.events)


def _change(block: str, old: str, new: str) -> str:
    assert old in block, old
    return block.replace(old, new)


CASES = [
    # the schema: each action's own keys, required and allowed
    (_change(MEETING, 'place = "Stadshuset"', "hours = 3"), "events[0].hours", "not used by"),
    (_change(PLACEMENT, 'customer = "DNR-2031-0042"\n', ""), "events[0].customer", "required"),
    (_change(RECOVERY, 'case = "r"\n', ""), "events[0].case", "required"),
    (
        _change(APPLICATION, 'action = "application-submit"', 'action = "application-decide"'),
        "events[0].areas",
        "not used by",
    ),
    # the CLI's own checks (services/), with the scenario's key
    (_change(PLACEMENT, 'hours = "22,5"', 'hours = "många"'), "events[0].hours", "inte ett tal"),
    (
        _change(PLACEMENT, "start_date = 2031-02-17", "start_date = 2031-02-01"),
        "events[0].start_date",
        "före beslutsdatum",
    ),
    (
        _change(MEETING, "at = 2031-04-08T10:00:00", "at = 2031-04-08T10:00:00+02:00"),
        "events[0].at",
        "lokal tid",
    ),
    (
        _change(MEETING, 'place = "Stadshuset"', 'place = "A"\nlink = "https://m.example/x"'),
        "events[0].place",
        "antingen",
    ),
    (
        _change(MEETING, 'window = "H1"', 'window = "H-1"'),
        "events[0].window",
        "not a window label",
    ),
    (
        _change(RECOVERY, "12,5;10;385,50", "tolv;10;385,50"),
        "events[0].lines 1, kolumn hours_billed",
        "",
    ),
    (
        APPLICATION
        + APPLICATION.replace("application-submit", "application-assess")
        .replace('name = "Trygg Hemtjänst AB"\n', "")
        .replace('email = "ansokan@trygghemtjanst.example"\n', "")
        .replace('services = ["omvårdnad"]\n', 'requirements = ["f-skatt"]\n')
        .replace('areas = ["Centrum"]\n', 'met = true\nnotes = { insurance = "x" }\n'),
        "events[1].notes",
        "insurance",
    ),
    (
        APPLICATION
        + APPLICATION.replace("application-submit", "application-decide")
        .replace('name = "Trygg Hemtjänst AB"\n', "")
        .replace('email = "ansokan@trygghemtjanst.example"\n', "")
        .replace('services = ["omvårdnad"]\n', "approve = true\n")
        .replace('areas = ["Centrum"]\n', ""),
        "events[1].contract_start",
        "krävs",
    ),
    (
        RECOVERY
        + '\n[[events]]\non = 2031-02-12\naction = "recovery-decide"\ncase = "r"\n'
        + 'decision = "adjust"\nreason = "Delvis styrkt"\n',
        "events[1].amount",
        "either amount or lines",
    ),
    (
        RECOVERY
        + '\n[[events]]\non = 2031-02-12\naction = "recovery-settle"\ncase = "r"\n'
        + 'invoice = "F-1"\nset_off = true\n',
        "events[1].invoice",
        "either",
    ),
    (
        PLACEMENT + '\n[[events]]\non = 2031-02-05\naction = "placement-choose"\nplacement = "p"\n',
        "events[1].provider",
        "rotation = true",
    ),
    (
        _change(MEETING, 'action = "meeting-schedule"', 'action = "meeting-minutes"')
        .replace("at = 2031-04-08T10:00:00\n", 'summary = "Genomgång"\n')
        .replace(
            'place = "Stadshuset"',
            'action_items = [{ owner = "provider", due = 2031-05-15, text = "" }]',
        ),
        "events[0].action_items[0]",
        "text",
    ),
    # names: given once by the start, before they are used
    (
        # the name's use comes first in time, though not in the file
        RECOVERY + '\n[[events]]\non = 2031-02-01\naction = "recovery-paid"\ncase = "r"\n',
        "events[1].case",
        "not started by an earlier",
    ),
    (PLACEMENT + _change(PLACEMENT, "2031-02-04\n", "2031-02-05\n"), "events[1].placement", ""),
    # findings (`lov finding …`): the schema, the service's checks, the plan's requirements
    (_change(FINDING, 'what = "Genomförandeplaner saknas"\n', ""), "events[0].what", "required"),
    (_change(FINDING, 'source = "visit"', 'source = "besök"'), "events[0].source", "one of"),
    (
        _change(FINDING, 'requirement = "care-plans"', 'requirement = "omsorg"'),
        "events[0].requirement",
        "not a requirement of the plan sundsvall",
    ),
    (
        FINDING + _finding_event("finding-decide", 'sanction = "böter"\nreason = "x"'),
        "events[1].sanction",
        "one of",
    ),
    (
        FINDING
        + _finding_event("finding-decide", 'sanction = "vite"\namount = "tio"\nreason = "x"'),
        "events[1].amount",
        "inte ett tal",
    ),
    (
        FINDING
        + _finding_event("finding-decide", 'sanction = "påpekande"\namount = 100\nreason = "x"'),
        "events[1].amount",
        "has no amount",
    ),
    (
        FINDING + _finding_event("finding-decide", 'sanction = "vite"\nreason = "  "'),
        "events[1].reason",
        "required",
    ),
    (FINDING + _finding_event("finding-verify", "remedied = false"), "events[1].note", "required"),
    (
        FINDING + _finding_event("finding-close", 'reason = "x"', on="2031-02-09"),
        "events[1].finding",
        "not registered by an earlier",
    ),
]


@pytest.mark.parametrize(("events", "key", "says"), CASES)
def test_bad_input_names_the_events_key(tmp_path: Path, events: str, key: str, says: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        steps(tmp_path, events)
    assert caught.value.key == key, str(caught.value)
    assert says in caught.value.message
    assert "\n" not in str(caught.value)


def test_a_personnummer_as_customer_is_refused_and_not_repeated(tmp_path: Path) -> None:
    person = WRITTEN_PERSONNUMMER[0]
    with pytest.raises(ScenarioError) as caught:
        steps(tmp_path, _change(PLACEMENT, "DNR-2031-0042", person))
    assert caught.value.key == "events[0].customer"
    assert person not in str(caught.value)
