"""The desk's words for the municipality's own tasks ("Kommunens uppgifter", issue 19): the
list, the task page with its form, and the start page's section. Swedish and Danish; merged
into web/texts.py (`tr("tasks.…")`), which checks that both languages have every key."""

from __future__ import annotations

SV: dict[str, str] = {
    "nav.tasks": "Kommunens uppgifter",
    "tasks.title": "Kommunens uppgifter",
    "tasks.lead": "Det kommunen själv ska göra i uppföljningen: tillsynsbesök hos utförarna, "
    "kundundersökningar och annat som planerna lägger på kommunens roller. En uppgift som inte "
    "är gjord när den förfaller går efter planens dagar vidare till den ansvarigas chef.",
    "tasks.filter": "Visa",
    "tasks.filter_apply": "Visa uppgifterna",
    "tasks.role": "Ansvarig roll",
    "tasks.plan": "Plan",
    "tasks.state": "Läge",
    "tasks.overdue": "Bara försenade",
    "tasks.all": "Alla",
    "tasks.caption": "Uppgifter i förfalloordning: {n}",
    "tasks.empty": "Inga uppgifter att visa.",
    "tasks.what": "Uppgift",
    "tasks.owner": "Ansvarig",
    "tasks.due": "Förfaller",
    "tasks.at": "Hos",
    "tasks.municipality": "kommunen (ingen särskild utförare)",
    "tasks.escalates_to": "Går vid försening till",
    "tasks.done_on": "Utförd",
    "tasks.by": "Av",
    "tasks.result": "Resultat",
    "tasks.register": "Registrera som utförd",
    "tasks.register_intro": "Ange när uppgiften gjordes, av vem och vad den visade. Är den "
    "gjord efter förfallodagen registreras den som utförd för sent.",
    "tasks.form_done_on": "Datum då den utfördes",
    "tasks.form_by": "Utförd av",
    "tasks.form_result": "Resultat",
    "tasks.form_document": "Dokument (valfritt: PDF, Office-dokument eller bild)",
    "tasks.form_findings": "Iakttagelser (valfritt, en per rad)",
    "tasks.form_submit": "Registrera",
    "tasks.already_done": "Uppgiften är registrerad som utförd.",
    "tasks.registered": "Uppgiften är registrerad som utförd.",
    "tasks.not_yours": "Din roll kan läsa uppgifterna men inte registrera dem.",
    "tasks.back": "Alla kommunens uppgifter",
    "start.tasks": "Kommunens egna uppgifter",
    "start.tasks_caption": "Aktuella och försenade uppgifter för din roll: {n}",
    "start.tasks_empty": "Inga av kommunens egna uppgifter väntar på dig.",
}

DA: dict[str, str] = {
    "nav.tasks": "Kommunens opgaver",
    "tasks.title": "Kommunens opgaver",
    "tasks.lead": "Det kommunen selv skal gøre i opfølgningen: tilsynsbesøg hos leverandørerne, "
    "tilfredshedsundersøgelser og andet, som planerne lægger på kommunens roller. En opgave, der "
    "ikke er udført ved fristen, går efter planens dage videre til den ansvarliges leder.",
    "tasks.filter": "Vis",
    "tasks.filter_apply": "Vis opgaverne",
    "tasks.role": "Ansvarlig rolle",
    "tasks.plan": "Plan",
    "tasks.state": "Status",
    "tasks.overdue": "Kun forsinkede",
    "tasks.all": "Alle",
    "tasks.caption": "Opgaver efter frist: {n}",
    "tasks.empty": "Ingen opgaver at vise.",
    "tasks.what": "Opgave",
    "tasks.owner": "Ansvarlig",
    "tasks.due": "Frist",
    "tasks.at": "Hos",
    "tasks.municipality": "kommunen (ingen bestemt leverandør)",
    "tasks.escalates_to": "Går ved forsinkelse til",
    "tasks.done_on": "Udført",
    "tasks.by": "Af",
    "tasks.result": "Resultat",
    "tasks.register": "Registrér som udført",
    "tasks.register_intro": "Angiv hvornår opgaven blev udført, af hvem og hvad den viste. Er "
    "den udført efter fristen, registreres den som udført for sent.",
    "tasks.form_done_on": "Dato for udførelsen",
    "tasks.form_by": "Udført af",
    "tasks.form_result": "Resultat",
    "tasks.form_document": "Dokument (valgfrit: PDF, Office-dokument eller billede)",
    "tasks.form_findings": "Iagttagelser (valgfrit, én pr. linje)",
    "tasks.form_submit": "Registrér",
    "tasks.already_done": "Opgaven er registreret som udført.",
    "tasks.registered": "Opgaven er registreret som udført.",
    "tasks.not_yours": "Din rolle kan læse opgaverne, men ikke registrere dem.",
    "tasks.back": "Alle kommunens opgaver",
    "start.tasks": "Kommunens egne opgaver",
    "start.tasks_caption": "Aktuelle og forsinkede opgaver for din rolle: {n}",
    "start.tasks_empty": "Ingen af kommunens egne opgaver venter på dig.",
}
