"""`lov simulate` (docs/SIMULATION.md) on the shipped scenarios, through the real CLI process."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).parents[2]


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "starter", "simulate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_late_provider_shows_the_full_ladder_in_time_order() -> None:
    done = simulate("scenarios/late-provider.toml", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    instants = [datetime.fromisoformat(line["at"]) for line in lines]
    assert instants == sorted(instants)
    for line in lines:
        assert {"at", "type", "provider"} <= set(line)
        assert line["at"][-6:] in ("+01:00", "+02:00")
    t1 = [
        (line["at"], line["level"] if line["type"] == "escalation" else line["kind"])
        for line in lines
        if line.get("period") == "2031-T1" and line["type"] in ("email", "escalation")
    ]
    # T1 is due 20 April 2031, a Sunday: the deadline moves to Monday 21 April (Easter Monday
    # was the 14th). Reminders 30/14/3 days before the moved date: Saturday 22 March moves back
    # to Friday 21 March, then Monday 7 April and Friday 18 April; the ladder follows at +1
    # (Tuesday 22 April), +14 (Monday 5 May) and +30 days (Wednesday 21 May) until the late
    # submission on Tuesday 10 June. The steps to the provider are two messages each: the
    # provider's, with its portal link, and the administrator's copy without it.
    assert t1[:12] == [
        ("2031-03-21T09:00:00+01:00", "reminder"),
        ("2031-04-07T09:00:00+02:00", "reminder"),
        ("2031-04-18T09:00:00+02:00", "reminder"),
        ("2031-04-22T09:00:00+02:00", "overdue"),
        ("2031-04-22T09:00:00+02:00", "overdue"),
        ("2031-04-22T09:00:00+02:00", 1),
        ("2031-05-05T09:00:00+02:00", "pafpekande"),
        ("2031-05-05T09:00:00+02:00", "pafpekande"),
        ("2031-05-05T09:00:00+02:00", 2),
        ("2031-05-21T09:00:00+02:00", "management"),
        ("2031-05-21T09:00:00+02:00", 3),
        ("2031-06-10T10:00:00+02:00", "receipt"),
    ]
    assert ("2031-06-16T10:00:00+02:00", "completion-request") in t1
    # The completion's new due date, Saturday 28 June, moves to Monday 30 June: the provider is
    # reminded on Friday 27 June and the ladder starts again on Tuesday 1 July.
    assert ("2031-06-27T09:00:00+02:00", "reminder") in t1
    assert ("2031-07-01T09:00:00+02:00", "overdue") in t1
    # Overdue notices go to the provider and the administrator, and to the duty's recipient
    # where that is someone else (the förvaltningsekonom for the årsredovisning): the provider's
    # message with its portal link, the staff's copy without it.
    overdue = [line for line in lines if line["type"] == "email" and line["kind"] == "overdue"]
    own = ["info@senomsorg.example"]
    assert {line["obligation"] for line in overdue} == {"self-inspection", "annual-accounts"}
    for line in overdue:
        economist = ["forvaltningsekonom@sundsvall.example"]
        staff = ["lov-admin@sundsvall.example"] + (
            economist if line["obligation"] == "annual-accounts" else []
        )
        assert line["to"] in (own, staff), line
        assert ("link" in line) == (line["to"] == own), line
    assert sum(line["to"] == own for line in overdue) * 2 == len(overdue)


def test_model_provider_is_never_escalated() -> None:
    done = simulate("scenarios/model-provider.toml", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = {line.get("kind") for line in lines if line["type"] == "email"}
    assert {"reminder", "receipt", "accepted", "waived"} <= kinds
    assert not [line for line in lines if line["type"] in ("escalation", "error")]


def test_broken_scenario_is_refused_with_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (ROOT / "scenarios" / "late-provider.toml")
        .read_text()
        .replace("556677-8899", "556677-8898")
    )
    done = simulate(str(bad))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "providers[0].org_nr" in done.stderr and "check digit" in done.stderr


def test_an_event_the_cli_would_refuse_is_refused_before_anything_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    text = (ROOT / "scenarios" / "administration.toml").read_text()
    bad.write_text(text.replace('hours = "22,5"', 'hours = "744,5"'))
    done = simulate(str(bad))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"fel: {bad}: events[6].hours: 0–744 timmar"), line


def test_start_in_the_past_is_refused_with_what_to_do(tmp_path: Path) -> None:
    past = tmp_path / "past.toml"
    past.write_text(
        (ROOT / "scenarios" / "late-provider.toml")
        .read_text()
        .replace("2031", "2020")
        .replace("2030", "2019")
    )
    done = simulate(str(past))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    # The plan's today (Europe/Stockholm), as the check counts it.
    tomorrow = datetime.now(ZoneInfo("Europe/Stockholm")).date() + timedelta(days=1)
    assert f"{past}: start: 2020-01-01 har redan börjat eller passerat" in line
    assert f"ange start = {tomorrow.isoformat()} eller senare" in line


# Two refusals the application layer can only make when the event runs, added to the shipped
# scenario so one run covers both: they become `error` entries and the scenario goes on.
H1 = ("meeting", "2031-H1")
REFUSED = """
[[events]]
on = 2031-02-04T11:00:00
action = "placement-choose"
placement = "kund-1"
provider = "559123-4561"

