"""`lov simulate`: a scenario on the time-skipping server with the real workflows and activities.

Mail goes to an in-process SMTP server and records to a throw-away SQLite database; years pass in
seconds. The output is what an auditor would see afterwards: every e-mail, escalation, status
change and administrator action, in time order.
"""

from __future__ import annotations

import asyncio
import email
import re
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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
from models.plans.scenario import Scenario, ScenarioError
from models.plans.schema import Plan
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.runtime.settings import Settings
from models.runtime.temporal import data_converter, find_binary
from services import calls as actions
from services import contracts, municipal_tasks
from services.errors import ActionError
from starter.ports import free_port
from starter.simulation_steps import Names, Step, prepare
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


def check_start(start: date, now: datetime, zone: ZoneInfo, scenario_name: str) -> None:
    """Simulated time starts at 00:00 on `start`, and the time-skipping server starts at the
    real current time and cannot go back: the first day a scenario can start on is tomorrow."""
    if datetime.combine(start, time(0, 0), zone) >= now:
        return
    first = now.astimezone(zone).date() + timedelta(days=1)
    raise ScenarioError(
        scenario_name,
        "start",
        f"{start} har redan börjat eller passerat, och simuleringen kan inte gå bakåt i tiden: "
        f"ange start = {first} eller senare och flytta until och händelsernas datum lika mycket",
    )


async def run_simulation(
    scenario: Scenario,
    plan: Plan,
    plan_ref: str,
    settings: Settings,
    scenario_name: str = "scenario",
) -> Simulation:
    zone = ZoneInfo(plan.time_zone)
    # By the wall clock first, so a scenario in the past is refused before the server starts;
    # _drive checks again by the server's clock, which is the one that counts.
    check_start(scenario.start, datetime.now(UTC), zone, scenario_name)
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
            with actions.using_provider_ids(ids):
                # Every event is checked before the server starts: bad input runs nothing.
                steps = prepare(scenario.events, sim_settings, plan_ref, zone, scenario_name)
                env = await WorkflowEnvironment.start_time_skipping(
                    test_server_existing_path=str(find_binary("temporal-test-server")),
                    data_converter=data_converter(sim_settings),
                    runtime=_quiet_runtime(),
                )
                async with env, create_worker(env.client, sim_settings):
                    await _drive(env, sim, steps, sim_settings, zone, scenario_name)
            await _collect(sim, db_url, mailbox, sim_settings.portal_base)
        finally:
            mailbox.stop()
    return sim


async def _drive(
    env: WorkflowEnvironment,
    sim: Simulation,
    steps: list[Step],
    settings: Settings,
    zone: ZoneInfo,
    scenario_name: str,
) -> None:
    scenario = sim.scenario
    start_at = datetime.combine(scenario.start, time(0, 0), zone)
    now = await env.get_current_time()
    check_start(scenario.start, now, zone, scenario_name)
    await env.sleep(start_at - now)
    for provider in scenario.providers:
        await contracts.start_contract(
            env.client,
            settings.temporal_task_queue,
            Provider(org_nr=provider.org_nr, name=provider.name, email=provider.email),
            provider.contract_start,
            sim.plan_ref,
            search_attributes=False,
            actor=scenario.actor,
            plan=sim.plan,
        )
    if sim.plan.municipal.duties:
        await _start_municipal_duties(env, sim, settings)
    names = Names()
    for seq, step in enumerate(steps):
        now = await env.get_current_time()
        if step.at > now:
            await env.sleep(step.at - now)
        event = step.event
        base = {"at": step.at, "type": "action", "provider": step.provider, "seq": seq}
        try:
            done = await step.run(env.client, names)
            sim.entries.append({**base, "action": event.action, "actor": event.actor, **done})
        except ActionError as err:
            # A scenario may include a rejected action on purpose; show the rejection.
            sim.entries.append({**base, "type": "error", "action": event.action, "error": str(err)})
    end_at = datetime.combine(scenario.until + timedelta(days=1), time(0, 0), zone)
    now = await env.get_current_time()
    if end_at > now:
        await env.sleep(end_at - now)


