"""`lov audit`: what the municipality did about one provider, from records and histories.

The timeline comes from the records database (every outcome in `audit_events`, every e-mail in
the outbox) and is checked against Temporal: each outcome and each e-mail is written by an
activity whose input (with the same idempotency key) is in the workflow's history. Both sides
must hold the same keys; a difference is reported and the command exits 1. The workflows
checked are those the records name and every one Temporal's visibility lists for the provider,
so records that lost a workflow entirely do not pass as "in agreement".
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from models.domain.audit import (
    TimelineEntry,
    UnknownKeyError,
    VerifyError,
    caller_of,
    export_lines,
    in_period,
    one_line,
    ordered,
    provider_workflows_queries,
    to_csv,
    verify_export,
    with_callers,
)
from models.domain.audit_signing import (
    SigningKeyError,
    check_key_id,
    new_key_pair,
    public_keys,
    signer,
)
from models.domain.file_input import MAX_AUDIT_EXPORT_BYTES, FileInputError, read_text
from models.messages.audit import AuditRecord
from models.messages.mail import MailRequest
from models.messages.placement import PlacementReport
from models.messages.recovery import RecoveryStepWrite
from models.records.db import make_engine, make_session_factory
from models.records.store import RecordStore
from models.runtime.settings import Settings
from models.runtime.temporal import run_chain
from services.calls import contract_ids, provider_ref
from starter.contract import _date, _org_nr, _run, _settings
from starter.errors import fail, fail_bad_input
from starter.records_db import records_url

LOCAL = ZoneInfo("Europe/Stockholm")
SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
COMPLETED = EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
STARTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED


# --- the timeline from the records ------------------------------------------------------------


async def timeline(store: RecordStore, org_nr: str) -> list[TimelineEntry]:
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
            details={k: v for k, v in a.details.items() if k not in ("obligation", "period")},
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
    if isinstance(value, RecoveryStepWrite):
        return f"{value.key}:audit", value.org_nr
    if isinstance(value, PlacementReport):
        return value.event_key, value.write.org_nr
    return None


# Every activity that writes an audit event or sends an e-mail, with its input type.
_INPUTS: dict[str, type[Any]] = {
    "record_audit": AuditRecord,
    "record_recovery_step": RecoveryStepWrite,
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
    recorded_mail = {
        e.key
        for e in entries
        if e.source == "email" and e.status == "sent" and e.workflow_id in checked
    }
    result.events = len(recorded_events)
    result.emails = len(recorded_mail)
    result.only_in_records = sorted((recorded_events - audit_keys) | (recorded_mail - mail_keys))
    result.only_in_history = sorted((audit_keys - recorded_events) | (mail_keys - recorded_mail))
    return result


# --- the command --------------------------------------------------------------------------------


def _text(entries: list[TimelineEntry]) -> str:
    lines = []
    for e in entries:
        local = e.at.astimezone(LOCAL)
        item = f"{e.obligation} {e.period}" if e.obligation else (e.workflow_id or "")
        # Values come from records (actors, notes, subjects): one entry is always one line.
        who = e.actor + (f" (OS-användare {e.caller})" if e.caller else "")
        lines.append(one_line(f"{local:%Y-%m-%d %H:%M} · {item} · {e.summary()} · av {who}"))
    return "\n".join(lines)


async def _store_timeline(settings: Settings, org_nr: str) -> list[TimelineEntry]:
    engine = make_engine(settings.resolved_database_url)
    try:
        return await timeline(RecordStore(make_session_factory(engine)), org_nr)
    finally:
        await engine.dispose()


def audit(
    target: Annotated[
        str,
        typer.Argument(
            metavar="ORGNR|verify|keygen",
            help="Utförarens organisationsnummer, 'verify' följt av en exportfil, eller "
            "'keygen' för ett nytt nyckelpar att försegla exporter med. "
            "(The provider's org nr, 'verify FILE', or 'keygen'.)",
            show_default=False,
        ),
    ],
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FIL]", help="Exportfil att kontrollera. (Export to verify.)"),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="ÅÅÅÅ-MM-DD", help="Från och med. (From date.)"),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="ÅÅÅÅ-MM-DD", help="Till och med. (To date.)"),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Arkivexport: JSON-rader med hashkedja. (Archivable JSON.)"),
    ] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV. (Spreadsheet.)")] = False,
    records_only: Annotated[
        bool,
        typer.Option(
            "--records-only",
            help="Jämför inte med Temporals historik. (Skip the check against histories.)",
        ),
    ] = False,
    key_id: Annotated[
        str | None,
        typer.Option(
            "--key-id",
            metavar="ID",
            help="Med keygen: nyckelns id, t.ex. 2027-01. (Key id for keygen; default today.)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Tidslinje för en utförare: allt som förfallit, påminnelser, inlämningar, granskningar,
    eskaleringar och beslut, och vem som gjorde vad; kontrolleras mot Temporals historik.
    `lov audit verify FIL` kontrollerar en arkiverad JSON-export; `lov audit keygen` skapar
    nyckelparet som exporterna förseglas med.
    (One provider's timeline, checked against the histories; `verify FILE` checks an export;
    `keygen` makes the key pair that seals exports.)"""
    if key_id is not None and target != "keygen":
        fail_bad_input(f"--key-id: bara med keygen (only with keygen), fick {key_id!r}")
    if target == "keygen":
        _keygen(key_id)
        return
    if target == "verify":
        _verify(file)
        return
    if file is not None:
        fail_bad_input(f"FIL: bara med verify (only with verify), fick {file}")
    if as_json and as_csv:
        fail_bad_input("--json/--csv: välj det ena (choose one)")
    org = _org_nr(target)
    first = _date(start, "--from") if start else None
    last = _date(end, "--to") if end else None
    if first and last and last < first:
        fail_bad_input("--to: före --from (before --from)")
    settings = _settings()
    try:
        # Before anything is read: a key that cannot be used is a setting to fix, not a failure.
        seal_with = signer(settings) if as_json else None
    except SigningKeyError as err:
        fail_bad_input(str(err))
    records_url(settings)  # exit 2 if there is no database; never create an empty one
    try:
        entries = asyncio.run(_store_timeline(settings, org))
    except Exception as err:  # the database is the one source we cannot do without
        fail(f"Registret (records database): {' '.join(str(err).split())}")
    agreement: Agreement | None = None
    if not records_only:

        async def action(client: Client) -> Agreement:
            return await check_histories(client, org, entries)

        agreement = _run(settings, action)
        entries = with_callers(entries, agreement.callers)
    shown = in_period(entries, first, last, LOCAL)
    if as_json:
        lines = export_lines(
            org,
            shown,
            datetime.now(UTC),
            first,
            last,
            agreement.as_dict() if agreement else {"checked": False},
            seal_with,
        )
        typer.echo("\n".join(lines))
        if seal_with is None:
            typer.echo(
                "obs: exporten är inte förseglad (not sealed): ingen LOV_AUDIT_SIGNING_KEY är "
                "satt, "
                "så `lov audit verify` kan inte visa att den är oförändrad. Skapa en nyckel med "
                "`lov audit keygen`.",
                err=True,
            )
    elif as_csv:
        typer.echo(to_csv(shown), nl=False)
    else:
        typer.echo(_text(shown) or f"Inget registrerat för {org} (nothing recorded).")
        if agreement is not None and agreement.agrees:
            typer.echo(
                f"Register och historik stämmer överens (records and histories agree): "
                f"{agreement.events} händelser, {agreement.emails} e-post, "
                f"{agreement.workflows} arbetsflöden, {agreement.runs} körningar."
            )
    if agreement is not None and not agreement.agrees:
        diff = agreement.only_in_records[:3] + agreement.only_in_history[:3]
        lost = agreement.unrecorded_workflows
        fail(
            "Register och historik skiljer sig (records and histories differ): "
            f"{len(agreement.only_in_records)} bara i registret, "
            f"{len(agreement.only_in_history)} bara i historiken, t.ex. {', '.join(diff)}"
            + (
                f"; {len(lost)} arbetsflöden saknas i registret (workflows missing from the "
                f"records): {', '.join(lost[:5])}"
                if lost
                else ""
            )
        )


