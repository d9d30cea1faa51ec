"""Kundval's words on the desk, in Swedish and Danish: the placement workflow's history
events. (The placement and rotation workflows' refusals are worded in web/refusals.py.)"""

from __future__ import annotations

from collections.abc import Mapping

EVENTS: dict[str, dict[str, str]] = {
    "sv": {
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
    },
    "da": {
        "registered": "Afgørelsen registreret",
        "assigned": "Leverandør tildelt",
        "switch_requested": "Skift af leverandør registreret",
        "switched": "Skiftet af leverandør gennemført",
        "care_plan_done": "Handleplanen registreret",
        "care_plan_reminder": "Påmindelse om handleplanen",
        "care_plan_overdue": "Handleplanen er forsinket",
        "rechoice_requested": "Borgeren skal vælge igen",
        "rotation_failed": "Ingen leverandør på turlisten",
        "ending": "Placeringen afsluttes",
        "ended": "Placeringen afsluttet",
    },
}


def events(language: str) -> Mapping[str, str]:
    """The events' words in `language` (Swedish for a language without its own)."""
    return EVENTS.get(language, EVENTS["sv"])
