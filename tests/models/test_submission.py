"""models.domain.submission: reading typed values and checking a submission against the plan
(ranges, rules between fields, refusals in the plan's language naming the field)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.domain.compliance import provider_stats
from models.domain.submission import (
    NO_WORDS,
    YES_WORDS,
    SubmissionError,
    check_submission,
    field_limits,
    parse_field,
    parse_fields,
    parse_value,
)
from models.messages.obligation import DocumentRef
from models.plans.loader import load_plan
from models.plans.schema import Obligation, ReportField
from models.runtime.settings import PROJECT_ROOT

PLANS = PROJECT_ROOT / "plans"
SUNDSVALL = load_plan("sundsvall", PLANS)
SELF_INSPECTION = SUNDSVALL.obligation("self-inspection")
REPORT = DocumentRef(key="self-inspection-report", filename="r.pdf", sha256="0" * 64, size=1)


def refusal(ob: Obligation, fields: dict[str, Any], language: str = "sv") -> str:
    docs = [DocumentRef(key=d.key, filename="d.pdf", sha256="0" * 64, size=1) for d in ob.documents]
    with pytest.raises(SubmissionError) as caught:
        check_submission(ob, fields, docs, language)
    line = str(caught.value)
    assert "\n" not in line
    return line


# --- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12),
        ("-1", -1),
        ("0", 0),
        ("87.5", 87.5),
        ("87,5", 87.5),
        ("true", True),
        ("False", False),
        ("ja", True),
        ("NEJ", False),
        (" Yes ", True),
        ("no", False),
        ("2027-04-20", "2027-04-20"),
        ("Inga avvikelser", "Inga avvikelser"),
        ("", ""),
    ],
)
def test_values_are_read_by_their_shape(text: str, value: Any) -> None:
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


@given(
    st.sampled_from(sorted(YES_WORDS | NO_WORDS)),
    st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_yes_and_no_in_any_case(word: str, upper: list[bool]) -> None:
    typed = "".join(c.upper() if u else c for c, u in zip(word, upper, strict=False))
    field = ReportField(key="ok", title="OK", type="bool")
    assert parse_field(field, typed) is (word in YES_WORDS)


def test_a_text_field_keeps_what_was_typed() -> None:
    text = ReportField(key="topics", title="Frågor", type="text")
    assert parse_fields(None, {"topics": "ja"}) == {"topics": True}  # no plan: by its shape
    ob = Obligation.model_validate(
        {
            "key": "brief",
            "title": "Underlag",
            "recipient": "lov-admin",
            "schedule": {"kind": "annual", "due": {"month": 4, "day": 30}},
            "fields": [text.model_dump()],
        }
    )
    assert parse_fields(ob, {"topics": "ja", "x": "3"}) == {"topics": "ja", "x": 3}
    assert parse_fields(ob, {"topics": "42"}) == {"topics": "42"}


# --- rules between fields ------------------------------------------------------------------------


def test_more_current_care_plans_than_customers_is_refused() -> None:
    # Seen when tried: 30 of 20 was accepted and the report said 150 %.
    line = refusal(
        SELF_INSPECTION, {"customers": 20, "current_care_plans": 30, "customer_participation": 10}
    )
    assert line == (
        "fields.current_care_plans: ”Antal kunder med aktuell genomförandeplan” (30) får inte "
        "vara större än ”Antal kunder under tertialet” (20)"
    )


@given(
    customers=st.integers(0, 500),
    current=st.integers(0, 500),
    participation=st.integers(0, 500),
)
def test_accepted_self_inspections_never_show_a_share_above_100(
    customers: int, current: int, participation: int
) -> None:
    fields = {
        "customers": customers,
        "current_care_plans": current,
        "customer_participation": participation,
    }
    try:
        check_submission(SELF_INSPECTION, fields, [REPORT])
    except SubmissionError:
        assert current > customers or participation > customers
        return
    assert current <= customers and participation <= customers
    for label, value in provider_stats(fields).items():
        if label.startswith("Andel"):
            assert float(value.removesuffix(" %").replace(",", ".")) <= 100, (label, value)


def test_shipped_plans_state_the_rules_between_their_counts() -> None:
    nordanstig = load_plan("nordanstig", PLANS).obligation("customer-survey")
    assert "”Antal kunder den 1 september” (5)" in refusal(
        nordanstig, {"customers": 5, "customers_with_care_plan": 6, "survey_distributed": True}
    )
    herning = load_plan("herning", PLANS).obligation("staff-education")
    counts = {"employees": 10, "sosu_helpers": 4, "sosu_assistants": 11, "without_education": 0}
    assert refusal(herning, counts, "da") == (
        "fields.sosu_assistants: »Antal social- og sundhedsassistenter« (11) må ikke være større "
        "end »Antal medarbejdere« (10)"
    )


# --- ranges --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-0.5, 100.5, 150])
def test_a_share_lies_within_0_and_100(value: float) -> None:
    annual = SUNDSVALL.obligation("annual-report")
    fields = {f.key: 0 for f in annual.fields if f.type == "count"}
    fields |= {"staff_education": value, "permit_current": True}
    line = refusal(annual, fields)
    assert line.startswith(
        "fields.staff_education: ”Andel omvårdnadspersonal med undersköterskeutbildning (%)” ska "
        "vara mellan 0 och 100 (fick "
    )


def test_a_plan_narrows_a_range_and_says_so() -> None:
    ob = Obligation.model_validate(
        {
            "key": "kkik",
            "title": "KKIK",
            "recipient": "lov-admin",
            "schedule": {"kind": "annual", "due": {"month": 10, "day": 31}},
            "fields": [
                {"key": "staff_met", "title": "Antal personal", "min": 1, "max": 60},
                {"key": "share", "title": "Andel", "type": "percent", "min": 50},
            ],
        }
    )
    assert "”Antal personal” ska vara mellan 1 och 60 (fick 0)" in refusal(
        ob, {"staff_met": 0, "share": 60}
    )
    assert "”Andel” ska vara mellan 50 och 100 (fick 49,5)" in refusal(
        ob, {"staff_met": 3, "share": 49.5}
    )
    check_submission(ob, {"staff_met": 60, "share": 100}, [])
    assert field_limits(ob, ob.fields[0]) == "heltal från 1 till 60"
    assert field_limits(SELF_INSPECTION, SELF_INSPECTION.fields[1]) == (
        "heltal, 0 eller mer; högst ”Antal kunder under tertialet”"
    )


def test_a_danish_plan_refuses_in_danish() -> None:
    herning = load_plan("herning", PLANS).obligation("staff-education")
    assert refusal(herning, {"employees": 3}, "da") == (
        "fields.sosu_helpers: »Antal social- og sundhedshjælpere« mangler, men skal udfyldes"
    )
    assert refusal(herning, {"employees": -1}, "da").startswith(
        "fields.employees: »Antal medarbejdere« skal være mindst 0 (fik -1)"
    )


def test_an_obligation_from_an_older_plan_still_loads() -> None:
    # Workflow inputs carry the obligation as it was: no `checks`, no `min`/`max`.
    stored = SELF_INSPECTION.model_dump(mode="json", exclude={"checks"})
    for field in stored["fields"]:
        del field["min"], field["max"]
    old = Obligation.model_validate(stored)
    assert old.checks == () and all(f.min is None for f in old.fields)
    check_submission(
        old, {"customers": 20, "current_care_plans": 30, "customer_participation": 1}, [REPORT]
    )
