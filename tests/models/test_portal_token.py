"""Signed portal tokens (models/domain/portal_token.py): a genuine token reads back as issued; a
tampered, expired, foreign-secret or other-purpose token is refused; the contact generation
follows the contact address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.domain import portal_token
from models.domain.portal_token import LINK, VISIT, TokenRefused

SECRET = "s" * 40
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_token_reads_back_as_issued() -> None:
    token = portal_token.issue(SECRET, "5560360793", "kontakt@omsorg.example", NOW, 30 * DAY)
    grant = portal_token.read(SECRET, token, NOW + 29 * DAY)
    assert grant.provider_ref == "5560360793"
    assert grant.expires == NOW + 30 * DAY
    assert portal_token.same_contact(SECRET, grant, "Kontakt@Omsorg.example ")
    # The address cannot be read back from the token.
    assert "omsorg" not in token


def test_an_expired_token_is_refused() -> None:
    token = portal_token.issue(SECRET, "5560360793", "a@b.example", NOW, 30 * DAY)
    with pytest.raises(TokenRefused) as refused:
        portal_token.read(SECRET, token, NOW + 30 * DAY)
    assert refused.value.reason == "expired"


@pytest.mark.parametrize("position", [0, 10, 30, -3, -10])
def test_a_tampered_token_is_refused(position: int) -> None:
    token = portal_token.issue(SECRET, "5560360793", "a@b.example", NOW, 30 * DAY)
    char = token[position]
    changed = token[:position] + ("A" if char != "A" else "B") + token[position + 1 :]
    with pytest.raises(TokenRefused) as refused:
        portal_token.read(SECRET, changed, NOW)
    assert refused.value.reason == "invalid"


def test_a_token_for_another_provider_cannot_be_made_by_editing_the_payload() -> None:
    import base64
    import json

    token = portal_token.issue(SECRET, "5560360793", "a@b.example", NOW, 30 * DAY)
    payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["p"] = "5564057813"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    with pytest.raises(TokenRefused):
        portal_token.read(SECRET, f"{forged}.{signature}", NOW)


def test_another_secret_or_purpose_is_refused() -> None:
    link = portal_token.issue(SECRET, "5560360793", "a@b.example", NOW, DAY)
    with pytest.raises(TokenRefused):
        portal_token.read("t" * 40, link, NOW)
    # A link is not a visit, nor a visit a link.
    with pytest.raises(TokenRefused):
        portal_token.read(SECRET, link, NOW, VISIT)
    visit = portal_token.issue(SECRET, "5560360793", "a@b.example", NOW, DAY, VISIT)
    with pytest.raises(TokenRefused):
        portal_token.read(SECRET, visit, NOW, LINK)


@pytest.mark.parametrize("token", ["", "x", "a.b", "." * 10, "A" * 700])
def test_junk_is_refused(token: str) -> None:
    with pytest.raises(TokenRefused):
        portal_token.read(SECRET, token, NOW)


def test_a_contact_change_changes_the_generation() -> None:
    token = portal_token.issue(SECRET, "5560360793", "gammal@omsorg.example", NOW, DAY)
    grant = portal_token.read(SECRET, token, NOW)
    assert not portal_token.same_contact(SECRET, grant, "ny@omsorg.example")
    assert not portal_token.same_contact(SECRET, grant, None)
    assert portal_token.contact_generation(SECRET, "a@b.example") != (
        portal_token.contact_generation("t" * 40, "a@b.example")
    )


def test_link_joins_the_base() -> None:
    assert portal_token.link("http://127.0.0.1:8080/portal/", "abc.def") == (
        "http://127.0.0.1:8080/portal/abc.def"
    )
