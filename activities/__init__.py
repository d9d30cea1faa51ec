"""Side effects (mail, records, plan files), as activities bound to their dependencies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from temporalio.client import Client

from activities.mail import MailActivities
from activities.opening import OpeningActivities
from activities.plans import PlanActivities
from activities.records import RecordActivities
from activities.rendering import Renderer
from models.db import make_engine, make_session_factory
from models.settings import Settings
from models.store import RecordStore


def build_activities(settings: Settings, client: Client) -> Sequence[Callable[..., Any]]:
    """Every activity the worker registers, bound to `settings` (database, SMTP, plan files)."""
    store = RecordStore(make_session_factory(make_engine(settings.resolved_database_url)))
    plans = PlanActivities(settings.plans_dir)
    records = RecordActivities(store)
    opening = OpeningActivities(client, settings.temporal_task_queue)
    mail = MailActivities(settings, store, Renderer(settings.templates_dir))
    return [
        plans.load_year,
        plans.date_deadline,
        records.record_contract,
        records.record_contract_year,
        records.record_contract_state,
        records.record_contact,
        records.record_occurrence,
        records.record_submission,
        records.record_review,
        records.record_escalation,
        records.record_audit,
        mail.send_mail,
        opening.open_obligations,
    ]
