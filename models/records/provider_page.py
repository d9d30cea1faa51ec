"""The parts of the records one provider's page reads (`lov provider`, the desk's provider page):
its contracts, duties and escalations, meetings, recoveries and placements.

A class of its own so that `lov provider` imports only these stores, not the reports, audit,
outbox, applications and users (docs/PERFORMANCE.md §5); `RecordStore` is built on it.
"""

from __future__ import annotations

from models.records.contracts import ContractRecords
from models.records.meetings import MeetingRecords
from models.records.obligations import ObligationRecords
from models.records.placements import PlacementRecords
from models.records.recoveries import RecoveryRecords


class ProviderPageRecords(
    ContractRecords,
    ObligationRecords,
    MeetingRecords,
    RecoveryRecords,
    PlacementRecords,
):
    """Contracts, obligations, meetings, recoveries and placements behind one object."""
