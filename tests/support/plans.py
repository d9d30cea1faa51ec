"""Plan texts and dates shared by the tests: a small test plan whose duties fall due within days
(`plan_toml`, for the CLI and live tests) and a quarterly plan for long runs."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT

ZONE = ZoneInfo("Europe/Stockholm")


PLAN_ID = "testkommun"


PROVIDER_EMAIL = "kontakt@omsorg.example"


ADMIN_EMAIL = "lov-admin@testkommun.example"


ECONOMIST_EMAIL = "ekonom@testkommun.example"


def plan_toml(
    plan_id: str,
    due: date,
    *,
    version: str = "test-1",
    send_at: time = time(9, 0),
    reminder_offsets_days: tuple[int, ...] = (3,),
    country: str = "SE",
) -> str:
    """A plan (same structure as plans/sundsvall.toml) with two annual duties due on `due`.

    No holiday calendar, so `due` is not moved; office hours span the whole day so a test may
    place the reminder at any time of day.
    """
    offsets = ", ".join(str(d) for d in reminder_offsets_days)
    # A Danish plan (`country = "DK"`) writes to people in Danish; its providers have CVR numbers.
    language = "da" if country == "DK" else "sv"
    return f"""
id = "{plan_id}"
name = "Testkommun – Vård och omsorg"
version = "{version}"
country = "{country}"
language = "{language}"
time_zone = "Europe/Stockholm"
holiday_calendar = "none"
reminder_offsets_days = [{offsets}]
administrator_role = "lov-admin"

[office_hours]
start = 00:00:00
end = 23:59:59
send_at = {send_at.isoformat(timespec="seconds")}

[first_occurrence]
rule = "due-after-start"

[prepare_next_year_on]
month = 12
day = 31

[roles.lov-admin]
title = "LOV-administratör"
email = "{ADMIN_EMAIL}"

[roles.economist]
title = "Förvaltningsekonom"
email = "{ECONOMIST_EMAIL}"

[[escalation]]
level = 1
after_days = 1
kind = "overdue"
title = "Redovisningen har inte kommit in i tid"
notify = ["provider", "lov-admin"]

[[obligations]]
key = "annual-report"
title = "Årlig redovisning"
recipient = "lov-admin"

[obligations.schedule]
kind = "annual"
due = {{ month = {due.month}, day = {due.day} }}

[[obligations.fields]]
key = "customers"
title = "Antal kunder"

[[obligations.fields]]
key = "permit_current"
title = "Tillståndet från IVO är aktuellt"
type = "bool"

[[obligations.fields]]
key = "staff_education"
title = "Andel undersköterskor (%)"
type = "percent"
required = false

[[obligations.fields]]
key = "current_care_plans"
title = "Antal kunder med aktuell genomförandeplan"
required = false

[[obligations.checks]]
field = "current_care_plans"
at_most = "customers"

[[obligations.documents]]
key = "deviation-analysis"
title = "Analys av avvikelser"

[[obligations.documents]]
key = "ivo-permit"
title = "Nytt tillståndsbeslut"
required = false

[[obligations]]
key = "annual-accounts"
title = "Årsredovisning"
recipient = "economist"

[obligations.schedule]
kind = "annual"
due = {{ month = {due.month}, day = {due.day} }}

