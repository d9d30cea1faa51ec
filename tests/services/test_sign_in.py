"""services/sign_in.py: a single sign-on's claims become a desk account, or are refused."""

from __future__ import annotations

from typing import Any

import pytest

from services import sign_in
from services.users import Account

ROLE_MAP = {"LOV-admin": "administrator", "LOV-revision": "auditor", "Chefer": "manager"}


def _account(claims: dict[str, Any], claim: str = "groups") -> Account:
    return sign_in.account_from_claims(claims, claim, ROLE_MAP)


def test_a_mapped_group_gives_its_role_and_the_names_of_the_claims() -> None:
    claims: dict[str, Any] = {"sub": "x1", "preferred_username": "anna.s", "name": "Anna S"}
    claims["groups"] = ["LOV-admin"]
    assert _account(claims) == Account("anna.s", "Anna S", "administrator")


def test_the_strongest_of_several_mapped_roles_wins() -> None:
    claims = {"sub": "x1", "groups": ["LOV-revision", "Chefer", "Okänd"]}
    assert _account(claims).role == "manager"


@pytest.mark.parametrize(
    ("claims", "claim"),
    [
        ({"sub": "x1", "roles": "LOV-revision"}, "roles"),  # one string
        ({"sub": "x1", "realm_access": {"roles": ["LOV-revision"]}}, "realm_access.roles"),
    ],
)
def test_a_string_claim_and_a_dotted_path_are_read(claims: dict[str, Any], claim: str) -> None:
    assert _account(claims, claim).role == "auditor"


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "x1", "groups": ["Alla-anställda"]},
        {"sub": "x1"},
        {"sub": "x1", "groups": "lov-admin"},  # values are matched exactly
        {"sub": "x1", "groups": [["LOV-admin"]]},
    ],
)
def test_no_mapped_value_is_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(sign_in.SignInRefused) as caught:
        _account(claims)
    assert str(caught.value) == sign_in.NO_ROLE


def test_the_username_falls_back_to_email_then_sub_and_must_be_one_line() -> None:
    groups = {"groups": ["LOV-admin"]}
    assert _account({"sub": "x1", "email": "a@k.se", **groups}).username == "a@k.se"
    assert _account({"sub": "x1", "preferred_username": "a\x07b", **groups}).username == "x1"
    assert _account({"sub": "x1", **groups}).display_name == "x1"
    with pytest.raises(sign_in.SignInRefused) as caught:
        _account({"sub": "x" * 65, **groups})
    assert str(caught.value) == sign_in.NO_NAME
