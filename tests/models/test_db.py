"""RecordStore on SQLite and PostgreSQL: round trips, idempotency, the outbox, time zones."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from models.records.db import make_engine, make_session_factory
from models.records.store import OccurrenceEvent, RecordNotFound, RecordStore
from models.records.tables import AuditEvent, Notification, ObligationOccurrence, Review, Submission
from tests.support.db_fixtures import open_store

ORG = "556036-0793"
OTHER_ORG = "802456-1234"
STOCKHOLM_WINTER = timezone(timedelta(hours=1))
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=STOCKHOLM_WINTER)  # workflow time, not UTC on purpose


def t(days: int = 0, hours: int = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


async def count(url: str, table: type, **where: object) -> int:
    engine = make_engine(url)
    try:
        async with make_session_factory(engine)() as session:
            query = select(func.count()).select_from(table)
            for column, value in where.items():
                query = query.where(getattr(table, column) == value)
            return int((await session.execute(query)).scalar_one())
    finally:
        await engine.dispose()


# --- providers and contracts ------------------------------------------------------------------


async def test_provider_round_trip_and_newer_wins(store: RecordStore) -> None:
    assert await store.upsert_provider(ORG, "Omsorg AB", "info@omsorg.se", t())
    provider = await store.get_provider(ORG)
    assert provider is not None
    assert (provider.name, provider.email) == ("Omsorg AB", "info@omsorg.se")
    assert provider.created_at == provider.updated_at == t()
    assert provider.created_at.tzinfo == UTC  # stored as UTC, the same instant

    assert await store.upsert_provider(ORG, "Omsorg AB", "ny@omsorg.se", t(days=30))
    # A late retry of an older change must not undo the newer address.
    assert not await store.upsert_provider(ORG, "Omsorg AB", "gammal@omsorg.se", t(days=1))

    assert await store.provider_email(ORG) == "ny@omsorg.se"
    updated = await store.get_provider(ORG)
    assert updated is not None
    assert updated.created_at == t() and updated.updated_at == t(days=30)
    assert await store.get_provider(OTHER_ORG) is None
    assert await store.provider_email(OTHER_ORG) is None


async def test_provider_refuses_malformed_org_nr(store: RecordStore) -> None:
    with pytest.raises(ValueError, match="NNNNNN-NNNN"):
        await store.upsert_provider("5560360793", "Omsorg AB", "info@omsorg.se", t())
    assert await store.get_provider("5560360793") is None


async def test_naive_datetime_is_refused(store: RecordStore) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await store.upsert_provider(ORG, "Omsorg AB", "info@omsorg.se", datetime(2027, 1, 1))


async def test_contract_round_trip_and_status(store: RecordStore) -> None:
    await store.upsert_provider(ORG, "Omsorg AB", "info@omsorg.se", t())
    wf = f"contract-{ORG}"
    assert await store.record_contract(wf, ORG, "sundsvall", date(2027, 1, 1), t())
    assert not await store.record_contract(wf, ORG, "nordanstig", date(2028, 1, 1), t(days=1))

    contract = await store.get_contract(wf)
    assert contract is not None
    assert (contract.org_nr, contract.plan_id, contract.start_date) == (
        ORG,
        "sundsvall",
        date(2027, 1, 1),
    )
    assert (contract.status, contract.end_date, contract.termination_kind) == ("active", None, None)

    await store.set_contract_status(
        wf, "terminating", t(days=40), date(2027, 6, 30), "havning", "upprepade brister"
    )
    await store.set_contract_status(
        wf, "terminating", t(days=40), date(2027, 6, 30), "havning", "upprepade brister"
    )
    contract = await store.get_contract(wf)
    assert contract is not None
    assert contract.status == "terminating"
    assert contract.end_date == date(2027, 6, 30)
    assert (contract.termination_kind, contract.termination_reason) == (
        "havning",
        "upprepade brister",
    )
    assert contract.updated_at == t(days=40) and contract.created_at == t()

    with pytest.raises(ValueError, match="contract status"):
        await store.set_contract_status(wf, "paused", t(days=41))
    with pytest.raises(ValueError, match="termination kind"):
        await store.set_contract_status(wf, "terminated", t(days=41), termination_kind="x")
    with pytest.raises(RecordNotFound):
        await store.set_contract_status("contract-unknown", "terminated", t(days=41))


async def test_contract_needs_its_provider(store: RecordStore) -> None:
    # The foreign key is enforced on SQLite too (PRAGMA foreign_keys), not only on PostgreSQL.
    with pytest.raises(IntegrityError):
        await store.record_contract(f"contract-{ORG}", ORG, "sundsvall", date(2027, 1, 1), t())
    assert await store.get_contract(f"contract-{ORG}") is None


async def test_contract_years_are_recorded_once_each(store: RecordStore) -> None:
    wf = f"contract-{ORG}"
    assert await store.record_contract_year(wf, 2028, "sundsvall", "v2", t(days=365))
    assert await store.record_contract_year(wf, 2027, "sundsvall", "v1", t())
    assert not await store.record_contract_year(wf, 2027, "sundsvall", "v9", t(days=2))
    assert await store.record_contract_year("contract-other", 2027, "herning", "v1", t())

    years = await store.contract_years(wf)
    assert [(y.year, y.plan_version) for y in years] == [(2027, "v1"), (2028, "v2")]
    assert years[0].recorded_at == t()


# --- obligations --------------------------------------------------------------------------------


async def _occurrence(store: RecordStore, status: str, at: datetime, **changes: object) -> bool:
    args: dict[str, object] = {
        "workflow_id": f"obligation-{ORG}-arsredovisning-2027",
        "org_nr": ORG,
        "obligation": "arsredovisning",
        "period": "2027",
        "nominal_due": date(2027, 7, 31),
        "due": date(2027, 8, 2),
        "recipient": "economist",
        "status": status,
        "overdue": False,
        "escalation_level": 0,
        "at": at,
    }
    args.update(changes)
    return await store.upsert_occurrence(**args)  # type: ignore[arg-type]


async def test_workflow_org_nrs_maps_obligations_and_applications(store: RecordStore) -> None:
    """What `lov overdue` looks up for a sole trader's rows (whose ids carry only its key)."""
    person = "121212-1212"
    obligation = "obligation-ef-0123456789abcdef-arsredovisning-2027"
    application = "application-ef-0123456789abcdef-1"
    assert await _occurrence(store, "open", t(), workflow_id=obligation, org_nr=person)
    assert await _occurrence(store, "open", t())  # a company's, not asked for
    assert await store.upsert_application(application, person, "received", t())
    asked = [obligation, application, "obligation-ef-ffffffffffffffff-x-2027"]
    assert await store.workflow_org_nrs(asked) == {obligation: person, application: person}
    assert await store.workflow_org_nrs([]) == {}


