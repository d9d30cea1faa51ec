"""Audit: what the municipality did about one provider, from the records and the histories.

The timeline comes from the records database (every outcome in `audit_events`, every e-mail in
the outbox) and is checked against Temporal: each outcome and each e-mail is written by an
activity whose input (with the same idempotency key) is in the workflow's history. Both sides
must hold the same keys; a difference is reported (`Agreement.agrees`). The workflows checked
are those the records name and every one Temporal's visibility lists for the provider, so
records that lost a workflow entirely do not pass as "in agreement". Read only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from models.domain.audit import (
    TimelineEntry,
    caller_of,
    export_lines,
    in_follow_up_year,
    in_period,
    ordered,
    presented,
    provider_workflows_queries,
)
from models.domain.audit_signing import Signer
from models.messages.audit import AuditRecord
from models.messages.finding import FindingStepWrite
from models.messages.mail import MailRequest, request_key
from models.messages.placement import PlacementReport
from models.messages.recovery import RecoveryStepWrite
from models.records.db import make_engine, make_session_factory
from models.records.store import RecordStore
from models.runtime.temporal import run_chain
from services.calls import contract_ids, provider_ref

SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
COMPLETED = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
STARTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED


# --- the timeline from the records ------------------------------------------------------------


async def timeline(store: RecordStore, org_nr: str) -> list[TimelineEntry]:
    # A recovery case concerns one follow-up year, which its events and e-mails do not carry;
    # so does a finding (the year it was registered).
    years = {r.workflow_id: r.year for r in await store.list_recoveries(org_nr)}
    years |= {f.workflow_id: f.year for f in await store.list_findings(org_nr)}
    # A contract's start event names the plan only; its start date decides its follow-up year.
    starts = {c.workflow_id: c.start_date.isoformat() for c in await store.contracts_of(org_nr)}
    entries = [
        TimelineEntry(
            at=a.at,
            source="event",
            type=a.event_type,
            workflow_id=a.workflow_id,
            actor=a.actor,
            obligation=a.details.get("obligation"),
            period=a.details.get("period"),
            key=a.idempotency_key,
            details={k: v for k, v in a.details.items() if k not in ("obligation", "period")}
            | (
                {"start": starts[a.workflow_id]}
                if a.event_type == "contract-started" and a.workflow_id in starts
                else {}
            ),
            year=years.get(a.workflow_id or ""),
        )
        for a in await store.list_audit(org_nr)
    ]
    entries += [
        TimelineEntry(
            at=n.created_at,
            source="email",
            type=n.kind,
            workflow_id=n.workflow_id,
            obligation=n.obligation,
            period=n.period,
            to=list(n.recipients),
            subject=n.subject,
            status=n.status,
            key=n.idempotency_key,
            details={"message_id": n.message_id, "attempts": n.attempts}
            | ({"error": n.last_error} if n.last_error else {}),
            year=years.get(n.workflow_id or ""),
        )
        for n in await store.list_notifications(org_nr)
    ]
    return ordered(entries)


# --- the same steps from Temporal's histories ---------------------------------------------------


@dataclass
class Agreement:
    workflows: int = 0
    runs: int = 0
    events: int = 0
    emails: int = 0
    only_in_records: list[str] = field(default_factory=list)
    only_in_history: list[str] = field(default_factory=list)
    not_retained: list[str] = field(default_factory=list)
    # Workflows of the provider that Temporal's visibility lists and whose histories hold steps
    # for it, but that no record mentions: the records lost them.
    unrecorded_workflows: list[str] = field(default_factory=list)
    # Whether visibility could be asked (not on the time-skipping test server).
    visibility: bool = True
    # (workflow id, claimed actor) → callers Temporal recorded for requests carrying that actor.
    callers: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        return not (self.only_in_records or self.only_in_history or self.unrecorded_workflows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workflows": self.workflows,
            "runs": self.runs,
            "events": self.events,
            "emails": self.emails,
            "agrees": self.agrees,
            "only_in_records": self.only_in_records,
            "only_in_history": self.only_in_history,
            "not_retained": self.not_retained,
            "unrecorded_workflows": self.unrecorded_workflows,
            "visibility": self.visibility,
        }


async def _runs(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run under the id: all executions from visibility, or else the continue-as-new chain
    back from the latest (a server without visibility listing, e.g. the test server)."""
    run_ids: list[str | None] = []
    try:
        async for execution in client.list_workflows(f"WorkflowId = '{workflow_id}'"):
            run_ids.append(execution.run_id)
    except RPCError:
        run_ids = []
    if run_ids:
        return [
            await client.get_workflow_handle(workflow_id, run_id=r).fetch_history() for r in run_ids
        ]
    return await run_chain(client, workflow_id)


