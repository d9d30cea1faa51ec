"""Every activity the worker registers, bound to its dependencies (database, SMTP, plan files)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from temporalio.client import Client

from activities.finding import FindingActivities
from activities.mail import MailActivities
from activities.meetings import MeetingActivities
from activities.municipal import MunicipalActivities
from activities.opening import OpeningActivities
from activities.placement import PlacementActivities
from activities.plans import PlanActivities
from activities.records import RecordActivities
from activities.recovery import RecoveryActivities
from activities.rendering import Renderer
from models.domain.provider_id import ProviderIds
from models.records.db import make_engine, make_session_factory
from models.records.mail_incidents import MailIncidentStore
from models.records.store import RecordStore
from models.runtime.settings import Settings


def build_activities(settings: Settings, client: Client) -> Sequence[Callable[..., Any]]:
    """Every activity the worker registers, bound to `settings` (database, SMTP, plan files)."""
    sessions = make_session_factory(make_engine(settings.resolved_database_url))
    store = RecordStore(sessions)
    incidents = MailIncidentStore(sessions)
    plans = PlanActivities(settings.plans_dir)
    ids = ProviderIds.from_settings(settings)
    placement = PlacementActivities(
        client, settings.temporal_task_queue, store, settings.plans_dir, ids
    )
    records = RecordActivities(store, on_contract_state=placement.contract_state_changed)
    opening = OpeningActivities(
        client, settings.temporal_task_queue, on_approved=placement.provider_approved, ids=ids
    )
    mail = MailActivities(settings, store, Renderer(settings.templates_dir), incidents)
    meetings = MeetingActivities(settings, store)
    recovery = RecoveryActivities(store)
    finding = FindingActivities(store)
    municipal = MunicipalActivities(settings.plans_dir, store)
    return [
        plans.load_year,
        plans.date_deadline,
        plans.load_application_plan,
        plans.meeting_reminder,
        plans.office_hours_send_time,
        records.record_contract,
        records.record_contract_year,
        records.record_contract_state,
        records.record_contact,
        records.record_occurrence,
        records.record_submission,
        records.record_review,
        records.record_escalation,
        records.record_audit,
        records.record_application,
        records.record_assessment,
        records.record_meeting,
        records.record_action_item,
        mail.send_mail,
        mail.report_data_error,
        opening.open_obligations,
        opening.start_contract,
        meetings.calendar_file,
        recovery.record_recovery_step,
        placement.load_placement_plan,
        placement.assign_provider,
        placement.record_placement,
        finding.record_finding_step,
        municipal.load_municipal_year,
        municipal.municipal_provider_tasks,
        municipal.record_municipal_task,
        municipal.municipal_provider_refresh,
        municipal.remove_municipal_task,
    ]
