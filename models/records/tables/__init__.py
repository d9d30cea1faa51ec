"""ORM tables of the records database, the system of record for outcomes.

Temporal keeps the process; these tables keep what happened: submissions, reviews, e-mails sent
(the outbox), escalations and the audit trail, so that reporting across providers and the
auditors' "what did you do about provider X in 2027?" never need workflow history.

One module per concept (contracts, applications, obligations, mail, meetings, recoveries,
placements, audit, users), each with its tables and the values its CHECK constraints allow; `base`
holds what they share, `columns` the column types most of them use. Importing this package
registers every table on `Base.metadata`, which Alembic and the schema tests compare against the
migrations.

Conventions:
- Every timestamp is timezone-aware and stored in UTC (`UTCDateTime`), on SQLite too.
- Business timestamps come from the caller (workflow time), so there are no server defaults.
- Constraint names follow `NAMING_CONVENTION`, so that the hand-written Alembic migration and the
  ORM agree on names and later migrations can drop constraints by name on both engines.
- The migration in `alembic/versions/` must create exactly this schema; `tests/models/test_db.py`
  compares the two on SQLite and PostgreSQL.
"""

from __future__ import annotations

from models.records.tables.applications import (
    ASSESSMENT_OUTCOMES,
    Application,
    ApplicationAssessment,
)
from models.records.tables.audit import AuditEvent
from models.records.tables.base import (
    NAMING_CONVENTION,
    ORG_NR_SHAPE_SQL,
    Base,
    UTCDateTime,
    in_values,
)
from models.records.tables.contracts import (
    CONTRACT_STATUSES,
    TERMINATION_KINDS,
    Contract,
    ContractYear,
    Provider,
)
from models.records.tables.findings import (
    FINDING_SEVERITIES,
    FINDING_SOURCES,
    FINDING_STATUSES,
    SANCTION_KINDS,
    Finding,
    FindingDecision,
    FindingStep,
)
from models.records.tables.mail import OUTBOX_STATUSES, MailFailure, MailOutage, Notification
from models.records.tables.meetings import Meeting, MeetingActionItem
from models.records.tables.municipal_tasks import TASK_SCOPES, TASK_STATES, MunicipalTask
from models.records.tables.obligations import (
    OCCURRENCE_STATUSES,
    REVIEW_OUTCOMES,
    Escalation,
    ObligationOccurrence,
    Review,
    Submission,
)
from models.records.tables.placements import PLACEMENT_STATUSES, Placement
from models.records.tables.recoveries import RECOVERY_STATUSES, Recovery, RecoveryLine, RecoveryStep
from models.records.tables.users import USER_ROLES, LoginFailure, User

__all__ = [
    "ASSESSMENT_OUTCOMES",
    "Application",
    "ApplicationAssessment",
    "AuditEvent",
    "Base",
    "CONTRACT_STATUSES",
    "Contract",
    "ContractYear",
    "Escalation",
    "MailFailure",
    "MailOutage",
    "Meeting",
    "MeetingActionItem",
    "NAMING_CONVENTION",
    "Notification",
    "OCCURRENCE_STATUSES",
    "ORG_NR_SHAPE_SQL",
    "OUTBOX_STATUSES",
    "ObligationOccurrence",
    "PLACEMENT_STATUSES",
    "Placement",
    "Provider",
    "RECOVERY_STATUSES",
    "REVIEW_OUTCOMES",
    "Recovery",
    "RecoveryLine",
    "RecoveryStep",
    "Review",
    "Submission",
    "TERMINATION_KINDS",
    "USER_ROLES",
    "User",
    "LoginFailure",
    "UTCDateTime",
    "in_values",
    "FINDING_SEVERITIES",
    "FINDING_SOURCES",
    "FINDING_STATUSES",
    "SANCTION_KINDS",
    "Finding",
    "FindingDecision",
    "FindingStep",
    "MunicipalTask",
    "TASK_STATES",
    "TASK_SCOPES",
]