async def test_occurrence_lifecycle(store: RecordStore, db_url: str) -> None:
    wf = f"obligation-{ORG}-arsredovisning-2027"
    assert await _occurrence(store, "upcoming", t())
    assert await _occurrence(store, "open", t(days=100))
    assert await _occurrence(store, "open", t(days=220), overdue=True, escalation_level=1)
    assert await _occurrence(store, "submitted", t(days=230), overdue=True, escalation_level=1)
    # The same state recorded again (an activity retry) keeps the first submission time.
    assert await _occurrence(store, "submitted", t(days=230, hours=5), overdue=True)
    occurrence = await store.get_occurrence(wf)
    assert occurrence is not None
    assert occurrence.submitted_at == t(days=230) and occurrence.accepted_at is None

    assert await _occurrence(store, "completion_requested", t(days=232), overdue=True)
    assert await _occurrence(store, "submitted", t(days=240), overdue=True)
    assert await _occurrence(store, "accepted", t(days=245), due=date(2027, 9, 1))
    assert await _occurrence(store, "accepted", t(days=246), due=date(2027, 9, 1))
    # Older than what is recorded: dropped.
    assert not await _occurrence(store, "open", t(days=200))

    occurrence = await store.get_occurrence(wf)
    assert occurrence is not None
    assert occurrence.status == "accepted"
    assert occurrence.submitted_at == t(days=240)  # the resubmission after completion
    assert occurrence.accepted_at == t(days=245)  # first acceptance
    assert occurrence.due == date(2027, 9, 1) and occurrence.nominal_due == date(2027, 7, 31)
    assert (occurrence.created_at, occurrence.updated_at) == (t(), t(days=246))
    assert await count(db_url, ObligationOccurrence) == 1

    with pytest.raises(ValueError, match="occurrence status"):
        await _occurrence(store, "late", t(days=300))


