"""Kundval's words on the desk: the placement workflow's history events, and its and the
rotation workflow's refusals (English, as the CLI prints them) in Swedish."""

from __future__ import annotations

import re
from datetime import date

from services.words import PLACEMENT_STATES
from web.refusals import Rewordings
from web.render import sv_date

EVENTS = {
    "registered": "Beslutet registrerat",
    "assigned": "Utförare tilldelad",
    "switch_requested": "Byte av utförare registrerat",
    "switched": "Bytet av utförare genomfört",
    "care_plan_done": "Genomförandeplanen registrerad",
    "care_plan_reminder": "Påminnelse om genomförandeplanen",
    "care_plan_overdue": "Genomförandeplanen är försenad",
    "rechoice_requested": "Kunden ska välja på nytt",
    "rotation_failed": "Ingen utförare på turordningslistan",
    "ending": "Placeringen avslutas",
    "ended": "Placeringen avslutad",
}


def _date_of(match: re.Match[str], group: int) -> str:
    return sv_date(date.fromisoformat(match.group(group)))


# The placement and rotation workflows' refusals (workflows/placement.py, rotation.py) and the
# service's, worded for the desk.
WORDS: Rewordings = [
    (
        re.compile(r"the customer has a provider; use switch to change it"),
        lambda m: "kunden har redan en utförare; registrera ett byte i stället",
    ),
    (
        re.compile(r"(\S+) is the provider whose contract ends"),
        lambda m: f"{m.group(1)} är den utförare vars avtal upphör",
    ),
    (
        re.compile(r"the customer has no provider yet; use choose"),
        lambda m: "kunden har ingen utförare än; registrera kundens val i stället",
    ),
    (
        re.compile(r"(\S+) is already the customer's provider"),
        lambda m: f"{m.group(1)} är redan kundens utförare",
    ),
    (re.compile(r"a switch is already under way.*"), lambda m: "ett byte pågår redan"),
    (re.compile(r"the placement is ending"), lambda m: "placeringen håller på att avslutas"),
    (
        re.compile(r"must be between (\S+) and (\S+)"),
        lambda m: f"måste vara mellan {_date_of(m, 1)} och {_date_of(m, 2)}",
    ),
    (re.compile(r"no provider has started yet"), lambda m: "ingen utförare har börjat än"),
    (
        re.compile(r"the genomförandeplan is already registered"),
        lambda m: "genomförandeplanen är redan registrerad",
    ),
    (re.compile(r"must not be in the future"), lambda m: "får inte vara efter i dag"),
    (re.compile(r"before the provider's start"), lambda m: "före utförarens start"),
    (re.compile(r"the placement is already ending"), lambda m: "placeringen avslutas redan"),
    (re.compile(r"must not be in the past"), lambda m: "får inte vara före i dag"),
    (
        re.compile(r"the placement is still being registered"),
        lambda m: "placeringen registreras fortfarande; försök igen om en stund",
    ),
    (re.compile(r"the placement has ended"), lambda m: "placeringen är avslutad"),
    (
        re.compile(r"another change is under way; try again in a moment"),
        lambda m: "en annan ändring pågår; försök igen om en stund",
    ),
    (
        re.compile(r"no (other )?approved provider (?:on the rotation list )?for (.+?)"),
        lambda m: f"ingen {'annan ' if m.group(1) else ''}godkänd utförare för {m.group(2)}",
    ),
    (
        re.compile(r"(\S+) is not approved for (.+) \(approved: .*\)"),
        lambda m: f"{m.group(1)} är inte godkänd för {m.group(2)}",
    ),
    (
        re.compile(r"(\S+)'s contract starts (\S+), after (\S+)"),
        lambda m: f"avtalet med {m.group(1)} börjar först {_date_of(m, 2)}",
    ),
    (
        re.compile(r"looks like a personnummer.*"),
        lambda m: (
            "ser ut som ett personnummer; ange kundens pseudonyma referens, t.ex. ärendenumret"
        ),
    ),
    (
        re.compile(r"1–40 characters: .*"),
        lambda m: "1–40 tecken: bokstäver, siffror och . _ / -",
    ),
    (
        re.compile(r"(\S+) is already on the list for (.+)"),
        lambda m: f"{m.group(1)} står redan på listan för {m.group(2)}",
    ),
    (
        re.compile(r"(\S+) is not on the list for (.+)"),
        lambda m: f"{m.group(1)} står inte på listan för {m.group(2)}",
    ),
    (
        re.compile(r"(\S+) is not on any rotation list"),
        lambda m: f"{m.group(1)} står inte på någon turordningslista",
    ),
    (
        re.compile(r"(\S+) has no running contract"),
        lambda m: f"{m.group(1)} har inget gällande avtal",
    ),
    (
        re.compile(r"the item is already (\w+)"),
        lambda m: f"placeringen är redan {PLACEMENT_STATES.get(m.group(1), m.group(1))}",
    ),
]
