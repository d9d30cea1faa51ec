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
    ContractRecords,
    ContractYearRecord,
    ProviderContractRecord,
    ProviderRecord,
)
from models.records.keyed import RecordNotFound
from models.records.meetings import ActionItemRecord, MeetingRecord, MeetingRecords
from models.records.obligations import (
    DueRecord,
    EscalationRecord,
    ObligationRecords,
    OccurrenceEvent,
    OccurrenceRecord,
    ReviewRecord,
    SubmissionRecord,
)
from models.records.outbox import OutboxEntry, OutboxRecords
from models.records.placements import PlacementRecord, PlacementRecords, ProviderPlacementStats
from models.records.recoveries import (
    RecoveryLineRecord,
    RecoveryRecord,
    RecoveryRecords,
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
]


class RecordStore(
    ContractRecords,
    ObligationRecords,
    ReportRecords,
    AuditRecords,
    OutboxRecords,
    ApplicationRecords,
    MeetingRecords,
    RecoveryRecords,
    PlacementRecords,
    UserRecords,
):
    """Every concept's records behind one object, as activities and services use them."""