async def test_list_occurrences_filters(store: RecordStore) -> None:
    rows = [
        (ORG, "egenkontroll", "2027-T1", date(2027, 4, 20), "open", True),
        (ORG, "egenkontroll", "2027-T2", date(2027, 8, 20), "upcoming", False),
        (OTHER_ORG, "egenkontroll", "2027-T1", date(2027, 4, 20), "open", False),
        (OTHER_ORG, "arsredovisning", "2027", date(2027, 7, 31), "accepted", False),
    ]
    for org, obligation, period, due, status, overdue in rows:
        await store.upsert_occurrence(
            f"obligation-{org}-{obligation}-{period}",
            org,
            obligation,
            period,
            due,
            due,
            "lov_admin",
            status,
            overdue,
            1 if overdue else 0,
            t(),
        )

    everything = await store.list_occurrences()
    assert [(o.due, o.org_nr) for o in everything] == [
        (date(2027, 4, 20), ORG),
        (date(2027, 4, 20), OTHER_ORG),
        (date(2027, 7, 31), OTHER_ORG),
        (date(2027, 8, 20), ORG),
    ]
    assert {o.period for o in await store.list_occurrences(org_nr=ORG)} == {"2027-T1", "2027-T2"}
    assert [o.org_nr for o in await store.list_occurrences(status="open")] == [ORG, OTHER_ORG]
    late = await store.list_occurrences(overdue=True)
    assert [(o.org_nr, o.escalation_level) for o in late] == [(ORG, 1)]
    assert await store.list_occurrences(org_nr=OTHER_ORG, status="open", overdue=True) == []
    assert len(await store.list_occurrences(overdue=False)) == 3


async def test_submission_round_trip_is_idempotent(store: RecordStore, db_url: str) -> None:
    wf = f"obligation-{ORG}-egenkontroll-2027-T1"
    documents = [
        {"name": "egenkontroll.pdf", "path": "var/docs/a.pdf", "sha256": "ab" * 32, "size": 1234}
    ]
    fields = {"andel_aktuella_planer": 0.93, "kommentar": "Åtgärdat", "antal": [1, 2]}
    args = (wf, ORG, "egenkontroll", "2027-T1")
    assert await store.record_submission(
        OccurrenceEvent("sub-1", *args), fields, documents, "admin:anna", t()
    )
    # The retry carries the same key; a changed payload under it is not written.
    assert not await store.record_submission(
        OccurrenceEvent("sub-1", *args), {"x": 1}, [], "admin:bo", t(1)
    )
    assert await store.record_submission(
        OccurrenceEvent("sub-2", *args), {}, [], "admin:anna", t(days=3)
    )

    submissions = await store.list_submissions(wf)
    assert [s.idempotency_key for s in submissions] == ["sub-1", "sub-2"]
    first = submissions[0]
    assert first.fields == fields
    assert first.documents == documents
    assert (first.actor, first.submitted_at) == ("admin:anna", t())
    assert await count(db_url, Submission) == 2

    with pytest.raises(ValueError, match="sha256"):
        await store.record_submission(
            OccurrenceEvent("sub-3", *args), {}, [{"name": "a", "path": "b"}], "x", t()
        )