[[events]]
on = 2031-02-11
action = "recovery-settle"
case = "januari"
set_off = true
"""


def test_administration_shows_meeting_recovery_placement_and_application(tmp_path: Path) -> None:
    scenario = tmp_path / "administration.toml"
    scenario.write_text((ROOT / "scenarios" / "administration.toml").read_text() + REFUSED)
    done = simulate(str(scenario), "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    provider, applicant = "556036-0793", "559123-4561"

    def mails(kind: str) -> list[tuple[str, str, list[str]]]:
        return [
            (line["at"], line["provider"], line["to"])
            for line in lines
            if line["type"] == "email" and line["kind"] == kind
        ]

    def states(key: str, value: str) -> list[str]:
        return [
            line["status"] for line in lines if line["type"] == "status" and line.get(key) == value
        ]

    # The refusals, each one line naming the field, at the event's instant; nothing else refused.
    errors = [
        (line["at"], line["action"], line["error"]) for line in lines if line["type"] == "error"
    ]
    assert [(at, action) for at, action, _ in errors] == [
        ("2031-02-04T11:00:00+01:00", "placement-choose"),
        ("2031-02-11T10:00:00+01:00", "recovery-settle"),
    ]
    assert errors[0][2].startswith(f"provider: {applicant} is not approved for Centrum")
    assert errors[1][2].startswith("status: nothing to settle")

    # Återkrav: the case id is made at the start, numbered per provider and year.
    (started,) = [line for line in lines if line.get("action") == "recovery-start"]
    case = started["case"]
    assert case == "5560360793-2031-001" and started["provider"] == provider
    assert states("case", case) == ["noticed", "responded", "decided", "invoiced", "paid"]
    provider_mail = "kontakt@omsorg.example"
    to_both = [provider_mail, "lov-admin@sundsvall.example"]
    # The notice carries the provider's portal link: the administrator gets a copy of its own.
    assert mails("recovery-notice") == [
        ("2031-02-03T10:00:00+01:00", provider, [provider_mail]),
        ("2031-02-03T10:00:00+01:00", provider, ["lov-admin@sundsvall.example"]),
    ]
    assert mails("recovery-invoice") == [("2031-02-13T10:00:00+01:00", provider, to_both)]
    assert mails("recovery-paid") == [("2031-03-05T10:00:00+01:00", provider, to_both)]

    # Kundval: on the rotation list, the customer's choice, the care plan done.
    (placed,) = [line for line in lines if line.get("action") == "placement-start"]
    placement = placed["placement"]
    assert placement.startswith("placement-") and placed["provider"] == ""
    assert states("placement", placement)[:2] == ["awaiting_choice", "active"]
    assert mails("placement-new") == [("2031-02-05T10:00:00+01:00", provider, [provider_mail])]
    # The genomförandeplan is reported in the portal: its requests carry the provider's link,
    # as does the applicant's komplettering request (an applicant answers there too).
    asking = ("placement-new", "care-plan-reminder", "application-completion-request")
    for line in lines:
        if line["type"] == "email" and line["kind"] in asking:
            assert "/portal/" in line.get("link", ""), line

    # The meeting: an invitation, a new one when it moves, a reminder, the minutes; the action
    # item for the provider is a duty it reports like any other.
    organizer = "kvalitetskontroller@sundsvall.example"
    assert mails("meeting-invitation") == [
        ("2031-03-10T10:00:00+01:00", provider, [provider_mail, organizer]),
        ("2031-04-01T10:00:00+02:00", provider, [provider_mail, organizer]),
    ]
    assert [at for at, _, _ in mails("meeting-minutes")] == ["2031-04-17T10:00:00+02:00"]
    meeting = [
        line["status"]
        for line in lines
        if line["type"] == "status" and (line.get("obligation"), line.get("period")) == H1
    ]
    assert meeting[-1] == "held" and "awaiting_minutes" in meeting
    assert states("period", "2031-H1-1")[-1] == "accepted"

    # The application: a komplettering, then approval, which starts the new provider's contract.
    application = f"application-{applicant.replace('-', '')}-1"
    seen = states("application", application)
    assert seen[0] == "received" and seen[-1] == "approved"
    assert "completion_requested" in seen
    assert [at for at, _, _ in mails("application-completion-request")] == [
        "2031-03-11T10:00:00+01:00"
    ]
    assert mails("application-approved")[0][:2] == ("2031-03-20T10:00:00+01:00", applicant)
    assert [
        line["period"]
        for line in lines
        if line["type"] == "status" and line["provider"] == applicant and "obligation" in line
    ]  # the approved provider's contract has opened its duties and meetings


def test_each_mail_that_asks_the_provider_to_act_carries_its_portal_link() -> None:
    import os
    from datetime import UTC

    from models.domain import portal_token

    secret = "simulation-portal-secret-" + "k" * 20
    done = subprocess.run(
        [sys.executable, "-m", "starter", "simulate", "scenarios/late-provider.toml", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "LOV_WEB_SECRET_KEY": secret, "LOV_PORTAL_URL": "https://lov.example/p"},
    )
    assert done.returncode == 0, done.stderr
    mails = [json.loads(x) for x in done.stdout.splitlines() if '"type": "email"' in x]
    asking = {"reminder", "overdue", "pafpekande", "completion-request"}
    assert asking <= {m["kind"] for m in mails}
    for mail in mails:
        to_provider = "info@senomsorg.example" in mail["to"]
        if mail["kind"] in asking and to_provider:
            assert mail["to"] == ["info@senomsorg.example"], mail  # the link to nobody else
            link = mail["link"]
            assert link.startswith("https://lov.example/p/"), mail
            grant = portal_token.read(secret, link.rsplit("/", 1)[1], datetime.now(UTC))
            assert grant.provider_ref == mail["provider"].replace("-", "")
            assert portal_token.same_contact(secret, grant, "info@senomsorg.example")
        elif mail["kind"] in ("receipt", "accepted", "management") or not to_provider:
            assert "link" not in mail, mail


def _finding_entries(stdout: str) -> list[tuple[str, str]]:
    """(instant, what) of every entry about a finding, in the output's order; entries of one
    instant in a fixed order (an e-mail's Date has whole seconds, its step's record does not)."""
    found: list[tuple[str, str]] = []
    for line in stdout.splitlines():
        e = json.loads(line)
        if e["type"] in ("action", "error") and e["action"].startswith("finding-"):
            what = f"{e['type']} {e['action']}"
            if "sanction" in e:
                what += f" {e['sanction']} {e['amount']}"
        elif e["type"] == "status" and "finding" in e:
            what = f"status {e['status']}" + (f" {e['amount']}" if "amount" in e else "")
        elif e["type"] == "email" and e["kind"].startswith("finding-"):
            what = f"email {e['kind']} {','.join(e['to'])}" + (" link" if "link" in e else "")
        else:
            continue
        found.append((e["at"], what))
    instants = [at for at, _ in found]
    assert instants == sorted(instants, key=datetime.fromisoformat)
    return sorted(found, key=lambda pair: (datetime.fromisoformat(pair[0]), pair[1]))


def _ordered(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(entries, key=lambda pair: (datetime.fromisoformat(pair[0]), pair[1]))


def test_a_visit_finding_goes_from_a_late_action_plan_to_a_vite_and_a_remedy() -> None:
    done = simulate("scenarios/finding-visit.toml", "--json")
    assert done.returncode == 0, done.stderr
    provider, admin = "kontakt@omsorg.example", "lov-admin@sundsvall.example"
    both = f"{provider},{admin}"
    # Reminders 7 and 2 days before Monday 10 March (Saturday 8 March moves back to Friday 7
    # March); the åtgärdsplan is late on Tuesday 11 March at 09:00, with a new kommunicering;
    # the failed verification opens another, until 15 April, so a vite on 8 April is refused
    # and one on 16 April decided. The e-mails that ask the provider to act carry its portal
    # link; the administrator's copy does not.
    assert _finding_entries(done.stdout) == _ordered(
        [
            ("2031-02-10T10:00:00+01:00", "action finding-register"),
            ("2031-02-10T10:00:00+01:00", f"email finding-notice {provider} link"),
            ("2031-02-10T10:00:00+01:00", f"email finding-notice {admin}"),
            ("2031-02-10T10:00:00+01:00", "status noticed"),
            ("2031-02-17T10:00:00+01:00", "action finding-respond"),
            ("2031-02-17T10:00:00+01:00", "status responded"),
            ("2031-02-18T10:00:00+01:00", "action finding-request-action-plan"),
            ("2031-02-18T10:00:00+01:00", f"email finding-action-plan-request {provider} link"),
            ("2031-02-18T10:00:00+01:00", f"email finding-action-plan-request {admin}"),
            ("2031-02-18T10:00:00+01:00", "status action_plan_requested"),
            ("2031-03-03T09:00:00+01:00", f"email finding-action-plan-reminder {provider} link"),
            ("2031-03-07T09:00:00+01:00", f"email finding-action-plan-reminder {provider} link"),
            ("2031-03-11T09:00:00+01:00", f"email finding-action-plan-late {provider} link"),
            ("2031-03-11T09:00:00+01:00", f"email finding-action-plan-late {admin}"),
            ("2031-03-11T09:00:00+01:00", "status action_plan_late"),
            ("2031-03-14T10:00:00+01:00", "action finding-submit-action-plan"),
            ("2031-03-14T10:00:00+01:00", "status action_plan_submitted"),
            ("2031-04-01T10:00:00+02:00", "action finding-verify"),
            ("2031-04-01T10:00:00+02:00", f"email finding-verified {both}"),
            ("2031-04-01T10:00:00+02:00", "status not_remedied"),
            ("2031-04-08T10:00:00+02:00", "error finding-decide"),
            ("2031-04-16T10:00:00+02:00", "action finding-decide vite 10000"),
            ("2031-04-16T10:00:00+02:00", f"email finding-decision {both}"),
            ("2031-04-16T10:00:00+02:00", "status not_remedied 10000"),
            ("2031-04-16T11:00:00+02:00", "action finding-request-action-plan"),
            ("2031-04-16T11:00:00+02:00", f"email finding-action-plan-request {provider} link"),
            ("2031-04-16T11:00:00+02:00", f"email finding-action-plan-request {admin}"),
            ("2031-04-16T11:00:00+02:00", "status action_plan_requested"),
            ("2031-05-05T09:00:00+02:00", f"email finding-action-plan-reminder {provider} link"),
            ("2031-05-05T10:00:00+02:00", "action finding-submit-action-plan"),
            ("2031-05-05T10:00:00+02:00", "status action_plan_submitted"),
            ("2031-05-20T10:00:00+02:00", "action finding-verify"),
            ("2031-05-20T10:00:00+02:00", f"email finding-verified {both}"),
            ("2031-05-20T10:00:00+02:00", "status closed"),
        ]
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    [refused] = [e for e in lines if e["type"] == "error"]
    assert refused["error"].startswith("response_due: the provider may respond until 2031-04-15")
    [register] = [e for e in lines if e.get("action") == "finding-register"]
    assert (register["finding"], register["response_due"]) == ("5560360793-2031-001", "2031-02-24")
    vite = next(e for e in lines if e.get("kind") == "finding-decision")
    assert vite["subject"] == "Beslut: Vite – Genomförandeplan inom två veckor"


def test_a_registered_mangel_starts_herning_samarbejdsprocedure_in_danish() -> None:
    done = simulate("scenarios/herning-samarbejdsprocedure.toml", "--json")
    assert done.returncode == 0, done.stderr
    provider, staff = "kontakt@hjemmeplejemidt.example", "visitation@herning.example"
    assert _finding_entries(done.stdout) == _ordered(
        [
            ("2031-02-10T10:00:00+01:00", "action finding-register"),
            ("2031-02-10T10:00:00+01:00", f"email finding-notice {provider} link"),
            ("2031-02-10T10:00:00+01:00", f"email finding-notice {staff}"),
            ("2031-02-10T10:00:00+01:00", "status noticed"),
            ("2031-02-18T10:00:00+01:00", "action finding-respond"),
            ("2031-02-18T10:00:00+01:00", "status responded"),
            ("2031-02-25T10:00:00+01:00", "action finding-request-action-plan"),
            ("2031-02-25T10:00:00+01:00", f"email finding-action-plan-request {provider} link"),
            ("2031-02-25T10:00:00+01:00", f"email finding-action-plan-request {staff}"),
            ("2031-02-25T10:00:00+01:00", "status action_plan_requested"),
            ("2031-03-10T09:00:00+01:00", f"email finding-action-plan-reminder {provider} link"),
            ("2031-03-12T10:00:00+01:00", "action finding-submit-action-plan"),
            ("2031-03-12T10:00:00+01:00", "status action_plan_submitted"),
            ("2031-04-07T10:00:00+02:00", "action finding-verify"),
            ("2031-04-07T10:00:00+02:00", f"email finding-verified {provider},{staff}"),
            ("2031-04-07T10:00:00+02:00", "status closed"),
        ]
    )
    subjects = {
        e["kind"]: e["subject"]
        for e in map(json.loads, done.stdout.splitlines())
        if e["type"] == "email" and e["kind"].startswith("finding-")
    }
    assert subjects == {
        "finding-notice": "Samarbejdsprocedure: Dokumentation af den leverede hjælp – svar "
        "senest 24. februar 2031",
        "finding-action-plan-request": "Handlingsplan senest 17. marts 2031: Dokumentation af "
        "den leverede hjælp",
        "finding-action-plan-reminder": "Påmindelse: handlingsplan senest 17. marts 2031",
        "finding-verified": "Manglen er rettet: Dokumentation af den leverede hjælp",
    }


def _task_entries(stdout: str) -> list[tuple[str, str, str]]:
    """(instant, provider, what) of every entry about a municipal task, in the output's order."""
    found = []
    for line in stdout.splitlines():
        e = json.loads(line)
        if e["type"] in ("action", "error") and e["action"] == "task-done":
            what = f"{e['type']} {e.get('status', e.get('error'))}"
        elif e["type"] == "status" and "task" in e:
            what = f"status {e['status']}"
        elif e["type"] == "email" and e["kind"].startswith("municipal-task-"):
            what = f"email {e['kind']} {','.join(e['to'])}"
        else:
            continue
        found.append((e["at"], e["provider"], what))
    return found


