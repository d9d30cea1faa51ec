"""Applications to become a provider, and their skallkrav assessments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from models.records.keyed import (
    KeyedStore,
    _given,
    _one_of,
    _org_nr,
)
from models.records.tables import (
    ASSESSMENT_OUTCOMES,
    Application,
    ApplicationAssessment,
)


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    application_id: str
    org_nr: str
    status: str
    submitted_at: datetime | None
    decided_at: datetime | None
    decision: str | None
    reason: str | None
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    idempotency_key: str
    application_id: str
    org_nr: str
    requirement: str
    outcome: str
    note: str
    actor: str
    at: datetime


class ApplicationRecords(KeyedStore):
    async def upsert_application(
        self,
        application_id: str,
        org_nr: str,
        status: str,
        at: datetime,
        submitted_at: datetime | None = None,
        decided_at: datetime | None = None,
        decision: str | None = None,
        reason: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> bool:
        state = {
            "status": status,
            "submitted_at": submitted_at,
            "decided_at": decided_at,
            "decision": decision,
            "reason": reason,
            "data": dict(data or {}),
        }
        values = {**state, "application_id": application_id, "org_nr": _org_nr(org_nr)}
        key = Application.application_id == application_id
        return await self._upsert(Application, key, values, state, at)

    async def get_application(self, application_id: str) -> ApplicationRecord | None:
        return await self._one(
            ApplicationRecord,
            select(Application).where(Application.application_id == application_id),
        )

    async def list_applications(
        self,
        org_nr: str | None = None,
        *,
        plan_id: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> list[ApplicationRecord]:
        """Applications, newest first, optionally only one provider's, one plan's, in one
        state, or those whose id, org nr, applicant name or e-mail contains `search` (any case)."""
        query = select(Application).order_by(Application.submitted_at.desc(), Application.id.desc())
        query = query.where(
            *_given(
                (Application.org_nr, org_nr),
                (Application.data["plan_id"].as_string(), plan_id),
                (Application.status, status),
            )
        )
        if search:
            query = query.where(
                or_(
                    *(
                        column.icontains(search, autoescape=True)
                        for column in (
                            Application.application_id,
                            Application.org_nr,
                            Application.data["provider_name"].as_string(),
                            Application.data["email"].as_string(),
                        )
                    )
                )
            )
        return await self._snapshots(ApplicationRecord, query)

    async def record_assessment(
        self,
        key: str,
        application_id: str,
        org_nr: str,
        requirement: str,
        outcome: str,
        note: str,
        actor: str,
        at: datetime,
    ) -> bool:
        _one_of("outcome", outcome, ASSESSMENT_OUTCOMES)
        values = {
            "idempotency_key": key,
            "application_id": application_id,
            "org_nr": _org_nr(org_nr),
            "requirement": requirement,
            "outcome": outcome,
            "note": note,
            "actor": actor,
            "at": at,
        }
        return await self._insert_once(
            ApplicationAssessment, values, ApplicationAssessment.idempotency_key == key
        )

    async def list_assessments(self, application_id: str) -> list[AssessmentRecord]:
        query = (
            select(ApplicationAssessment)
            .where(ApplicationAssessment.application_id == application_id)
            .order_by(ApplicationAssessment.at, ApplicationAssessment.id)
        )
        return await self._snapshots(AssessmentRecord, query)