async def test_review_round_trip_is_idempotent(store: RecordStore, db_url: str) -> None:
    wf = f"obligation-{ORG}-egenkontroll-2027-T1"
    assert await store.record_review(
        "rev-1", wf, "completion_requested", "Saknar bilaga", None, "anna", t()
    )
    assert not await store.record_review("rev-1", wf, "accepted", None, None, "anna", t(1))
    assert await store.record_review(
        "rev-2", wf, "extended", "Sjukdom", date(2027, 5, 3), "anna", t(2)
    )

    reviews = await store.list_reviews(wf)
    assert [(r.outcome, r.note, r.new_due) for r in reviews] == [
        ("completion_requested", "Saknar bilaga", None),
        ("extended", "Sjukdom", date(2027, 5, 3)),
    ]
    assert await count(db_url, Review) == 2
    with pytest.raises(ValueError, match="review outcome"):
        await store.record_review("rev-3", wf, "rejected", None, None, "anna", t(3))


async def test_escalations_round_trip_and_filter(store: RecordStore) -> None:
    assert await store.record_escalation(
        OccurrenceEvent("esc-1", "obligation-a", ORG, "arsredovisning", "2027"),
        1,
        "reminder",
        "Påminnelse",
        t(2),
    )
    assert not await store.record_escalation(
        OccurrenceEvent("esc-1", "obligation-a", ORG, "arsredovisning", "2027"), 9, "x", "y", t(3)
    )
    assert await store.record_escalation(
        OccurrenceEvent("esc-2", "obligation-b", OTHER_ORG, "kkik", "2027"),
        2,
        "manager",
        "Till chef",
        t(1),
    )
    everything = await store.list_escalations()
    assert [(e.idempotency_key, e.level) for e in everything] == [("esc-2", 2), ("esc-1", 1)]
    mine = await store.list_escalations(org_nr=ORG)
    assert [(e.kind, e.title, e.at) for e in mine] == [("reminder", "Påminnelse", t(2))]


# --- audit -------------------------------------------------------------------------------------


async def test_audit_round_trip_is_idempotent(store: RecordStore, db_url: str) -> None:
    details = {"from": "open", "to": "submitted", "nested": {"ok": True}}
    assert await store.record_audit("aud-1", t(1), ORG, "wf-1", "status", "system", details)
    assert not await store.record_audit("aud-1", t(9), ORG, "wf-1", "other", "x", {})
    assert await store.record_audit("aud-2", t(0), None, None, "settings", "admin:anna", {})
    assert await store.record_audit("aud-3", t(2), OTHER_ORG, "wf-2", "status", "system", {})

    trail = await store.list_audit()
    assert [a.idempotency_key for a in trail] == ["aud-2", "aud-1", "aud-3"]  # time order
    mine = await store.list_audit(org_nr=ORG)
    assert len(mine) == 1
    assert (mine[0].event_type, mine[0].details, mine[0].at) == ("status", details, t(1))
    assert mine[0].at.tzinfo == UTC
    assert await count(db_url, AuditEvent) == 3


async def test_concurrent_writes_under_one_key_write_once(store: RecordStore, db_url: str) -> None:
    results = await asyncio.gather(
        *(
            store.record_audit("aud-race", t(), ORG, "wf", "status", "system", {"n": n})
            for n in range(8)
        )
    )
    assert sorted(results) == [False] * 7 + [True]
    assert await count(db_url, AuditEvent, idempotency_key="aud-race") == 1


