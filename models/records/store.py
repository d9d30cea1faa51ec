"""`RecordStore`: the idempotent write and read API of the records database.

One class for callers (activities, services, tests), composed of one part per concept, each in
the module named for it (`models/records/<concept>.py`); the keyed-write rules they share are
in `models/records/keyed.py`.
"""

from __future__ import annotations

from models.records.applications import ApplicationRecord, ApplicationRecords, AssessmentRecord
from models.records.audit import AuditRecord, AuditRecords
from models.records.contracts import (
    ContractRecord,
    ContractYearRecord,
    ProviderContractRecord,
    ProviderRecord,
)
from models.records.findings import (
    FindingDecisionRecord,
    FindingRecord,
    FindingRecords,
    FindingStepRecord,
)
from models.records.keyed import RecordNotFound
from models.records.meetings import ActionItemRecord, MeetingRecord
from models.records.municipal_tasks import (
    MunicipalTaskRecord,
    MunicipalTaskRecords,
    PlanProvider,
    TaskTotal,
)
from models.records.obligations import (
    DueRecord,
    EscalationRecord,
    OccurrenceEvent,
    OccurrenceRecord,
    ReviewRecord,
    SubmissionRecord,
)
from models.records.outbox import OutboxEntry, OutboxRecords
from models.records.placements import PlacementRecord, ProviderPlacementStats
from models.records.provider_page import ProviderPageRecords
from models.records.recoveries import (
    RecoveryLineRecord,
    RecoveryRecord,
    RecoveryStepRecord,
    RecoveryTotal,
)
from models.records.reports import ReportRecords
from models.records.users import UserRecord, UserRecords

__all__ = ["RecordNotFound", "RecordStore"] + [
    "ProviderRecord",
    "ProviderContractRecord",
    "DueRecord",
    "ContractRecord",
    "ContractYearRecord",
    "ApplicationRecord",
    "AssessmentRecord",
    "OccurrenceRecord",
    "OccurrenceEvent",
    "SubmissionRecord",
    "ReviewRecord",
    "EscalationRecord",
    "OutboxEntry",
    "MeetingRecord",
    "ActionItemRecord",
    "RecoveryRecord",
    "RecoveryLineRecord",
    "RecoveryStepRecord",
    "RecoveryTotal",
    "PlacementRecord",
    "ProviderPlacementStats",
    "AuditRecord",
    "UserRecord",
    "FindingRecord",
    "FindingStepRecord",
    "FindingDecisionRecord",
    "MunicipalTaskRecord",
    "PlanProvider",
    "TaskTotal",
]


class RecordStore(
    # Contracts, obligations, meetings, recoveries and placements, in this order (the order of
    # the bases decides which part a method comes from; none of them share a name).
    ProviderPageRecords,
    ReportRecords,
    AuditRecords,
    OutboxRecords,
    ApplicationRecords,
    UserRecords,
    FindingRecords,
    MunicipalTaskRecords,
):
    """Every concept's records behind one object, as activities and services use them."""
