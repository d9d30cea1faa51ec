"""`services.applications.list_applications` on a real records database (SQLite and PostgreSQL):
filters, order, stable JSON, and refusals before anything is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.runtime.settings import DatabaseMissing
from services import applications as apps
from services.calls import ActionError
from tests.support.listings import APPLICATIONS, NEWEST_FIRST, seed_records, settings_for


async def ids(database_url: str, **filters: str) -> list[str]:
    found = await apps.list_applications(settings_for(database_url), **filters)
    return [a.application_id for a in found]


async def test_filters_and_order(database_url: str) -> None:
    await seed_records(database_url)
    assert await ids(database_url) == NEWEST_FIRST
    assert await ids(database_url, plan="sundsvall") == NEWEST_FIRST[1:]
    assert await ids(database_url, state="approved") == ["application-5590010004-1"]
    assert await ids(database_url, state="RECEIVED ") == ["application-5560360793-2"]
    # Any case; the org nr with or without its dash (the id holds the digits); the e-mail.
    assert await ids(database_url, search="OMSORG i norr") == NEWEST_FIRST[1:]
    assert await ids(database_url, search="5560360793") == NEWEST_FIRST[1:]
    assert await ids(database_url, search="559001-0004") == NEWEST_FIRST[:1]
    assert await ids(database_url, search="vast.example") == NEWEST_FIRST[:1]
    # % and _ are text, not patterns: only the name that has them.
    assert await ids(database_url, search="100%") == NEWEST_FIRST[:1]
    assert await ids(database_url, search="_") == []
    assert await ids(database_url, plan="sundsvall", state="rejected", search="norr") == [
        "application-5560360793-1"
    ]
    assert await ids(database_url, plan="nordanstig") == []


async def test_json_has_stable_keys(database_url: str) -> None:
    await seed_records(database_url)
    found = await apps.list_applications(settings_for(database_url), state="approved")
    org, name, email, plan, state, submitted = APPLICATIONS["application-5590010004-1"]
    assert [a.as_json() for a in found] == [
        {
            "application_id": "application-5590010004-1",
            "org_nr": org,
            "name": name,
            "email": email,
            "plan_id": plan,
            "state": state,
            "submitted_at": submitted.isoformat(),
            "decided_at": None,
            "decision": None,
            "reason": None,
        }
    ]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"state": "godkänd"}, "--state"),
        ({"plan": "no-such-plan"}, "--plan"),
        ({"search": "  "}, "--search"),
        ({"search": "x" * 101}, "--search"),
    ],
)
async def test_bad_filters_are_refused_before_reading(
    tmp_path: Path, filters: dict[str, str], field: str
) -> None:
    missing = tmp_path / "never.db"
    with pytest.raises(ActionError) as refused:
        await apps.list_applications(settings_for(f"sqlite+aiosqlite:///{missing}"), **filters)
    assert refused.value.field == field
    assert not missing.exists()


async def test_a_missing_database_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    missing = tmp_path / "never.db"
    with pytest.raises(DatabaseMissing, match=f"LOV_DATABASE_URL: ingen databas {missing}"):
        await apps.list_applications(settings_for(f"sqlite+aiosqlite:///{missing}"))
    assert not missing.exists()


def test_assessments_are_checked_together() -> None:
    made = apps.assessments(["f-skatt", "insurance", "f-skatt"], False, "Saknas", {}, "Bo")
    assert [(r.key, r.met, r.note) for r in made] == [
        ("f-skatt", False, "Saknas"),
        ("insurance", False, "Saknas"),
    ]
    notes = {"insurance": "Brev 2027-01-12"}
    made = apps.assessments(["f-skatt", "insurance"], True, "Styrkt", notes, "Bo")
    assert [r.note for r in made] == ["Styrkt", "Brev 2027-01-12"]
    with pytest.raises(ActionError) as stray:
        apps.assessments(["f-skatt"], True, "", {"insurance": "x"}, "Bo")
    assert stray.value.field == "--note-for" and "'insurance'" in str(stray.value)
    with pytest.raises(ActionError) as verdict:
        apps.assessments(["f-skatt"], None, "", {}, "Bo")
    assert verdict.value.field == "--met/--not-met"