def test_nordanstig_tillsyn_shows_the_municipality_s_own_duties() -> None:
    done = simulate("scenarios/nordanstig-tillsyn.toml", "--json")
    assert done.returncode == 0, done.stderr
    owner, chef = "kvalitetsuppfoljning@nordanstig.example", "socialchef@nordanstig.example"
    norr, solros = "556036-0793", "556677-8899"
    # Visits due Monday 2 June (31 May is a Saturday): reminders 30 and 7 days before to the
    # kvalitetsuppföljare; Omsorg i Norr's done in time (no second reminder); Solros's goes
    # to the socialchef (copy to the owner) on 16 June and is done late. The kundundersökning
    # (due Monday 1 December) is the municipality's, at no provider, and done in time.
    assert _task_entries(done.stdout) == [
        ("2031-05-02T09:00:00+02:00", norr, f"email municipal-task-reminder {owner}"),
        ("2031-05-02T09:00:00+02:00", solros, f"email municipal-task-reminder {owner}"),
        ("2031-05-21T10:00:00+02:00", norr, "action done-on-time"),
        ("2031-05-21T10:00:00+02:00", norr, "status done-on-time"),
        ("2031-05-26T09:00:00+02:00", solros, f"email municipal-task-reminder {owner}"),
        ("2031-06-16T09:00:00+02:00", solros, f"email municipal-task-escalation {chef},{owner}"),
        ("2031-06-16T09:00:00+02:00", solros, "status escalated"),
        ("2031-06-18T10:00:00+02:00", solros, "action done-late"),
        ("2031-06-18T10:00:00+02:00", solros, "status done-late"),
        ("2031-10-31T09:00:00+01:00", "", f"email municipal-task-reminder {owner}"),
        ("2031-11-20T10:00:00+01:00", "", "action done-on-time"),
        ("2031-11-20T10:00:00+01:00", "", "status done-on-time"),
    ]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    late = next(e for e in lines if e.get("event") == "municipal-task-done" and e["escalated"])
    assert (late["task"], late["actor"], late["done_on"]) == (
        "tillsynsbesok-2031-5566778899",
        "Margareta Sjögren",
        "2031-06-17",
    )
    # No provider duty stands in for the visit or the survey any more (the retired ones).
    owed = {e["obligation"] for e in lines if e.get("obligation") and e["type"] != "email"}
    assert not owed & {"self-inspection", "customer-survey", "tillsynsbesok", "kundundersokning"}


def test_a_task_done_the_plan_cannot_place_is_refused_naming_the_key(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "nordanstig-tillsyn.toml").read_text()
    cases = [
        (text.replace('task = "kundundersokning"', 'task = "kundenkat"'), "events[2].task"),
        (text.replace('provider = "556677-8899"\n', ""), "events[1].provider"),
        (text.replace("done_on = 2031-05-20", "done_on = 2031-05-22"), "events[0].done_on"),
    ]
    for changed, key in cases:
        assert changed != text, key
        bad = tmp_path / "bad.toml"
        bad.write_text(changed)
        done = simulate(str(bad))
        assert done.returncode == 2 and done.stdout == "", (key, done.stderr)
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith(f"fel: {bad}: {key}: "), line
