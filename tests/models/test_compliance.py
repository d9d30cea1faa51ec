"""The compliance report's per-provider figures (models/domain/compliance.py)."""

from __future__ import annotations

from models.domain.compliance import provider_stats


def test_a_share_reported_as_a_per_cent_is_shown_as_it_is() -> None:
    # plans_within_14_days is a percent field: 87.5 % of new plans, not 87.5 of 20 customers.
    stats = provider_stats(
        {"customers": 20, "plans_within_14_days": 87.5, "current_care_plans": 15}
    )
    assert stats["Andel genomförandeplaner inom 14 dagar"] == "87,5 %"
    assert stats["Andel aktuella genomförandeplaner"] == "75,0 %"
    assert (
        provider_stats({"plans_within_14_days": 40}, "da")["Andel handleplaner inden for 14 dage"]
        == "40,0 %"
    )