async def _start_municipal_duties(
    env: WorkflowEnvironment, sim: Simulation, settings: Settings
) -> None:
    """The plan's municipal duties workflow (issue 19), as the worker starts it, once the
    scenario's contracts are in the records: it reads the providers there for the duties done
    at each provider. The contracts record themselves at once; this waits for that in real time
    (the simulated clock stands still meanwhile), at most a few seconds."""
    assert settings.database_url is not None
    engine = make_engine(settings.database_url)
    try:
        store = RecordStore(make_session_factory(engine))
        wanted = {p.org_nr for p in sim.scenario.providers}
        for _ in range(200):
            recorded = {p.org_nr for p in await store.plan_providers(sim.plan.id)}
            if wanted <= recorded:
                break
            await asyncio.sleep(0.02)
    finally:
        await engine.dispose()
    await municipal_tasks.ensure_started(env.client, settings.temporal_task_queue, sim.plan.id)


def portal_link(message: EmailMessage, portal_base: str) -> str | None:
    """The provider's portal link in the e-mail's text (activities/portal_links.py), if any."""
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content() if isinstance(part, EmailMessage) else ""
    found = re.search(re.escape(portal_base + "/") + r"[A-Za-z0-9_.-]+", text)
    return found.group(0) if found else None


async def _collect(sim: Simulation, db_url: str, mailbox: Mailbox, portal_base: str) -> None:
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
            found = _status_entry(audit.event_type, audit.workflow_id, dict(audit.details or {}))
            if found is not None:
                sim.entries.append(
                    {
                        "at": audit.at,
                        "type": "status",
                        "provider": audit.org_nr or "",
                        **found,
                        "event": audit.event_type,
                        "actor": audit.actor,
                    }
                )
    finally:
        await engine.dispose()
    for message in mailbox.messages:
        entry: dict[str, Any] = {
            "at": parsedate_to_datetime(str(message["Date"])),
            "type": "email",
            "provider": str(message["X-Lov-Org-Nr"] or ""),
            "kind": str(message["X-Lov-Kind"]),
            "to": [a.strip() for a in str(message["To"]).split(",")],
            "subject": str(message["Subject"]),
        }
        if message["X-Lov-Obligation"]:
            entry["obligation"] = str(message["X-Lov-Obligation"])
            entry["period"] = str(message["X-Lov-Period"])
        link = portal_link(message, portal_base)
        if link is not None:
            entry["link"] = link
        sim.entries.append(entry)


def _status_entry(
    event: str, workflow_id: str | None, details: dict[str, Any]
) -> dict[str, Any] | None:
    """What an audit event says about the state of a duty, meeting, case, placement or
    application; None for the events shown otherwise (reminders and escalations have their
    e-mail and escalation entries) or not at all (the contract's own)."""
    if "obligation" in details:
        if event.startswith(("reminder", "escalation")):
            return None
        return {
            "obligation": details.get("obligation"),
            "period": details.get("period"),
            "status": details.get("status"),
            "due": details.get("due"),
        }
    if event.startswith("recovery-"):
        return {
            "case": details.get("case"),
            "status": details.get("status"),
            "amount": details.get("amount"),
        }
    if event.startswith("finding-"):
        # The reminder before an åtgärdsplan is due is its e-mail entry.
        if event == "finding-action-plan-reminder":
            return None
        found = {"finding": details.get("finding"), "status": details.get("status")}
        return found | ({"amount": details["amount"]} if details.get("amount") else {})
    if event.startswith("municipal-task-"):
        # The municipality's own task (issue 19): a reminder is its e-mail entry; an escalation
        # is a status entry as well (the escalation entries are the obligations').
        if event == "municipal-task-reminder":
            return None
        status = "escalated" if event == "municipal-task-escalated" else "done-on-time"
        if event == "municipal-task-done" and details.get("late"):
            status = "done-late"
        found = {"task": details.get("task"), "status": status}
        if event == "municipal-task-escalated":
            found["manager"] = details.get("manager")
        if event == "municipal-task-done":
            found |= {
                "done_on": details.get("done_on"),
                "escalated": bool(details.get("escalated")),
            }
        return found
    if event.startswith("placement_"):
        return {"placement": workflow_id, "status": details.get("state")}
    if event.startswith("application_"):
        return {"application": workflow_id, "status": details.get("state")}
    return None


def _quiet_runtime() -> Runtime:
    # The test server lacks features the SDK core warns about on every start; the simulation's
    # output is its report, so only errors from the engine are shown.
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
        )
    )
