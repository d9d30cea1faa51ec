"""`lov audit` on a records database (no Temporal: --records-only): `--year` selects by
follow-up year while `--from/--to` keep selecting by event time; event types in one style,
times in local time with offset, amounts in one format; the README's examples return what they
promise."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from models.runtime.settings import PROJECT_ROOT
from tests.support.audit_records import ORG, seed_audit_trail, seed_walkthrough
from tests.support.cli_runner import Result, run_lov_on_records


@pytest.fixture
async def trail(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_audit_trail(url)
    return url


async def audit(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    result = await run_lov_on_records(url, monkeypatch, "audit", ORG, *args, "--records-only")
    assert result.exit_code == 0, result.stderr
    return result


def rows(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


async def test_year_selects_by_follow_up_year(trail: str, monkeypatch: pytest.MonkeyPatch) -> None:
    year = rows(await audit(trail, monkeypatch, "--year", "2027", "--csv"))
    # The contract registered in December 2026 starts in 2027; the 2027 report is handed in in
    # February 2028 and the 2027 recovery case paid in March 2028: all follow-up year 2027. The
    # 2028 report's opening (March 2028) is not.
    assert [(r["type"], r["at"]) for r in year] == [
        ("contract-started", "2026-12-03T10:00:00+01:00"),
        ("opened", "2027-04-12T10:00:00+02:00"),
        ("completion-requested", "2027-12-01T09:00:00+01:00"),
        ("recovery-noticed", "2028-01-15T10:30:00+01:00"),
        ("submitted", "2028-02-10T10:00:00+01:00"),
        ("recovery-paid", "2028-03-01T11:00:00+01:00"),
    ]
    # The application is of no follow-up year; it happened in 2026.
    assert "application-approved" not in [r["type"] for r in year]
    later = rows(await audit(trail, monkeypatch, "--year", "2028", "--csv"))
    assert [(r["type"], r["period"]) for r in later] == [("opened", "2028")]


async def test_from_and_to_still_select_by_event_time(
    trail: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = rows(
        await audit(trail, monkeypatch, "--from", "2027-01-01", "--to", "2027-12-31", "--csv")
    )
    assert [r["type"] for r in found] == ["opened", "completion-requested"]
    both = rows(await audit(trail, monkeypatch, "--year", "2027", "--from", "2028-01-01", "--csv"))
    assert [r["type"] for r in both] == ["recovery-noticed", "submitted", "recovery-paid"]


async def test_one_style_for_types_times_and_amounts(
    trail: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = rows(await audit(trail, monkeypatch, "--csv"))
    types = [r["type"] for r in everything]
    # Stored as "application_approved", "completion_requested", "contract-started" …
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", t) for t in types), types
    assert "application-approved" in types
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", r["at"]) for r in everything
    )
    # Stored as "963.75" and as "963,75 kr": one format.
    amounts = [r["summary"] for r in everything if r["type"].startswith("recovery-")]
    assert len(amounts) == 2 and all("amount=963,75 kr" in s for s in amounts), amounts

    export = await audit(trail, monkeypatch, "--year", "2027", "--json")
    lines = [json.loads(line) for line in export.stdout.splitlines() if line.startswith("{")]
    header, entries = lines[0], [x for x in lines if x["line"] == "entry"]
    assert header["year"] == 2027
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", header["generated_at"])
    assert [e["at"] for e in entries][:2] == [
        "2026-12-03T10:00:00+01:00",
        "2027-04-12T10:00:00+02:00",
    ]
    assert [e["details"]["amount"] for e in entries if e["type"] == "recovery-paid"] == [
        "963,75 kr"
    ]
    text = await audit(trail, monkeypatch, "--year", "2027")
    assert text.stdout.splitlines()[1].startswith("2027-04-12T10:00:00+02:00 · annual-report 2027")


async def test_the_readmes_year_examples_return_the_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_walkthrough(url)
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    examples = [
        # The command itself: not the comment, not a shell redirection.
        shlex.split(line.split("#")[0].split(">")[0])[1:]
        for line in readme.splitlines()
        if line.startswith(f"lov audit {ORG}") and "--year" in line
    ]
    assert examples, "the README shows `lov audit ORGNR --year …`"
    for args in examples:
        result = await run_lov_on_records(url, monkeypatch, *args, "--records-only")
        assert result.exit_code == 0, (args, result.stderr)
        assert "Inget registrerat" not in result.stdout, args
        assert "contract-started" in result.stdout and "accepted" in result.stdout, args
