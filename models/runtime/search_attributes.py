"""Search attributes: what `lov overdue` and the Web UI filter on. No personal data here."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

ORG_NR = SearchAttributeKey.for_keyword("LovOrgNr")
KIND = SearchAttributeKey.for_keyword("LovKind")
OBLIGATION = SearchAttributeKey.for_keyword("LovObligation")
PERIOD = SearchAttributeKey.for_keyword("LovPeriod")
STATUS = SearchAttributeKey.for_keyword("LovStatus")
OVERDUE = SearchAttributeKey.for_bool("LovOverdue")
ESCALATION_LEVEL = SearchAttributeKey.for_int("LovEscalationLevel")
DUE = SearchAttributeKey.for_datetime("LovDue")

ALL: tuple[SearchAttributeKey, ...] = (
    ORG_NR,
    KIND,
    OBLIGATION,
    PERIOD,
    STATUS,
    OVERDUE,
    ESCALATION_LEVEL,
    DUE,
)


def at_start(kind: str, org_nr: str, status: str) -> TypedSearchAttributes:
    """What a workflow about one provider is started with: its kind, the provider (`org_nr` as
    models.ids.search_value gives it: no personnummer) and its first status."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(KIND, kind),
            SearchAttributePair(ORG_NR, org_nr),
            SearchAttributePair(STATUS, status),
        ]
    )
