"""services.obligations.requirements: what a submission needs, read from the real plan files."""

from __future__ import annotations

import typing

import pytest

from models.domain.submission import FIELD_RULES
from models.plans.schema import ReportField
from models.runtime.settings import PROJECT_ROOT
from services.errors import ActionError
from services.obligations import requirements

PLANS = PROJECT_ROOT / "plans"


def test_fields_and_documents_of_an_obligation() -> None:
    needs = requirements("sundsvall", "self-inspection", PLANS)
    assert (needs.plan_id, needs.obligation) == ("sundsvall", "self-inspection")
    by_key = {f.key: f for f in needs.fields}
    assert (by_key["customers"].type, by_key["customers"].unit) == ("count", "antal")
    assert by_key["customers"].required and "0 eller mer" in by_key["customers"].limits
    share = by_key["plans_within_14_days"]
    assert (share.type, share.unit, share.required) == ("percent", "procent", False)
    assert "0 till 100" in share.limits
    assert [(d.key, d.required) for d in needs.documents] == [("self-inspection-report", True)]
    as_dict = needs.as_dict()
    assert set(as_dict) == {"plan_id", "plan_version", "obligation", "title", "fields", "documents"}
    assert set(as_dict["fields"][0]) == {"key", "title", "type", "unit", "required", "limits"}


def test_every_field_type_is_described() -> None:
    # A new field type in the plan schema needs its unit and limits here too.
    field_types = typing.get_args(ReportField.model_fields["type"].annotation)
    assert set(field_types) == set(FIELD_RULES)


def test_unknown_obligation_names_the_known_ones() -> None:
    with pytest.raises(ActionError) as caught:
        requirements("sundsvall", "self-inspektion", PLANS)
    assert caught.value.field == "obligation"
    assert "self-inspection, annual-accounts" in str(caught.value)


def test_unknown_plan_is_named() -> None:
    with pytest.raises(ActionError) as caught:
        requirements("no-such-plan", "self-inspection", PLANS)
    assert caught.value.field == "plan"
