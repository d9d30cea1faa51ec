"""Which e-mails carry the provider's portal link (activities/portal_links.py), and that an
e-mail still goes out, without the link, when no web secret can be had."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from activities.portal_links import PortalLinks
from activities.rendering import Renderer
from models.domain import portal_token
from models.messages.mail import MailRequest
from models.plans.schema import Role
from models.runtime.settings import PROJECT_ROOT, Settings

ROLES = {"lov-admin": Role(title="LOV-administratör", email="lov@kommun.example")}
SECRET = "worker-secret-" + "w" * 30


def _request(template: str, to: list[str], **context: object) -> MailRequest:
    return MailRequest(
        key="k",
        kind=template,
        template=template,
        language="sv",
        to_roles=to,
        roles=ROLES,
        org_nr="556036-0793",
        workflow_id="obligation-5560360793-annual-report-2027",
        at=datetime(2027, 3, 1, tzinfo=UTC),
        context=dict(context),
    )


@pytest.mark.parametrize(
    ("template", "to", "context", "wanted"),
    [
        ("reminder", ["provider"], {}, True),
        ("overdue", ["provider", "lov-admin"], {}, True),
        ("completion-request", ["provider"], {}, True),
        ("recovery-notice", ["provider", "lov-admin"], {}, True),
        ("vite", ["provider", "lov-admin"], {"escalation": "Vite"}, True),  # any ladder step
        ("management", ["lov-admin"], {"escalation": "Till chefen"}, False),  # not to the provider
        ("finding-notice", ["provider", "lov-admin"], {}, True),  # respond (kommunicering)
        ("finding-action-plan-request", ["provider", "lov-admin"], {}, True),
        ("finding-action-plan-reminder", ["provider"], {}, True),
        ("finding-action-plan-late", ["provider", "lov-admin"], {}, True),
        ("finding-decision", ["provider", "lov-admin"], {}, False),  # tells, asks nothing
        ("placement-new", ["provider"], {}, True),  # report the genomförandeplan
        ("care-plan-reminder", ["provider"], {}, True),
        ("application-completion-request", ["provider"], {}, True),  # an applicant's
        ("application-completion-reminder", ["provider"], {}, True),
        ("application-new", ["lov-admin"], {}, False),  # to the municipality only
        ("receipt", ["provider"], {}, False),  # asks nothing of the provider
        ("accepted", ["provider"], {}, False),
    ],
)
def test_which_mails_carry_the_link(
    template: str, to: list[str], context: dict[str, object], wanted: bool, tmp_path: Path
) -> None:
    links = PortalLinks(Settings(var_dir=tmp_path, web_secret_key=SecretStr(SECRET)))
    assert links.wanted(_request(template, to, **context)) is wanted


def test_the_link_is_signed_for_the_contact_at_the_portal_address(tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path,
        web_secret_key=SecretStr(SECRET),
        portal_url="https://lov.kommun.example/portal/",
    )
    link = PortalLinks(settings).link("556036-0793", "kontakt@omsorg.example")
    assert link is not None and link.startswith("https://lov.kommun.example/portal/")
    grant = portal_token.read(SECRET, link.rsplit("/", 1)[1], datetime.now(UTC))
    assert grant.provider_ref == "5560360793"
    assert portal_token.same_contact(SECRET, grant, "kontakt@omsorg.example")


def test_without_a_usable_secret_the_mail_goes_without_a_link(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    links = PortalLinks(Settings(var_dir=blocked))  # the secret file cannot be made here
    assert links.link("556036-0793", "kontakt@omsorg.example") is None
    assert links.link("556036-0793", "kontakt@omsorg.example") is None
    assert caplog.text.count("LOV_WEB_SECRET_KEY") == 1  # said once, not per e-mail
    short = PortalLinks(Settings(var_dir=tmp_path, web_secret_key=SecretStr("kort")))
    assert short.link("556036-0793", "kontakt@omsorg.example") is None


PLACEMENT = {
    "customer_ref": "DNR-2031-0042",
    "area": "Centrum",
    "service_type": "omvårdnad",
    "granted_hours": "22.50",
    "decision_date": "2031-02-20",
    "org_nr": "556036-0793",
    "provider_name": "Omsorg AB",
    "start": "2031-03-03",
    "care_plan_days": 14,
    "care_plan_due": "2031-03-17",
    "admin_title": "LOV-administratör",
    "admin_email": "lov-admin@sundsvall.example",
    "escalation_steps": [],
}
LINK = "https://lov.kommun.example/portal/eyJwIjoiNTU2MDM2MDc5MyJ9.signed"


@pytest.mark.parametrize(
    ("language", "template", "told"),
    [
        ("sv", "placement-new", "Meddela i kommunens utförarportal när den är klar"),
        ("sv", "care-plan-reminder", "Meddela i kommunens utförarportal när planen är klar"),
        ("da", "placement-new", "Giv besked i kommunens leverandørportal, når den er klar"),
        ("da", "care-plan-reminder", "Giv besked i kommunens leverandørportal, når planen er"),
    ],
)
def test_a_care_plan_mail_says_to_report_in_the_portal_with_the_administrator_as_fallback(
    language: str, template: str, told: str
) -> None:
    renderer = Renderer(PROJECT_ROOT / "templates")
    assert renderer.shows(language, template, "portal_link")
    _, body = renderer.render(language, template, {**PLACEMENT, "portal_link": LINK}, "UTC")
    assert LINK in body and " ".join(body.split()).count(told) == 1
    assert "lov-admin@sundsvall.example" in body  # or contact the administrator
    # Without a link (no web secret on the worker): the administrator, as before, no portal.
    _, bare = renderer.render(language, template, PLACEMENT, "UTC")
    assert "/portal" not in bare and "portal" not in bare.lower()
    assert "lov-admin@sundsvall.example" in bare


APPLICATION = {
    "application_id": "application-5560360793-1",
    "provider_name": "Omsorg AB",
    "org_nr": "556036-0793",
    "completion_items": ["Försäkringsbrev"],
    "completion_note": "",
    "completion_due": "2031-03-25",
    "admin_title": "LOV-administratör",
    "admin_email": "lov-admin@sundsvall.example",
}


@pytest.mark.parametrize(
    ("language", "template", "told"),
    [
        (
            "sv",
            "application-completion-request",
            "Skicka kompletteringen i kommunens utförarportal",
        ),
        (
            "sv",
            "application-completion-reminder",
            "Skicka kompletteringen i kommunens utförarportal",
        ),
        ("da", "application-completion-request", "Send suppleringen i kommunens leverandørportal"),
        ("da", "application-completion-reminder", "Send suppleringen i kommunens leverandørportal"),
    ],
)
def test_a_completion_request_to_an_applicant_says_to_answer_in_the_portal(
    language: str, template: str, told: str
) -> None:
    renderer = Renderer(PROJECT_ROOT / "templates")
    assert renderer.shows(language, template, "portal_link")
    _, body = renderer.render(language, template, {**APPLICATION, "portal_link": LINK}, "UTC")
    assert LINK in body and " ".join(body.split()).count(told) == 1
    assert "lov-admin@sundsvall.example" in body  # or send it to the administrator
    _, bare = renderer.render(language, template, APPLICATION, "UTC")
    assert "portal" not in bare.lower() and "lov-admin@sundsvall.example" in bare