async def test_integrity_errors_that_are_not_duplicates_propagate(
    store: RecordStore, db_url: str
) -> None:
    # The CHECK constraints come from the migration; a bad value written around the store's
    # validation must still be refused, and not be mistaken for "already written".
    engine = make_engine(db_url)
    try:
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(
                    insert(Review).values(
                        idempotency_key="bad",
                        workflow_id="wf",
                        outcome="rejected",
                        actor="x",
                        at=t(),
                    )
                )
    finally:
        await engine.dispose()
    await store.claim_outbox(
        "mail-1", "<m1@x>", "reminder", ORG, None, None, None, [], "s", "b", t()
    )
    # A different key reusing a Message-ID clashes on message_id, not on the key: not absorbed.
    with pytest.raises(IntegrityError):
        await store.claim_outbox(
            "mail-2", "<m1@x>", "reminder", ORG, None, None, None, [], "s", "b", t()
        )
    assert await store.get_outbox("mail-2") is None


# --- outbox ------------------------------------------------------------------------------------


async def _claim(store: RecordStore, key: str, message_id: str, subject: str = "Påminnelse"):
    return await store.claim_outbox(
        key,
        message_id,
        "reminder",
        ORG,
        f"obligation-{ORG}-egenkontroll-2027-T1",
        "egenkontroll",
        "2027-T1",
        ["info@omsorg.se", "lov@kommun.se"],
        subject,
        "Hej!\nEgenkontrollen ska vara inne senast 20 april.",
        t(),
    )


async def test_outbox_claim_is_unique_per_key(store: RecordStore, db_url: str) -> None:
    first = await _claim(store, "mail-1", "<1@lovflow.invalid>")
    assert (first.status, first.attempts, first.message_id) == ("pending", 1, "<1@lovflow.invalid>")
    assert first.recipients == ["info@omsorg.se", "lov@kommun.se"]
    assert first.sent_at is None and first.created_at == t()

    # A retry (even with a re-rendered text and a new Message-ID) gets the first row back.
    again = await _claim(store, "mail-1", "<2@lovflow.invalid>", subject="Ändrad")
    assert again.message_id == "<1@lovflow.invalid>"
    assert again.subject == "Påminnelse"
    assert again.attempts == 2
    assert await count(db_url, Notification) == 1


async def test_outbox_concurrent_claims_make_one_row(store: RecordStore, db_url: str) -> None:
    entries = await asyncio.gather(
        *(_claim(store, "mail-race", f"<race-{n}@lovflow.invalid>") for n in range(6))
    )
    assert len({e.message_id for e in entries}) == 1
    assert await count(db_url, Notification) == 1
    final = await store.get_outbox("mail-race")
    assert final is not None and final.attempts == 6


async def test_outbox_sent_and_failed(store: RecordStore) -> None:
    await _claim(store, "mail-1", "<1@x>")
    await store.mark_failed("mail-1", "421 try later " + "x" * 5000)
    failed = await store.get_outbox("mail-1")
    assert failed is not None
    assert failed.status == "failed" and failed.last_error is not None
    assert failed.last_error.startswith("421 try later") and len(failed.last_error) == 2000

    retried = await _claim(store, "mail-1", "<1@x>")
    assert (retried.status, retried.attempts) == ("failed", 2)
    await store.mark_sent("mail-1", t(hours=1))
    await store.mark_sent("mail-1", t(hours=2))  # a retried mark keeps the first time
    sent = await store.get_outbox("mail-1")
    assert sent is not None and sent.sent and sent.sent_at == t(hours=1)

    # Sent stays sent: a late failure report and further claims do not reopen it.
    await store.mark_failed("mail-1", "late")
    claimed = await _claim(store, "mail-1", "<1@x>")
    assert (claimed.status, claimed.attempts, claimed.sent_at) == ("sent", 2, t(hours=1))

    with pytest.raises(RecordNotFound):
        await store.mark_sent("mail-unknown", t())
    with pytest.raises(RecordNotFound):
        await store.mark_failed("mail-unknown", "x")


