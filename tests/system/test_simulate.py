"""`lov simulate` (docs/SIMULATION.md) on the shipped scenarios, through the real CLI process."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).parents[2]


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "starter", "simulate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_late_provider_shows_the_full_ladder_in_time_order() -> None:
    done = simulate("scenarios/late-provider.toml", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    instants = [datetime.fromisoformat(line["at"]) for line in lines]
    assert instants == sorted(instants)
    for line in lines:
        assert {"at", "type", "provider"} <= set(line)
        assert line["at"][-6:] in ("+01:00", "+02:00")
    t1 = [
        (line["at"], line["level"] if line["type"] == "escalation" else line["kind"])
        for line in lines
        if line.get("period") == "2031-T1" and line["type"] in ("email", "escalation")
    ]
    # T1 is due 20 April 2031, a Sunday: the deadline moves to Monday 21 April (Easter Monday
    # was the 14th). Reminders 30/14/3 days before the moved date: Saturday 22 March moves back
    # to Friday 21 March, then Monday 7 April and Friday 18 April; the ladder follows at +1
    # (Tuesday 22 April), +14 (Monday 5 May) and +30 days (Wednesday 21 May) until the late
    # submission on Tuesday 10 June.
    assert t1[:10] == [
        ("2031-03-21T09:00:00+01:00", "reminder"),
        ("2031-04-07T09:00:00+02:00", "reminder"),
        ("2031-04-18T09:00:00+02:00", "reminder"),
        ("2031-04-22T09:00:00+02:00", "overdue"),
        ("2031-04-22T09:00:00+02:00", 1),
        ("2031-05-05T09:00:00+02:00", "pafpekande"),
        ("2031-05-05T09:00:00+02:00", 2),
        ("2031-05-21T09:00:00+02:00", "management"),
        ("2031-05-21T09:00:00+02:00", 3),
        ("2031-06-10T10:00:00+02:00", "receipt"),
    ]
    assert ("2031-06-16T10:00:00+02:00", "completion-request") in t1
    # The completion's new due date, Saturday 28 June, moves to Monday 30 June: the provider is
    # reminded on Friday 27 June and the ladder starts again on Tuesday 1 July.
    assert ("2031-06-27T09:00:00+02:00", "reminder") in t1
    assert ("2031-07-01T09:00:00+02:00", "overdue") in t1
    overdue = [line for line in lines if line["type"] == "email" and line["kind"] == "overdue"]
    assert all(
        line["to"] == ["info@senomsorg.example", "lov-admin@sundsvall.example"] for line in overdue
    )


def test_model_provider_is_never_escalated() -> None:
    done = simulate("scenarios/model-provider.toml", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = {line.get("kind") for line in lines if line["type"] == "email"}
    assert {"reminder", "receipt", "accepted", "waived"} <= kinds
    assert not [line for line in lines if line["type"] in ("escalation", "error")]


def test_broken_scenario_is_refused_with_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (ROOT / "scenarios" / "late-provider.toml")
        .read_text()
        .replace("556677-8899", "556677-8898")
    )
    done = simulate(str(bad))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "providers[0].org_nr" in done.stderr and "check digit" in done.stderr


def test_start_in_the_past_is_refused_with_what_to_do(tmp_path: Path) -> None:
    past = tmp_path / "past.toml"
    past.write_text(
        (ROOT / "scenarios" / "late-provider.toml")
        .read_text()
        .replace("2031", "2020")
        .replace("2030", "2019")
    )
    done = simulate(str(past))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert f"{past}: start: 2020-01-01 ligger före dagens datum" in line
    assert "ange start = " in line
