"""E-mails never show internals (issue 16, point 9): each text as rendered from the real
templates with the real plan, the way the mail activity renders it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from activities.rendering import Renderer
from activities.wording import consequence, inline_title, value_text
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT

RENDERER = Renderer(PROJECT_ROOT / "templates")
SUNDSVALL = load_plan("sundsvall", PROJECT_ROOT / "plans")
HERNING = load_plan("herning", PROJECT_ROOT / "plans")


def _obligation_context(**extra: Any) -> dict[str, Any]:
    ladder = [s.title for s in SUNDSVALL.escalation]
    return {
        "provider_name": "Omsorg AB",
        "org_nr": "556036-0793",
        "title": "Årlig redovisning – avvikelser, klagomål, personal och tillstånd",
        "description": "",
        "period": "2027",
        "due": "2027-11-30",
        "nominal_due": "2027-11-30",
        "recipient_title": "LOV-administratör",
        "recipient_email": "lov-admin@sundsvall.example",
        "admin_title": "LOV-administratör",
        "admin_email": "lov-admin@sundsvall.example",
        "documents": [],
        "fields": [],
        "first_escalation": ladder[0],
        "first_escalation_days": 1,
        "escalation_steps": ladder,
        "level": 0,
        "days_overdue": 0,
        "next_escalation": ladder[0],
        "next_escalation_at": "2027-12-01T08:00:00+00:00",
        **extra,
    }


def _render(name: str, obligation: str, language: str = "sv", **extra: Any) -> tuple[str, str]:
    plan = SUNDSVALL if language == "sv" else HERNING
    return RENDERER.render(
        language, name, _obligation_context(**extra), plan.time_zone, plan, obligation
    )


def test_receipt_shows_document_names_field_titles_and_swedish_values() -> None:
    subject, body = _render(
        "receipt",
        "annual-report",
        submission_number=1,
        documents_received=["/srv/lovflow/uploads/5560360793/avvikelser 2027.pdf"],
        fields_received={"sol_deviations": 3, "staff_education": 87.5, "permit_current": True},
    )
    assert "/srv" not in body and "uploads" not in body
    assert "  - avvikelser 2027.pdf" in body
    assert "Antal avvikelser enligt SoL: 3" in body
    assert "Andel omvårdnadspersonal med undersköterskeutbildning (%): 87,5" in body
    assert "Tillståndsbeslutet från IVO är aktuellt: ja" in body
    assert "sol_deviations" not in body and "True" not in body and "87.5" not in body


def test_danish_receipt_lists_what_was_received_in_danish() -> None:
    obligation = HERNING.obligations[0]
    field = obligation.fields[0] if obligation.fields else None
    fields = {field.key: 12.25} if field else {}
    _, body = _render(
        "receipt",
        obligation.key,
        language="da",
        title=obligation.title,
        documents_received=["C:\\data\\rapport.pdf"],
        fields_received=fields,
    )
    assert "  - rapport.pdf" in body and "C:\\" not in body
    if field is not None:
        assert f"{field.title}: 12,25" in body


def test_values_in_the_plans_language() -> None:
    assert value_text(87.5, "sv") == "87,5"
    assert value_text(90.0, "sv") == "90"
    assert value_text("87.5", "da") == "87,5"
    assert value_text(False, "sv") == "nej"
    assert value_text(True, "da") == "ja"
    assert value_text("true", "sv") == "ja"
    assert value_text("2027-03-05", "sv") == "5 mars 2027"
    assert value_text(date(2027, 3, 5), "da") == "5. marts 2027"
    assert value_text(12, "sv") == "12"


@pytest.mark.parametrize(
    ("title", "inline"),
    [
        ("KKIK – personalkontinuitet", "KKIK – personalkontinuitet"),
        ("IVO-tillstånd", "IVO-tillstånd"),
        ("Årsredovisning", "årsredovisning"),
        ("Egenkontroll – kvalitet", "egenkontroll – kvalitet"),
        ("A-kassa", "a-kassa"),
        ("T1-rapport", "T1-rapport"),
        ("", ""),
    ],
)
def test_inline_title_keeps_acronyms(title: str, inline: str) -> None:
    assert inline_title(title) == inline


def test_reminder_keeps_kkik_in_capitals() -> None:
    _, body = _render("reminder", "kkik", title="KKIK – personalkontinuitet")
    assert "om att KKIK – personalkontinuitet" in body
    assert "kkik" not in body


def test_reminder_states_one_consequence_sentence() -> None:
    _, body = _render("reminder", "annual-report")
    assert (
        "Om underlaget inte har kommit in i tid får ni en påminnelse om att det är försenat, "
        "därefter lämnar kommunen ett påpekande enligt avtalet och till sist lämnas ärendet "
        "till ledningen för beslut om åtgärd" in body
    )
    # Not the plan's step titles strung together.
    assert "redovisningen har inte kommit in i tid, påpekande" not in body


def test_consequence_in_danish_follows_herning_ladder() -> None:
    clause = consequence([s.title for s in HERNING.escalation], HERNING.escalation, "da")
    assert clause.startswith("får I en påmindelse")
    assert "derefter får I en ny påmindelse, og kommunen kan registrere en mangel" in clause
    assert "og til sidst forelægges sagen for ledelsen" in clause


def test_annual_accounts_name_the_fiscal_year_before() -> None:
    subject, body = _render(
        "reminder",
        "annual-accounts",
        title="Årsredovisning",
        period="2027",
        due="2027-07-31",
        nominal_due="2027-07-31",
    )
    assert subject.startswith("Påminnelse: Årsredovisning (räkenskapsåret 2026)")
    assert "årsredovisning för räkenskapsåret 2026 ska lämnas in" in body
    assert "perioden 2027" not in body
    # Other duties keep their period.
    _, other = _render("reminder", "annual-report")
    assert "för perioden 2027" in other


@pytest.mark.parametrize(
    ("nominal", "due", "said"),
    [
        ("2027-07-31", "2027-08-02", "är en lördag"),
        ("2027-08-01", "2027-08-02", "är en söndag"),
        ("2027-06-25", "2027-06-28", "är midsommarafton"),
    ],
)
def test_reminder_says_what_day_the_plans_date_is(nominal: str, due: str, said: str) -> None:
    _, body = _render("reminder", "annual-report", due=due, nominal_due=nominal)
    assert f"Planens datum {_words(nominal)} {said}, därför gäller nästa vardag." in body
    assert "helgdag" not in body


def test_danish_reminder_says_saturday_and_names_grundlovsdag() -> None:
    obligation = HERNING.obligations[0]
    _, body = _render(
        "reminder",
        obligation.key,
        language="da",
        title=obligation.title,
        due="2026-06-08",
        nominal_due="2026-06-05",
    )
    assert "Planens dato 5. juni 2026 er grundlovsdag" in body


def test_danish_reminder_says_saturday() -> None:
    obligation = HERNING.obligations[0]
    _, body = _render(
        "reminder",
        obligation.key,
        language="da",
        title=obligation.title,
        due="2027-06-14",
        nominal_due="2027-06-12",
        escalation_steps=[s.title for s in HERNING.escalation],
    )
    assert "Planens dato 12. juni 2027 er en lørdag" in body


def _words(iso: str) -> str:
    from activities.rendering import format_date

    return format_date(iso, "sv")


def test_application_mails_show_a_case_number_not_the_workflow_id() -> None:
    ctx = {
        "application_id": "application-5560360793-2",
        "provider_name": "Omsorg AB",
        "org_nr": "556036-0793",
        "submitted": "2027-03-01",
        "service_types": ["hemtjänst"],
        "areas": ["Centrum"],
        "documents": ["/srv/x/ivo.pdf"],
        "decision_due": "2027-05-01",
        "decision_weeks": 8,
        "admin_title": "LOV-administratör",
        "admin_email": "lov-admin@sundsvall.example",
    }
    subject, body = RENDERER.render("sv", "application-received", ctx, "Europe/Stockholm")
    assert "application-" not in subject + body
    assert "ansökan nr 2" in subject
    assert "Ange ert organisationsnummer och ansökan nr 2" in body


def test_placement_mail_names_the_customer_reference_not_the_workflow_id() -> None:
    ctx = {
        "placement_id": "placement-0123456789ab",
        "customer_ref": "DNR-2031-0042",
        "area": "Centrum",
        "service_type": "hemtjänst",
        "granted_hours": "22.50",
        "decision_date": "2031-02-20",
        "org_nr": "556036-0793",
        "provider_name": "Omsorg AB",
        "start": "2031-03-03",
        "care_plan_days": 14,
        "care_plan_due": "2031-03-17",
        "admin_title": "LOV-administratör",
        "admin_email": "lov-admin@sundsvall.example",
        "escalation_steps": [s.title for s in SUNDSVALL.escalation],
    }
    subject, body = RENDERER.render("sv", "placement-new", ctx, "Europe/Stockholm", SUNDSVALL)
    assert "placement-" not in subject + body
    assert "Kundreferens: DNR-2031-0042" in body
    assert "Beviljad tid: 22,5 timmar per månad" in body
    # The customer's reference stays out of the subject line.
    assert subject == "Nytt uppdrag: hemtjänst från 3 mars 2031"


@pytest.mark.parametrize("kind", ["uppsagning", "havning"])
def test_termination_notice_names_the_fiscal_year_of_an_arsredovisning(kind: str) -> None:
    """The termination notice lists duties still owed as the other e-mails name them: the
    årsredovisning due in 2031 is the one "för räkenskapsåret 2030" (issue 16, point 9)."""
    still_owed = [
        {"title": "Årsredovisning", "obligation": "annual-accounts", "period": "2031"},
        {"title": "Egenkontroll", "obligation": "self-inspection", "period": "2031-T2"},
    ]
    ctx = {
        "provider_name": "Omsorg AB",
        "org_nr": "556036-0793",
        "end_date": "2031-06-30",
        "reason": "Utföraren avslutar",
        "by": "kommun",
        "admin_title": "LOV-administratör",
        "admin_email": "lov-admin@sundsvall.example",
        "still_owed": still_owed,
    }
    _, body = RENDERER.render("sv", f"termination-{kind}", ctx, "Europe/Stockholm", plan=SUNDSVALL)
    assert "  - Årsredovisning för räkenskapsåret 2030\n" in body
    assert "  - Egenkontroll för perioden 2031-T2\n" in body
    assert "annual-accounts" not in body and "{" not in body
    # A notice from a run before the change (a retried activity) still reads.
    _, old = RENDERER.render(
        "sv",
        f"termination-{kind}",
        {**ctx, "still_owed": ["Årsredovisning (2031)"]},
        "Europe/Stockholm",
        plan=SUNDSVALL,
    )
    assert "  - Årsredovisning (2031)\n" in old
