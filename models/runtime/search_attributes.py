"""Search attributes: what `lov overdue` and the Web UI filter on. No personal data here."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

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
