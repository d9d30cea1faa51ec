"""Addresses of applications (web.links): an application id names a company by its org nr's
digits and a sole trader by its opaque key, so it may stand in an address; one made with a
personnummer's digits (a sole trader's, before a key was configured) may not."""

from __future__ import annotations

from models.domain.provider_id import ProviderIds, parse_key
from models.ids import application_workflow_id
from tests.support.desk import PROVIDER_KEY, SOLE_TRADER
from web.links import application_href, application_id_in_address


def test_a_company_s_application_is_addressed_by_its_id() -> None:
    wid = application_workflow_id("556036-0793", 2)
    assert application_href(wid) == "/applications/application-5560360793-2"
    # A Danish CVR number (8 digits) is a company's too.
    assert application_href("application-12345674-1") == "/applications/application-12345674-1"


def test_a_sole_trader_s_application_is_addressed_by_its_key_never_its_personnummer() -> None:
    ref = ProviderIds(parse_key(PROVIDER_KEY)).ref(SOLE_TRADER)
    keyed = application_workflow_id(SOLE_TRADER, 1, ref)
    assert keyed.startswith("application-ef-")
    assert application_href(keyed) == f"/applications/{keyed}"
    digits = application_workflow_id(SOLE_TRADER, 1)
    assert digits == "application-6408233234-1"
    assert application_href(digits) is None and not application_id_in_address(digits)


def test_anything_else_is_no_application_address() -> None:
    for text in ("5560360793", "application-5560360793", "application-5560360793-0", "../x", ""):
        assert not application_id_in_address(text), text
        assert application_href(text) is None
