"""Who acts in a scenario (models/plans/scenario.py): a named administrator starts the
contracts and performs every event that names no one, never the anonymous "system"."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.plans.scenario import DEFAULT_ACTOR, ScenarioError, load_scenario
from models.runtime.settings import PROJECT_ROOT

BASE = """
plan = "sundsvall"
start = 2031-01-01
until = 2031-05-31
{actor}
[[providers]]
org_nr = "556036-0793"
name = "Omsorg i Norr AB"
email = "kontakt@omsorg.example"
contract_start = 2030-09-01

[[events]]
on = 2031-02-03
provider = "556036-0793"
action = "waive"
obligation = "self-inspection"
period = "2031-T1"
reason = "Nystartad"

[[events]]
on = 2031-02-04
provider = "556036-0793"
action = "waive"
obligation = "self-inspection"
period = "2031-T2"
reason = "Nystartad"
actor = "eva.admin"
"""


def _load(tmp_path: Path, actor: str) -> tuple[str, list[str]]:
    path = tmp_path / "s.toml"
    path.write_text(BASE.format(actor=actor), encoding="utf-8")
    scenario, _, _ = load_scenario(path, PROJECT_ROOT / "plans", "sundsvall")
    return scenario.actor, [e.actor for e in scenario.events]


def test_the_scenario_names_its_administrator_by_default(tmp_path: Path) -> None:
    assert DEFAULT_ACTOR == "LOV-handläggare (simulering)"
    assert _load(tmp_path, "") == (DEFAULT_ACTOR, [DEFAULT_ACTOR, "eva.admin"])


def test_events_without_an_actor_act_as_the_scenarios_actor(tmp_path: Path) -> None:
    assert _load(tmp_path, 'actor = "anna.admin"') == ("anna.admin", ["anna.admin", "eva.admin"])


def test_a_bad_scenario_actor_is_refused_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        _load(tmp_path, 'actor = "   "')
    assert err.value.key == "actor"
