"""Follow-up meetings and their action items."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, exists, or_, select

from models.records.keyed import (
    KeyedStore,
    _given,
    _org_nr,
)
from models.records.tables import (
    Contract,
    Meeting,
    MeetingActionItem,
)


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    meeting_id: str
    org_nr: str
    period: str
    status: str
    scheduled_at: datetime | None
    place: str | None
    minutes: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    window_start: date | None = None
    window_end: date | None = None
    ends_at: datetime | None = None
    link: str | None = None
    sequence: int | None = None
    escalated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActionItemRecord:
    idempotency_key: str
    meeting_id: str
    org_nr: str
    number: int
    owner: str
    due: date
    text: str
    obligation_workflow_id: str | None
    created_at: datetime


class MeetingRecords(KeyedStore):
    async def upsert_meeting(
        self,
        meeting_id: str,
        org_nr: str,
        period: str,
        status: str,
        at: datetime,
        scheduled_at: datetime | None = None,
        place: str | None = None,
        minutes: Mapping[str, Any] | None = None,
        window_start: date | None = None,
        window_end: date | None = None,
        ends_at: datetime | None = None,
        link: str | None = None,
        sequence: int | None = None,
        escalated_at: datetime | None = None,
    ) -> bool:
        """Record the meeting's current state (absolute values: a repeat is a no-op); False if
        a newer state is already recorded."""
        state = {
            "status": status,
            "scheduled_at": scheduled_at,
            "place": place,
            "minutes": None if minutes is None else dict(minutes),
            "window_start": window_start,
            "window_end": window_end,
            "ends_at": ends_at,
            "link": link,
            "sequence": sequence,
            "escalated_at": escalated_at,
        }
        values = {**state, "meeting_id": meeting_id, "org_nr": _org_nr(org_nr), "period": period}
        return await self._upsert(Meeting, Meeting.meeting_id == meeting_id, values, state, at)

    async def get_meeting(self, meeting_id: str) -> MeetingRecord | None:
        return await self._one(
            MeetingRecord, select(Meeting).where(Meeting.meeting_id == meeting_id)
        )

    async def list_meetings(
        self,
        org_nr: str | None = None,
        *,
        plan_id: str | None = None,
        status: str | None = None,
        from_day: date | None = None,
        to_day: date | None = None,
        zone: tzinfo = UTC,
    ) -> list[MeetingRecord]:
        """Meetings by start time (those without a time last, by the end of their window).

        `plan_id`: meetings of providers with a contract under that plan. `from_day`/`to_day`
        (inclusive, days in `zone`): a meeting with a time counts if it starts within them, one
        without a time (not yet booked, or called off before) if its window overlaps them."""
        query = select(Meeting).order_by(
            Meeting.scheduled_at.is_(None),
            Meeting.scheduled_at,
            Meeting.window_end,
            Meeting.meeting_id,
        )
        query = query.where(*_given((Meeting.org_nr, org_nr), (Meeting.status, status)))
        if plan_id is not None:
            query = query.where(
                exists().where(Contract.org_nr == Meeting.org_nr, Contract.plan_id == plan_id)
            )
        if from_day is not None:
            start = datetime.combine(from_day, time(), zone)
            query = query.where(
                or_(
                    Meeting.scheduled_at >= start,
                    and_(Meeting.scheduled_at.is_(None), Meeting.window_end >= from_day),
                )
            )
        if to_day is not None:
            end = datetime.combine(to_day + timedelta(days=1), time(), zone)
            query = query.where(
                or_(
                    Meeting.scheduled_at < end,
                    and_(Meeting.scheduled_at.is_(None), Meeting.window_start <= to_day),
                )
            )
        return await self._snapshots(MeetingRecord, query)

    async def record_action_item(
        self,
        key: str,
        meeting_id: str,
        org_nr: str,
        number: int,
        owner: str,
        due: date,
        text: str,
        obligation_workflow_id: str | None,
        at: datetime,
    ) -> bool:
        values = {
            "idempotency_key": key,
            "meeting_id": meeting_id,
            "org_nr": _org_nr(org_nr),
            "number": number,
            "owner": owner,
            "due": due,
            "text": text,
            "obligation_workflow_id": obligation_workflow_id,
            "created_at": at,
        }
        return await self._insert_once(
            MeetingActionItem, values, MeetingActionItem.idempotency_key == key
        )

    async def list_action_items(self, meeting_id: str) -> list[ActionItemRecord]:
        return await self._snapshots(
            ActionItemRecord,
            select(MeetingActionItem)
            .where(MeetingActionItem.meeting_id == meeting_id)
            .order_by(MeetingActionItem.number),
        )