[[obligations.documents]]
key = "annual-accounts"
title = "Årsredovisning för senaste räkenskapsåret"
"""


def local_today() -> date:
    return datetime.now(ZONE).date()


def due_soon(today: date) -> date:
    """A due date within days that a contract started today owes this follow-up year.

    The plan prepares the next year on 31 December (`prepare_next_year_on`), so from then on a
    new contract follows up the next year: its duties must fall due in that year.
    """
    if (today.month, today.day) == (12, 31):
        return today + timedelta(days=10)
    return min(today + timedelta(days=10), date(today.year, 12, 30))


# One quarterly report with an accepted submission each time is enough to show the bound; the
# full Sundsvall plan run unanswered for ten years is covered by the simulation benchmark.
QUARTERLY_PLAN = """
id = "quarterly"
name = "Kvartalsrapport"
version = "1"
[roles.lov-admin]
title = "LOV-administratör"
email = "lov-admin@example.se"
[[escalation]]
level = 1
after_days = 1
kind = "overdue"
title = "Försenad"
notify = ["provider", "lov-admin"]
[[obligations]]
key = "quarterly-report"
title = "Kvartalsrapport"
recipient = "lov-admin"
[obligations.schedule]
kind = "periodic"
periods = [
  { label = "Q1", start = { month = 1, day = 1 }, end = { month = 3, day = 31 }, due = Q1_DUE },
  { label = "Q2", start = { month = 4, day = 1 }, end = { month = 6, day = 30 }, due = Q2_DUE },
  { label = "Q3", start = { month = 7, day = 1 }, end = { month = 9, day = 30 }, due = Q3_DUE },
  { label = "Q4", start = { month = 10, day = 1 }, end = { month = 12, day = 31 }, due = Q4_DUE },
]
[[obligations.fields]]
key = "customers"
title = "Antal kunder"
"""
for _q, (_m, _d) in enumerate(((4, 15), (7, 15), (10, 15), (12, 15)), start=1):
    QUARTERLY_PLAN = QUARTERLY_PLAN.replace(f"Q{_q}_DUE", f"{{ month = {_m}, day = {_d} }}")


# One meeting a year whose window is the whole year: a contract started today owes one.
MEETINGS_PLAN = """
[meetings]
per_year = 1
organizer = "lov-admin"

[[meetings.windows]]
label = "H1"
start = { month = 1, day = 1 }
end = { month = 12, day = 31 }
due = { month = 12, day = 31 }
"""

# One municipal duty (issue 19) of the municipality itself, open the whole year, owned by a
# municipal role whose manager is the administrator: the desk's "Kommunens uppgifter" has one
# task to list and register as done.
MUNICIPAL_PLAN = """
[municipal.roles.kvalitetsuppfoljare]
title = "Kvalitetsuppföljare"
email = "kvalitet@testkommun.example"
manager = "lov-admin"

[[municipal.duties]]
key = "kundundersokning"
title = "Årlig kundundersökning"
description = "Kundundersökning bland hemtjänstens kunder."
owner = "kvalitetsuppfoljare"
scope = "municipality"

[municipal.duties.schedule]
kind = "annual"
opens = { month = 1, day = 1 }
due = { month = 12, day = 31 }
"""


def always_open_plans(dest: Path, plan_id: str = "sundsvall") -> Path:
    """A plans folder holding the shipped plans, `plan_id`'s changed (same id, skallkrav and
    duties) so that its office hours span every hour of every day (no holiday calendar): for
    tests against the dev server's real clock, where e-mail that waits for office hours
    (workflows/office_hours.py) must go out at once whenever the test runs, at night and at
    weekends too."""
    dest.mkdir(parents=True, exist_ok=True)
    for shipped in (PROJECT_ROOT / "plans").glob("*.toml"):
        (dest / shipped.name).write_bytes(shipped.read_bytes())
    text = (PROJECT_ROOT / "plans" / f"{plan_id}.toml").read_text(encoding="utf-8")
    text, calendars = re.subn(
        r'(?m)^holiday_calendar = "[A-Za-z]+"$', 'holiday_calendar = "none"', text
    )
    text, hours = re.subn(
        r"(?ms)^\[office_hours\]\nstart = [0-9:]+\nend = [0-9:]+\n",
        "[office_hours]\nstart = 00:00:00\nend = 23:59:59\n",
        text,
    )
    assert calendars == 1 and hours == 1, f"plans/{plan_id}.toml: office hours not found"
    (dest / f"{plan_id}.toml").write_text(text, encoding="utf-8")
    assert load_plan(plan_id, dest).office_hours.end == time(23, 59, 59)
    return dest
