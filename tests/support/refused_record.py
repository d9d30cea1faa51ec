"""A test workflow that writes a record the database refuses and then mails the provider, as
the obligation workflow's `waive` does (record_review, then the "waived" e-mail).

The CLI's and the workflows' validators refuse such values before they reach an activity; this
workflow bypasses them to exercise the defence behind them (activities/data_errors.py and
workflows.common.call)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.mail import MailActivities
    from activities.records import RecordActivities
    from models.messages.common import Message
    from models.messages.contract import ContactChange
    from models.messages.mail import MailRequest
    from models.messages.obligation import ReviewWrite
    from models.plans.schema import PROVIDER_ROLE, Role
    from workflows.common import FollowedPlan, call


class RefusedRecordInput(Message):
    org_nr: str
    name: str
    email: str
    actor: str
    roles: dict[str, Role]
    # As lovflow's workflows keep it in their input: the report of a refused record names it.
    plan_id: str | None = None


@workflow.defn
class RefusedRecordWorkflow:
    @workflow.run
    async def run(self, inp: RefusedRecordInput) -> str:
        self._in = inp
        wid = workflow.info().workflow_id
        now = workflow.now()
        await call(
            RecordActivities.record_contact,
            ContactChange(org_nr=inp.org_nr, name=inp.name, email=inp.email, at=now),
        )
        await call(
            RecordActivities.record_review,
            ReviewWrite(
                key=f"{wid}:review:1",
                workflow_id=wid,
                outcome="waived",
                note="Ingen verksamhet under perioden",
                new_due=None,
                actor=inp.actor,
                at=now,
            ),
        )
        await call(
            MailActivities.send_mail,
            MailRequest(
                key=f"{wid}:waived",
                kind="waived",
                template="waived",
                language="sv",
                to_roles=[PROVIDER_ROLE],
                roles=inp.roles,
                org_nr=inp.org_nr,
                workflow_id=wid,
                at=now,
                context={
                    "provider_name": inp.name,
                    "title": "Egenkontroll",
                    "period": "2031-T1",
                    "reason": "Ingen verksamhet under perioden",
                    "admin_title": "Avtalsansvarig",
                    "org_nr": inp.org_nr,
                },
            ),
        )
        return "done"

    def followed_plan(self) -> FollowedPlan:
        """As lovflow's own workflows (workflows.common.FollowsPlan): the plan that
        workflows.common.call names in its report of a refused record."""
        return self._in.plan_id, self._in.roles
