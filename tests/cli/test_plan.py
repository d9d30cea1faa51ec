"""`lov plan show | validate | list` through the Typer app (docs/CLI.md, "lov plan")."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT
from starter.plan import app

PLANS_DIR = PROJECT_ROOT / "plans"
runner = CliRunner()

# Sundsvall 2027 for a contract running since before the year (the default contract start).
SUNDSVALL_2027 = [
    ("self-inspection", "2027-T1", "2027-04-20", "lov-admin"),
    ("annual-accounts", "2027", "2027-08-02", "economist"),
    ("self-inspection", "2027-T2", "2027-08-20", "lov-admin"),
    ("kkik-continuity", "2027", "2027-11-01", "lov-admin"),
    ("self-inspection", "2027-T3", "2027-11-22", "lov-admin"),
    ("annual-report", "2027", "2027-11-30", "lov-admin"),
]


def show_json(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["show", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def key_rows(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(r["obligation"], r["period"], r["due"], r["recipient"]) for r in rows]


@pytest.mark.parametrize("plan_id", ["sundsvall", "nordanstig", "herning"])
@pytest.mark.parametrize("year", [2027, 2028, 2029])
def test_json_rows_follow_the_contract(plan_id: str, year: int) -> None:
    plan = load_plan(plan_id, PLANS_DIR)
    rows = show_json(plan_id, "--year", str(year))
    assert rows
    for row in rows:
        assert row["obligation"] in {ob.key for ob in plan.obligations}
        assert row["period"] == str(year) or row["period"].startswith(f"{year}-")
        due, nominal = date.fromisoformat(row["due"]), date.fromisoformat(row["nominal_due"])
        assert row["adjusted"] is (due != nominal)
        assert (row["adjusted_reason"] is not None) is row["adjusted"]
        assert len(row["skipped_days"]) == (due - nominal).days
        assert row["recipient"] in plan.roles
        assert row["recipient_email"] == plan.role_email(row["recipient"])
        assert row["title"] == plan.obligation(row["obligation"]).title
        reminders = [datetime.fromisoformat(r) for r in row["reminders"]]
        assert reminders and all(r.tzinfo is not None for r in reminders)
        deadline = datetime.fromisoformat(row["deadline"])
        assert (deadline.date(), deadline.time()) == (due + timedelta(days=1), time(0, 0))
        assert all(r < deadline for r in reminders)
        assert [e["level"] for e in row["escalations"]] == list(range(1, len(plan.escalation) + 1))
    assert [r["due"] for r in rows] == sorted(r["due"] for r in rows)


def test_sundsvall_2027_rows() -> None:
    rows = show_json("sundsvall", "--year", "2027")
    assert key_rows(rows) == SUNDSVALL_2027
    accounts = rows[1]
    assert accounts["nominal_due"] == "2027-07-31"
    assert accounts["adjusted_reason"] == "lördag, söndag"
    assert accounts["recipient_email"] == "forvaltningsekonom@sundsvall.example"
    assert accounts["deadline"] == "2027-08-03T00:00:00+02:00"
    assert rows[0]["reminders"] == [
        "2027-03-19T09:00:00+01:00",
        "2027-04-06T09:00:00+02:00",
        "2027-04-16T09:00:00+02:00",
    ]


def test_default_plan_is_the_configured_one() -> None:
    assert key_rows(show_json("--year", "2027")) == SUNDSVALL_2027


def test_plan_by_path() -> None:
    by_path = show_json(str(PLANS_DIR / "sundsvall.toml"), "--year", "2027")
    assert key_rows(by_path) == SUNDSVALL_2027


def test_contract_start_brings_the_triennial_documents() -> None:
    rows = show_json("sundsvall", "--year", "2027", "--contract-start", "2024-05-01")
    assert ("governance-documents", "2027", "2027-11-30", "lov-admin") in key_rows(rows)
    late = show_json("sundsvall", "--year", "2027", "--contract-start", "2027-10-01")
    assert key_rows(late) == [("annual-report", "2027", "2027-11-30", "lov-admin")]


def test_table_shows_the_rows_and_adjustments() -> None:
    result = runner.invoke(app, ["show", "sundsvall", "--year", "2027"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Förfallodag"))
    for word in ("Period", "Skyldighet", "Rubrik", "Mottagare", "Anmärkning"):
        assert word in header
    for obligation, period, due, recipient in SUNDSVALL_2027:
        row = next(line for line in lines if line.startswith(f"{due}  ") and obligation in line)
        # Aligned: each column starts where its header does.
        assert row[header.index("Period") :].split()[0] == period
        assert row[header.index("Skyldighet") :].split()[0] == obligation
        assert row[header.index("Mottagare") :].split()[0] == recipient
    assert any("flyttad från 2027-07-31 (lördag, söndag)" in line for line in lines)
    assert any("flyttad från 2027-10-31 (söndag)" in line for line in lines)
    assert "governance-documents: vart 3:e år räknat från avtalsstart; nästa gång 2029" in (
        result.stdout
    )
    assert "Uppföljningsmöten: 2 per år" in result.stdout


def test_danish_plan_keeps_first_of_may_open(tmp_path: Path) -> None:
    """Issue 16, point 1: 1 May is no helligdag, so Sunday 30 April 2028 moves to Monday 1 May
    (it used to move to 2 May); the skipped Sunday is named in Danish. The duty due 30 April
    was retired from the Herning plan (issue 19), so a copy schedules it again."""
    text = (PROJECT_ROOT / "plans" / "herning.toml").read_text(encoding="utf-8")
    copy = tmp_path / "herning.toml"
    copy.write_text(text.replace("retired_obligations", "obligations"), encoding="utf-8")
    rows = show_json(str(copy), "--year", "2028")
    response = next(r for r in rows if r["obligation"] == "aggregated-report-response")
    assert (response["nominal_due"], response["due"]) == ("2028-04-30", "2028-05-01")
    assert response["skipped_days"] == [{"date": "2028-04-30", "reason": "søndag"}]
    assert response["deadline"] == "2028-05-02T00:00:00+02:00"


def test_swedish_holiday_names_in_reasons() -> None:
    rows = show_json("sundsvall", "--year", "2025")
    t1 = next(r for r in rows if r["period"] == "2025-T1")
    assert t1["adjusted_reason"] == "Påskdagen, Annandag påsk"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["show", "--year", "1989"],
            "--year: måste ligga mellan 1990 och 2100 (year out of range), fick 1989",
        ),
        (
            ["show", "--year", "9999"],
            "--year: måste ligga mellan 1990 och 2100 (year out of range), fick 9999",
        ),
        (["show", "--year", "tjugo"], "--year: not a year (e.g. 2027), got 'tjugo'"),
        (["show"], "--year: required, e.g. --year 2027"),
        (
            ["show", "--year", "2027", "--contract-start", "2027-02-30"],
            "--contract-start: inte ett datum ÅÅÅÅ-MM-DD (not a date), fick '2027-02-30'",
        ),
        (
            ["show", "--year", "2027", "--contract-start", "0001-01-01"],
            "--contract-start: måste ligga mellan 1990-01-01 och 2100-12-31 "
            "(date out of range), fick 0001-01-01",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], line: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == line + "\n"


def test_unknown_plan() -> None:
    result = runner.invoke(app, ["show", "gotland", "--year", "2027"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "unknown plan 'gotland' (available: herning, nordanstig, sundsvall)" in result.stderr


def test_validate_shipped_plans() -> None:
    result = runner.invoke(app, ["validate", "sundsvall", "nordanstig", "herning"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["OK"] * 3
    assert "(sundsvall, version 2026-1, 5 skyldigheter)" in result.stdout


def test_list_marks_the_default() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line[2:].split()[0] for line in lines] == ["herning", "nordanstig", "sundsvall"]
    assert lines[2].startswith("* sundsvall")


@pytest.mark.parametrize(
    ("command", "swedish"),
    [
        ([], "Uppföljningsplaner"),
        (["show"], "Visa planens daterade skyldigheter"),
        (["validate"], "Kontrollera planfiler"),
        (["list"], "Lista planerna"),
    ],
)
def test_help_is_swedish_first(command: list[str], swedish: str) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert swedish in result.stdout
    assert result.stdout.index(swedish) < result.stdout.index("(")