def _keygen(key_id: str | None) -> None:
    kid = key_id if key_id is not None else datetime.now(UTC).date().isoformat()
    try:
        check_key_id(kid, "--key-id")
    except SigningKeyError as err:
        fail_bad_input(str(err))
    private, public = new_key_pair()
    # Printed once, for the operator to put in the secret store; settings never print it again.
    typer.echo(
        "# Nytt nyckelpar för revisionsexporter (new audit signing key pair). Den privata nyckeln\n"
        "# är hemlig: lägg den i hemlighetsförrådet, inte i en delad fil. Den publika nyckeln ska\n"
        "# finnas kvar i LOV_AUDIT_PUBLIC_KEYS så länge exporter förseglade med den arkiveras.\n"
        f"LOV_AUDIT_SIGNING_KEY_ID={kid}\n"
        f"LOV_AUDIT_SIGNING_KEY={private}\n"
        f"LOV_AUDIT_PUBLIC_KEYS={json.dumps({kid: public})}"
    )


def _verify(file: Path | None) -> None:
    if file is None:
        fail_bad_input("FIL: ange exportfilen (give the export file): lov audit verify FIL")
    try:
        text = read_text(file, MAX_AUDIT_EXPORT_BYTES)
    except FileInputError as err:
        fail_bad_input(f"FIL: kan inte läsa {file} (cannot read): {err}")
    try:
        keys = public_keys(_settings())
    except SigningKeyError as err:
        fail_bad_input(str(err))
    try:
        verified = verify_export(text, keys)
    except FileInputError as err:  # a line nested too deeply, a number too long
        fail_bad_input(f"FIL: {file}: {err}")
    except UnknownKeyError as err:
        fail(f"Exporten är förseglad med en okänd nyckel (unknown key id): {file}: {err}")
    except VerifyError as err:
        fail(f"Exporten är ändrad (the export has been altered): {file}: {err}")
    if not verified.sealed:
        # The chain holds, but anyone can recompute a chain: without a seal there is nothing to
        # show the file is what lovflow exported. Not a success, so scripts do not accept it.
        fail(
            f"Exporten är inte förseglad (not sealed): {file}: kedjan är hel men signatur saknas, "
            "så ändringar kan ha dolts genom att kedjan räknats om "
            f"({verified.org_nr}, {verified.entries} poster)"
        )
    typer.echo(
        f"OK: {file} är oförändrad (intact) och förseglad med nyckel {verified.key_id} "
        f"(sealed): {verified.org_nr}, {verified.entries} poster"
    )
