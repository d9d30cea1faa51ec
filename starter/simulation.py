"""`lov simulate`: a scenario on the time-skipping server with the real workflows and activities.

Mail goes to an in-process SMTP server and records to a throw-away SQLite database; years pass in
seconds. The output is what an auditor would see afterwards: every e-mail, escalation, status
change and administrator action, in time order.
"""

from __future__ import annotations

import email
import hashlib
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import SecretStr
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment

from models.domain.provider_id import ProviderIds, new_key
from models.messages.common import Provider
from models.messages.contract import ChangeContactRequest, TerminateRequest
from models.messages.obligation import (
    DocumentRef,
    ExtendRequest,
    ReviewRequest,
    SubmitRequest,
    WaiveRequest,
)
from models.plans.scenario import Scenario, ScenarioError, ScenarioEvent, event_instant
from models.plans.schema import Plan
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.runtime.settings import Settings
from models.runtime.temporal import data_converter, find_binary
from services import calls as actions
from services import contracts, obligations
from services.errors import ActionError
from starter.ports import free_port
from worker import create_worker

# Output order for entries at the same instant: what happened, then what it caused.
_TYPE_ORDER = {"action": 0, "status": 1, "escalation": 2, "email": 3, "error": 4}


class Mailbox:
    """An in-process SMTP server (aiosmtpd) that keeps every message in memory."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        message = email.message_from_bytes(data, _class=EmailMessage, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def start(self) -> int:
        self._controller.start()
        return self.port

    def stop(self) -> None:
        self._controller.stop()


@dataclass
class Simulation:
    scenario: Scenario
    plan: Plan
    plan_ref: str
    entries: list[dict[str, Any]] = field(default_factory=list)

    def sorted_entries(self) -> list[dict[str, Any]]:
        """Entries in time order, `at` as ISO text with the plan's UTC offset."""
        zone = ZoneInfo(self.plan.time_zone)
        ordered = sorted(
            self.entries, key=lambda e: (e["at"], _TYPE_ORDER.get(e["type"], 9), e.get("seq", 0))
        )
        return [
            {
                "at": e["at"].astimezone(zone).isoformat(timespec="seconds"),
                **{k: v for k, v in e.items() if k not in ("at", "seq")},
            }
            for e in ordered
        ]


async def _perform(
    env: WorkflowEnvironment, event: ScenarioEvent, zone: ZoneInfo
) -> dict[str, Any]:
    client, org = env.client, event.provider
    entry: dict[str, Any] = {"action": event.action, "actor": event.actor}
    ob, period = event.obligation or "", event.period or ""
    if event.action == "submit":
        docs = [
            # A scenario names documents but has no files: a digest of the name stands in.
            DocumentRef(
                key=key,
                filename=f"{key}.pdf",
                sha256=hashlib.sha256(key.encode()).hexdigest(),
                size=0,
            )
            for key in event.documents
        ]
        req = SubmitRequest(fields=event.fields, documents=docs, note=event.note, actor=event.actor)
        await obligations.submit(client, org, ob, period, req)
    elif event.action == "accept":
        await obligations.review(
            client,
            org,
            ob,
            period,
            ReviewRequest(outcome="accept", note=event.note, actor=event.actor),
        )
    elif event.action == "request-completion":
        await obligations.review(
            client,
            org,
            ob,
            period,
            ReviewRequest(
                outcome="request-completion",
                note=event.note,
                new_due=event.new_due,
                actor=event.actor,
            ),
        )
    elif event.action == "waive":
        await obligations.waive(
            client, org, ob, period, WaiveRequest(reason=event.reason, actor=event.actor)
        )
    elif event.action == "extend":
        assert event.new_due is not None
        await obligations.extend(
            client,
            org,
            ob,
            period,
            ExtendRequest(new_due=event.new_due, reason=event.reason, actor=event.actor),
        )
    elif event.action == "terminate":
        end = event.end_date or event_instant(event, zone.key).date()
        await contracts.terminate(
            client,
            org,
            TerminateRequest(end_date=end, kind=event.kind, reason=event.reason, actor=event.actor),
        )
        entry["end_date"] = end.isoformat()
    elif event.action == "change-contact":
        assert event.email is not None
        await contracts.change_contact(
            client, org, ChangeContactRequest(email=event.email, actor=event.actor)
        )
    if event.obligation:
        entry["obligation"], entry["period"] = ob, period
    return entry