async def test_outbox_retrying_and_uncertain(store: RecordStore) -> None:
    # Being retried (no connection, a 4xx) is not `failed`, which means refused for good.
    await _claim(store, "mail-1", "<1@x>")
    await store.mark_retrying("mail-1", "SMTPConnectError: 421")
    retrying = await store.get_outbox("mail-1")
    assert retrying is not None and (retrying.status, retrying.uncertain_sends) == ("retrying", 0)

    # Sent with no answer: counted, with the time of the latest.
    first = await store.mark_uncertain("mail-1", "SMTPReadTimeoutError", t(hours=1))
    second = await store.mark_uncertain("mail-1", "SMTPReadTimeoutError", t(hours=2))
    assert (first.status, first.uncertain_sends, first.uncertain_at) == ("uncertain", 1, t(hours=1))
    assert (second.uncertain_sends, second.uncertain_at) == (2, t(hours=2))
    assert second.last_error == "SMTPReadTimeoutError"

    # Sent stays sent.
    await store.mark_sent("mail-1", t(hours=3))
    await store.mark_retrying("mail-1", "late")
    await store.mark_uncertain("mail-1", "late", t(hours=4))
    sent = await store.get_outbox("mail-1")
    assert sent is not None and sent.sent and sent.uncertain_sends == 2


async def test_list_notifications_filters_by_provider(store: RecordStore) -> None:
    await _claim(store, "mail-1", "<1@x>")
    await store.claim_outbox(
        "mail-2", "<2@x>", "notice", None, None, None, None, ["lov@kommun.se"], "s", "b", t(-1)
    )
    assert [n.idempotency_key for n in await store.list_notifications()] == ["mail-2", "mail-1"]
    mine = await store.list_notifications(org_nr=ORG)
    assert [(n.kind, n.obligation, n.period) for n in mine] == [
        ("reminder", "egenkontroll", "2027-T1")
    ]


# --- minimal tables ----------------------------------------------------------------------------


async def test_application_meeting_recovery_round_trips(store: RecordStore) -> None:
    assert await store.upsert_application("application-1", ORG, "received", t(), data={"a": 1})
    assert await store.upsert_application(
        "application-1",
        ORG,
        "decided",
        t(30),
        submitted_at=t(),
        decided_at=t(30),
        decision="approved",
        reason="Uppfyller skallkraven",
        data={"skallkrav": {"f_skatt": True}},
    )
    application = await store.get_application("application-1")
    assert application is not None
    assert (application.status, application.decision, application.decided_at) == (
        "decided",
        "approved",
        t(30),
    )
    assert application.data == {"skallkrav": {"f_skatt": True}}
    assert application.created_at == t()

    minutes = {"actions": [{"title": "Ny rutin", "due": "2027-06-01"}]}
    assert await store.upsert_meeting("meeting-1", ORG, "2027-H1", "planned", t(), t(10), "Rum 1")
    assert await store.upsert_meeting("meeting-1", ORG, "2027-H1", "held", t(11), minutes=minutes)
    meeting = await store.get_meeting("meeting-1")
    assert meeting is not None
    assert (meeting.status, meeting.minutes, meeting.period) == ("held", minutes, "2027-H1")

    amount = Decimal("123456.78")
    assert await store.upsert_recovery("recovery-1", ORG, "noticed", amount, t(), {"h": 3})
    recovery = await store.get_recovery("recovery-1")
    assert recovery is not None
    assert recovery.amount == amount and recovery.data == {"h": 3}
    assert await store.get_recovery("recovery-x") is None


async def test_two_stores_share_one_database(db_url: str, store: RecordStore) -> None:
    # The worker and the CLI open the same database separately; both see committed rows.
    async with open_store(db_url) as other:
        await store.upsert_provider(ORG, "Omsorg AB", "info@omsorg.se", t())
        assert await other.provider_email(ORG) == "info@omsorg.se"