def _audit_key(value: Any) -> tuple[str, str | None] | None:
    """(idempotency key, org nr) of the audit event an activity input writes, if it writes one."""
    if isinstance(value, AuditRecord):
        return value.key, value.org_nr
    if isinstance(value, RecoveryStepWrite | FindingStepWrite):
        return f"{value.key}:audit", value.org_nr
    if isinstance(value, PlacementReport):
        return value.event_key, value.write.org_nr
    return None


# Every activity that writes an audit event or sends an e-mail, with its input type.
_INPUTS: dict[str, type[Any]] = {
    "record_audit": AuditRecord,
    "record_recovery_step": RecoveryStepWrite,
    "record_finding_step": FindingStepWrite,
    "record_placement": PlacementReport,
    "send_mail": MailRequest,
}


async def _step_keys(
    client: Client, history: WorkflowHistory, org_nr: str
) -> tuple[set[str], set[str]]:
    """Idempotency keys of this provider's audit events and e-mails written by the completed
    activities of one run (a placement's run can concern two providers: a switch)."""
    scheduled = {e.event_id: e for e in history.events if e.event_type == SCHEDULED}
    audit: set[str] = set()
    mail: set[str] = set()
    converter = client.data_converter
    for event in history.events:
        if event.event_type != COMPLETED:
            continue
        attrs = scheduled[event.activity_task_completed_event_attributes.scheduled_event_id]
        a = attrs.activity_task_scheduled_event_attributes
        name = a.activity_type.name
        if name not in _INPUTS:
            continue
        # decode() applies the payload codec (encryption) first, when one is configured.
        [value] = await converter.decode(list(a.input.payloads), [_INPUTS[name]])
        if isinstance(value, MailRequest):
            if value.org_nr == org_nr:
                mail.add(value.key)
        elif (found := _audit_key(value)) is not None and found[1] == org_nr:
            audit.add(found[0])
    return audit, mail


async def provider_workflows(
    client: Client, org_nr: str, ref: str | None = None
) -> set[str] | None:
    """Ids of every workflow Temporal's visibility lists for the provider, or None when the
    server has no visibility to ask."""
    for query in provider_workflows_queries(org_nr, ref):
        try:
            return {w.id async for w in client.list_workflows(query)}
        except RPCError:
            continue  # e.g. no STARTS_WITH in this visibility store: the next, simpler query
    return None


def _requests(history: WorkflowHistory) -> list[tuple[str, list[Payload]]]:
    """(caller identity, arguments) of every request a client made to the run: its start,
    signals and accepted Updates."""
    found = []
    for event in history.events:
        if event.event_type == STARTED:
            a = event.workflow_execution_started_event_attributes
            found.append((a.identity, list(a.input.payloads)))
        elif event.event_type == SIGNALED:
            s = event.workflow_execution_signaled_event_attributes
            found.append((s.identity, list(s.input.payloads)))
        elif event.event_type == UPDATE_ACCEPTED:
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            found.append((request.meta.identity, list(request.input.args.payloads)))
    return found


