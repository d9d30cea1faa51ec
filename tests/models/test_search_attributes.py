"""models.runtime.search_attributes: what a workflow about one provider is started with."""

from __future__ import annotations

from models.runtime import search_attributes as sa


def test_at_start_names_kind_provider_and_status_in_that_order() -> None:
    started = sa.at_start("recovery", "556036-0793", "noticed")
    assert [(pair.key.name, pair.value) for pair in started] == [
        ("LovKind", "recovery"),
        ("LovOrgNr", "556036-0793"),
        ("LovStatus", "noticed"),
    ]
    assert started.get(sa.STATUS) == "noticed"
