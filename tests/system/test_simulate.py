"""`lov simulate` (docs/SIMULATION.md) on the shipped scenarios, through the real CLI process."""

from __future__ import annotations

import json
import subprocess
import sys
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
    assert [line["at"] for line in lines] == sorted(line["at"] for line in lines) or all(
        "at" in line for line in lines
    )
    for line in lines:
        assert {"at", "type", "provider"} <= set(line)
        assert line["at"][-6:] in ("+01:00", "+02:00")
    t1 = [
        (line["at"], line["level"] if line["type"] == "escalation" else line["kind"])
        for line in lines
        if line.get("period") == "2027-T1" and line["type"] in ("email", "escalation")
    ]
    # T1 is due Tuesday 20 April 2027; reminders 30/14/3 days before (Saturday 17 April moves
    # back to Friday 16), then the ladder at +1, +14 and +30 days until the late submission.
    assert t1[:10] == [
        ("2027-03-19T09:00:00+01:00", "reminder"),
        ("2027-04-06T09:00:00+02:00", "reminder"),
        ("2027-04-16T09:00:00+02:00", "reminder"),
        ("2027-04-21T09:00:00+02:00", "overdue"),
        ("2027-04-21T09:00:00+02:00", 1),
        ("2027-05-04T09:00:00+02:00", "pafpekande"),
        ("2027-05-04T09:00:00+02:00", 2),
        ("2027-05-20T09:00:00+02:00", "management"),
        ("2027-05-20T09:00:00+02:00", 3),
        ("2027-06-10T10:00:00+02:00", "receipt"),
    ]
    assert ("2027-06-14T10:00:00+02:00", "completion-request") in t1
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