async def run_simulation(
    scenario: Scenario,
    plan: Plan,
    plan_ref: str,
    settings: Settings,
    scenario_name: str = "scenario",
) -> Simulation:
    zone = ZoneInfo(plan.time_zone)
    sim = Simulation(scenario, plan, plan_ref)
    mailbox = Mailbox()
    port = mailbox.start()
    with tempfile.TemporaryDirectory(prefix="lov-simulate-") as tmp:
        db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'records.db'}"
        await upgrade(db_url)
        sim_settings = settings.model_copy(
            update={
                "database_url": db_url,
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_starttls": False,
                "smtp_use_tls": False,
                "smtp_username": None,
                "smtp_password": None,
                "search_attributes": False,
                "var_dir": Path(tmp),
                "temporal_task_queue": "lovflow-simulation",
                # A throw-away server may use a throw-away key for sole traders' ids.
                "provider_id_key": settings.provider_id_key or SecretStr(new_key()),
            }
        )
        ids = ProviderIds.from_settings(sim_settings)
        try:
            env = await WorkflowEnvironment.start_time_skipping(
                test_server_existing_path=str(find_binary("temporal-test-server")),
                data_converter=data_converter(sim_settings),
                runtime=_quiet_runtime(),
            )
            async with env, create_worker(env.client, sim_settings):
                with actions.using_provider_ids(ids):
                    await _drive(env, sim, sim_settings, zone, scenario_name)
            await _collect(sim, db_url, mailbox)
        finally:
            mailbox.stop()
    return sim


async def _drive(
    env: WorkflowEnvironment,
    sim: Simulation,
    settings: Settings,
    zone: ZoneInfo,
    scenario_name: str,
) -> None:
    scenario = sim.scenario
    start_at = datetime.combine(scenario.start, time(0, 0), zone)
    now = await env.get_current_time()
    if start_at < now:
        raise ScenarioError(
            scenario_name,
            "start",
            f"{scenario.start} is before today ({now.astimezone(zone).date()}); the "
            "time-skipping server cannot go back in time",
        )
    await env.sleep(start_at - now)
    for provider in scenario.providers:
        await contracts.start_contract(
            env.client,
            settings.temporal_task_queue,
            Provider(org_nr=provider.org_nr, name=provider.name, email=provider.email),
            provider.contract_start,
            sim.plan_ref,
            search_attributes=False,
            plan=sim.plan,
        )
    for seq, event in enumerate(sorted(scenario.events, key=lambda e: event_instant(e, zone.key))):
        at = event_instant(event, zone.key)
        now = await env.get_current_time()
        if at > now:
            await env.sleep(at - now)
        base = {"at": at, "type": "action", "provider": event.provider, "seq": seq}
        try:
            sim.entries.append({**base, **await _perform(env, event, zone)})
        except ActionError as err:
            # A scenario may include a rejected action on purpose; show the rejection.
            sim.entries.append({**base, "type": "error", "action": event.action, "error": str(err)})
    end_at = datetime.combine(scenario.until + timedelta(days=1), time(0, 0), zone)
    now = await env.get_current_time()
    if end_at > now:
        await env.sleep(end_at - now)


async def _collect(sim: Simulation, db_url: str, mailbox: Mailbox) -> None:
    engine = make_engine(db_url)
    try:
        store = RecordStore(make_session_factory(engine))
        for esc in await store.list_escalations():
            sim.entries.append(
                {
                    "at": esc.at,
                    "type": "escalation",
                    "provider": esc.org_nr,
                    "obligation": esc.obligation,
                    "period": esc.period,
                    "level": esc.level,
                    "kind": esc.kind,
                    "title": esc.title,
                }
            )
        for audit in await store.list_audit():
            details = dict(audit.details or {})
            # Reminders and escalations have their own entries (e-mail, escalation).
            if "obligation" not in details or audit.event_type.startswith(
                ("reminder", "escalation")
            ):
                continue
            sim.entries.append(
                {
                    "at": audit.at,
                    "type": "status",
                    "provider": audit.org_nr,
                    "obligation": details.get("obligation"),
                    "period": details.get("period"),
                    "event": audit.event_type,
                    "status": details.get("status"),
                    "due": details.get("due"),
                    "actor": audit.actor,
                }
            )
    finally:
        await engine.dispose()
    for message in mailbox.messages:
        entry: dict[str, Any] = {
            "at": parsedate_to_datetime(str(message["Date"])),
            "type": "email",
            "provider": str(message["X-Lov-Org-Nr"]),
            "kind": str(message["X-Lov-Kind"]),
            "to": [a.strip() for a in str(message["To"]).split(",")],
            "subject": str(message["Subject"]),
        }
        if message["X-Lov-Obligation"]:
            entry["obligation"] = str(message["X-Lov-Obligation"])
            entry["period"] = str(message["X-Lov-Period"])
        sim.entries.append(entry)


def _quiet_runtime() -> Runtime:
    # The test server lacks features the SDK core warns about on every start; the simulation's
    # output is its report, so only errors from the engine are shown.
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
        )
    )