async def _callers(client: Client, history: WorkflowHistory) -> dict[str, set[str]]:
    """Claimed actor → the callers (OS user@host of the CLI) that sent requests naming it."""
    found: dict[str, set[str]] = {}
    for identity, args in _requests(history):
        if not identity or not args:
            continue
        try:
            [value] = await client.data_converter.decode(args[:1], [dict[str, Any]])
        except Exception:  # an argument that is no object (or undecodable): names no actor
            continue
        actor = value.get("actor") if isinstance(value, dict) else None
        if isinstance(actor, str):
            found.setdefault(actor, set()).add(caller_of(identity))
    return found


async def check_histories(
    client: Client, org_nr: str, entries: Iterable[TimelineEntry]
) -> Agreement:
    entries = list(entries)
    recorded_ids = {e.workflow_id for e in entries if e.workflow_id}
    # Not only the workflows the records name: when records are lost, so are their ids; Temporal
    # still lists the provider's workflows, and their histories say what was done.
    visible = await provider_workflows(client, org_nr, provider_ref(org_nr))
    ids = sorted(recorded_ids | set(contract_ids(org_nr)) | (visible or set()))
    result = Agreement(visibility=visible is not None)
    audit_keys: set[str] = set()
    mail_keys: set[str] = set()
    checked: set[str] = set()
    for wid in ids:
        try:
            histories = await _runs(client, wid)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                if any(e.workflow_id == wid for e in entries):
                    result.not_retained.append(wid)
                continue
            raise
        result.workflows += 1
        result.runs += len(histories)
        checked.add(wid)
        for history in histories:
            a, m = await _step_keys(client, history, org_nr)
            audit_keys |= a
            mail_keys |= m
            if (a or m) and wid not in recorded_ids and wid not in result.unrecorded_workflows:
                result.unrecorded_workflows.append(wid)
            for actor, callers in (await _callers(client, history)).items():
                result.callers.setdefault((wid, actor), set()).update(callers)
    recorded_events = {e.key for e in entries if e.source == "event" and e.workflow_id in checked}
    # An e-mail still pending (SMTP down) has no completed activity yet: only sent ones count.
    # The staff's copy of an e-mail with the provider's portal link is the same activity's.
    recorded_mail = {
        request_key(e.key)
        for e in entries
        if e.source == "email" and e.status == "sent" and e.workflow_id in checked
    }
    result.events = len(recorded_events)
    result.emails = len(recorded_mail)
    result.only_in_records = sorted((recorded_events - audit_keys) | (recorded_mail - mail_keys))
    result.only_in_history = sorted((audit_keys - recorded_events) | (mail_keys - recorded_mail))
    return result


# --- what is shown and exported ------------------------------------------------------------------


def selected(
    entries: Iterable[TimelineEntry],
    tz: tzinfo,
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[TimelineEntry]:
    """The entries an auditor asked for (`--from/--to` by local date, `--year` by follow-up
    year), in the one format the audit shows (local time with offset, kebab-case types,
    amounts in kronor): what `lov audit` prints and exports, and what the desk shows."""
    shown = in_period(entries, start, end, tz)
    if year is not None:
        shown = in_follow_up_year(shown, year, tz)
    return [presented(e, tz) for e in shown]


def sealed_export(
    org_nr: str,
    shown: Sequence[TimelineEntry],
    generated_at: datetime,
    agreement: Agreement | None,
    seal_with: Signer | None,
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> str:
    """The archivable export of `lov audit --json` (header, entries, seal; signed when a
    signing key is configured): the same text from the CLI and the desk. `agreement` None:
    not checked against Temporal's histories (`--records-only`)."""
    lines = export_lines(
        org_nr,
        shown,
        generated_at,
        start,
        end,
        agreement.as_dict() if agreement else {"checked": False},
        seal_with,
        year,
    )
    return "\n".join(lines)


async def store_timeline(database_url: str, org_nr: str) -> list[TimelineEntry]:
    """The provider's timeline from the records database at `database_url`."""
    engine = make_engine(database_url)
    try:
        return await timeline(RecordStore(make_session_factory(engine)), org_nr)
    finally:
        await engine.dispose()
