"""Refusals in the desk's language, one table per concept (duties, meetings, kundval, återkrav,
applications, findings, the municipality's tasks, logging in) in Swedish and Danish side by
side.

The workflows' validators answer in English ("new_due: must be after today") and the services
in Swedish glossed in English ("krävs (required), t.ex. --year 2027"), which the CLI prints as
they are; the desk shows its users plain Swedish, or plain Danish on a Danish plan's desk, so
the known phrasings are reworded here. Anything not known is shown as it came (it is still one
line naming the field).

A wording is a pattern and a template per language. The template names the pattern's groups,
and a group's name says how its value is written: `day…` an ISO date in the language's local
form; `state`, `meeting`, `recovery`, `placement`, `application` a state in words
(web/words.py), `finding` a finding's (web/finding_texts.py); `keys` skallkrav keys by their
titles in the plan; any other name as it came.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from models.domain.date_text import format_date
from web import texts, words


@dataclass(frozen=True, slots=True)
class Wording:
    pattern: re.Pattern[str]
    sv: str | None  # None: the Swedish as it came (its English gloss is left out by the page)
    da: str


def _w(pattern: str, sv: str | None, da: str) -> Wording:
    return Wording(re.compile(pattern, re.S), sv, da)


# The phrasings every page may meet: the obligation workflow's validators (the duty page), the
# input rules (models.domain.inputs), the lists' filters (services/filters.py) and the desk's
# own Swedish messages (web/forms.py), tried after a page's concept.
SHARED: tuple[Wording, ...] = (
    _w(r"must not be empty", "får inte vara tomt", "må ikke være tomt"),
    _w(r"must be after today", "måste vara efter i dag", "skal være efter i dag"),
    _w(
        r"must be after the current due date (?P<day>\d{4}-\d\d-\d\d)",
        "måste vara efter nuvarande förfallodag, {day}",
        "skal være efter den nuværende forfaldsdato, {day}",
    ),
    _w(
        r"at most two years after the current due date",
        "högst två år efter nuvarande förfallodag",
        "højst to år efter den nuværende forfaldsdato",
    ),
    _w(
        r"required for request-completion",
        "krävs när komplettering begärs",
        "skal udfyldes, når der anmodes om supplering",
    ),
    _w(
        r"nothing to review \(status is (?P<state>\w+)\)",
        "det finns inget att granska: skyldigheten är {state}",
        "der er intet at gennemgå: pligten er {state}",
    ),
    _w(
        r"submitted and awaiting review; review it instead",
        "inlämnad och väntar på granskning: granska den i stället",
        "afleveret og afventer gennemgang: gennemgå den i stedet",
    ),
    _w(
        r"cannot \w+, the item is already (?P<state>\w+)",
        "går inte: skyldigheten är redan {state}",
        "det er ikke muligt: pligten er allerede {state}",
    ),
    _w(
        r"already submitted and awaiting review",
        "redan inlämnad och väntar på granskning",
        "allerede afleveret og afventer gennemgang",
    ),
    _w(
        r"the item is already (?P<state>\w+)",
        "skyldigheten är redan {state}",
        "pligten er allerede {state}",
    ),
    _w(
        r"måste ligga mellan (?P<day>\d{4}-\d\d-\d\d) och (?P<day2>\d{4}-\d\d-\d\d) \(.*",
        "måste ligga mellan {day} och {day2}",
        "skal ligge mellem {day} og {day2}",
    ),
    _w(
        r"högst (?P<n>\d+) tecken \(at most \d+ characters\).*",
        "högst {n} tecken",
        "højst {n} tegn",
    ),
    _w(r"före --from \(before --from\).*", "före från-datumet", "før fra-datoen"),
    _w(
        r"okänt läge \(unknown state\).*",
        "okänt läge: välj ett i listan",
        "ukendt status: vælg en på listen",
    ),
    _w(r"krävs \(required\), t\.ex\. .*", "måste fyllas i", "skal udfyldes"),
    _w(
        r"okänd plan \(unknown plan\).*",
        None,
        "ukendt plan: vælg en på listen",
    ),
    _w(r"inte ett år \(not a year\).*", None, "ikke et år, f.eks. 2027"),
    _w(
        r"orimligt år \(implausible year\), fick (?P<year>\d+)",
        None,
        "urimeligt år: {year}",
    ),
    _w(
        r"inte ett datum ÅÅÅÅ-MM-DD \(not a date\).*",
        None,
        "ikke en dato: skriv ÅÅÅÅ-MM-DD",
    ),
    # The services' Swedish input rules, already plain Swedish once their gloss is left out.
    _w(
        r"inte ett tal \(not a number\)(?:, fick|:) (?P<value>.+)",
        None,
        "ikke et tal: {value}",
    ),
    _w(
        r"högst två decimaler \(at most two decimals\), fick (?P<value>.+)",
        None,
        "højst to decimaler: {value}",
    ),
    _w(r"högst (?P<n>\d+) tecken \(at most \d+\)", None, "højst {n} tegn"),
    _w(r"okänd status .* \(unknown\).*", None, "ukendt status: vælg en på listen"),
    _w(
        r"får inte vara före beslutsdatum \(before the decision date\)",
        None,
        "må ikke være før afgørelsesdatoen",
    ),
    _w(r"ange ett datum", "ange ett datum", "angiv en dato"),
    _w(
        r"skriv datumet som ÅÅÅÅ-MM-DD",
        "skriv datumet som ÅÅÅÅ-MM-DD",
        "skriv datoen som ÅÅÅÅ-MM-DD",
    ),
    _w(r"välj en utförare", "välj en utförare", "vælg en leverandør"),
    # What a page says instead of itself (web/app.py's error page): the services' and the
    # pages' own Swedish sentences.
    _w(
        r"ingen sådan utförare i registret",
        "ingen sådan utförare i registret",
        "ingen sådan leverandør i registret",
    ),
    _w(
        r"ingen sådan skyldighet i registret",
        "ingen sådan skyldighet i registret",
        "ingen sådan pligt i registret",
    ),
    _w(
        r"inget sådant möte i registret",
        "inget sådant möte i registret",
        "intet sådant møde i registret",
    ),
    _w(
        r"mötet har ingen bokad tid att lägga i en kalender",
        "mötet har ingen bokad tid att lägga i en kalender",
        "mødet har intet booket tidspunkt at lægge i en kalender",
    ),
    _w(
        r"Din roll får inte göra detta\. Inget har ändrats\.",
        "Din roll får inte göra detta. Inget har ändrats.",
        "Din rolle må ikke gøre dette. Intet er ændret.",
    ),
    _w(
        r"Formuläret har gått ut\. Ladda om sidan och försök igen\.",
        "Formuläret har gått ut. Ladda om sidan och försök igen.",
        "Formularen er udløbet. Genindlæs siden, og prøv igen.",
    ),
    _w(r"Placeringen finns inte\.", "Placeringen finns inte.", "Placeringen findes ikke."),
    _w(
        r"Temporal svarar inte just nu, så placeringen kan inte visas\. Försök igen snart\.",
        "Temporal svarar inte just nu, så placeringen kan inte visas. Försök igen snart.",
        "Temporal svarer ikke lige nu, så placeringen kan ikke vises. Prøv igen om lidt.",
    ),
    _w(r"Återkravet finns inte\.", "Återkravet finns inte.", "Kravet findes ikke."),
    _w(
        r"Ingen sådan ansökan i registret\.",
        "Ingen sådan ansökan i registret.",
        "Ingen sådan ansøgning i registret.",
    ),
    _w(
        r"Exporten kan inte förseglas: nyckeln är felaktigt inställd\. Kontakta driften\.",
        "Exporten kan inte förseglas: nyckeln är felaktigt inställd. Kontakta driften.",
        "Eksporten kan ikke forsegles: nøglen er indstillet forkert. Kontakt driften.",
    ),
    _w(
        r"Temporal kunde inte nås, så registret kan inte jämföras med historiken just nu\. .*",
        "Temporal kunde inte nås, så registret kan inte jämföras med historiken just nu. Försök "
        "igen om en stund, eller exportera bara registret.",
        "Temporal kunne ikke nås, så registret kan ikke sammenlignes med historikken lige nu. "
        "Prøv igen om lidt, eller eksportér kun registret.",
    ),
)

MEETING: tuple[Wording, ...] = (
    _w(r"inte en tid .*\(not a time\).*", "ange datum och klockslag", "angiv dato og klokkeslæt"),
    _w(
        r"(?P<why>.+); ange --reason för att boka ändå \(.*\)",
        "{why}; ange ett skäl för att boka ändå",
        "{why}; angiv en begrundelse for at booke alligevel",
    ),
    _w(
        r"ange antingen --place eller --link.*",
        "ange antingen en plats eller en länk, inte båda",
        "angiv enten et sted eller et link, ikke begge",
    ),
    _w(r"must be in the future", "tiden har redan varit", "tidspunktet er allerede passeret"),
    _w(
        r"(?P<day>\d{4}-\d\d-\d\d) is outside the meeting window (?P<day2>\d{4}-\d\d-\d\d)"
        r"–(?P<day3>\d{4}-\d\d-\d\d); give a reason to hold it then",
        "{day} ligger utanför mötesfönstret {day2} – {day3}; ange ett skäl för att boka ändå",
        "{day} ligger uden for mødevinduet {day2} – {day3}; angiv en begrundelse for at booke "
        "alligevel",
    ),
    _w(
        r"(?P<why>.+); give a reason to hold it then",
        "{why}; ange ett skäl för att boka ändå",
        "{why}; angiv en begrundelse for at booke alligevel",
    ),
    _w(r"give a place or a link", "ange en plats eller en länk", "angiv et sted eller et link"),
    _w(
        r"between (?P<low>\d+) and (?P<high>\d+) minutes",
        "mellan {low} och {high} minuter",
        "mellem {low} og {high} minutter",
    ),
    _w(
        r"already scheduled; use reschedule to move it",
        "mötet är redan bokat: flytta det i stället",
        "mødet er allerede booket: flyt det i stedet",
    ),
    _w(
        r"the meeting was cancelled; use schedule to book the window again",
        "mötet är inställt: boka en ny tid i stället",
        "mødet er aflyst: book et nyt tidspunkt i stedet",
    ),
    _w(r"not scheduled yet; use schedule", "mötet är inte bokat än", "mødet er ikke booket endnu"),
    _w(
        r"the meeting was never scheduled; schedule it and hold it first",
        "mötet har aldrig bokats, så det finns inget att föra protokoll över",
        "mødet er aldrig blevet booket, så der er intet at skrive referat af",
    ),
    _w(
        r"the meeting has not taken place yet \(scheduled for (?P<when>.+)\)",
        "mötet har inte hållits än (bokat till {when})",
        "mødet er ikke afholdt endnu (booket til {when})",
    ),
    _w(
        r"cannot [\w ]+ the meeting, it is already (?P<meeting>\w+)",
        "går inte: mötet är redan {meeting}",
        "det er ikke muligt: mødet er allerede {meeting}",
    ),
    # The meeting page's own (web/pages/meetings.py).
    _w(
        r"skriv en sammanfattning av mötet",
        "skriv en sammanfattning av mötet",
        "skriv et resumé af mødet",
    ),
    _w(
        r"ange minst en närvarande, en per rad",
        "ange minst en närvarande, en per rad",
        "angiv mindst én deltager, én pr. linje",
    ),
    _w(r"beskriv åtgärden", "beskriv åtgärden", "beskriv opfølgningspunktet"),
    _w(
        r"ange mötets längd i hela minuter",
        "ange mötets längd i hela minuter",
        "angiv mødets varighed i hele minutter",
    ),
    _w(r"at least one attendee", "ange minst en närvarande", "angiv mindst én deltager"),
    _w(r"at most two years ahead", "högst två år framåt", "højst to år frem"),
)

# Kundval: the placement and rotation workflows' refusals (workflows/placement.py, rotation.py)
# and the service's.
PLACEMENT: tuple[Wording, ...] = (
    _w(
        r"the customer has a provider; use switch to change it",
        "kunden har redan en utförare; registrera ett byte i stället",
        "borgeren har allerede en leverandør; registrer et skift i stedet",
    ),
    _w(
        r"(?P<org>\S+) is the provider whose contract ends",
        "{org} är den utförare vars avtal upphör",
        "{org} er den leverandør, hvis kontrakt ophører",
    ),
    _w(
        r"the customer has no provider yet; use choose",
        "kunden har ingen utförare än; registrera kundens val i stället",
        "borgeren har ingen leverandør endnu; registrer borgerens valg i stedet",
    ),
    _w(
        r"(?P<org>\S+) is already the customer's provider",
        "{org} är redan kundens utförare",
        "{org} er allerede borgerens leverandør",
    ),
    _w(r"a switch is already under way.*", "ett byte pågår redan", "et skift er allerede i gang"),
    _w(
        r"the placement is ending",
        "placeringen håller på att avslutas",
        "placeringen er ved at blive afsluttet",
    ),
    _w(
        r"must be between (?P<day>\S+) and (?P<day2>\S+)",
        "måste vara mellan {day} och {day2}",
        "skal være mellem {day} og {day2}",
    ),
    _w(
        r"no provider has started yet",
        "ingen utförare har börjat än",
        "ingen leverandør er begyndt endnu",
    ),
    _w(
        r"the genomförandeplan is already registered",
        "genomförandeplanen är redan registrerad",
        "handleplanen er allerede registreret",
    ),
    _w(r"must not be in the future", "får inte vara efter i dag", "må ikke være efter i dag"),
    _w(r"before the provider's start", "före utförarens start", "før leverandørens start"),
    _w(
        r"the placement is already ending",
        "placeringen avslutas redan",
        "placeringen er allerede ved at blive afsluttet",
    ),
    _w(r"must not be in the past", "får inte vara före i dag", "må ikke være før i dag"),
    _w(
        r"the placement is still being registered",
        "placeringen registreras fortfarande; försök igen om en stund",
        "placeringen er stadig ved at blive registreret; prøv igen om lidt",
    ),
    _w(r"the placement has ended", "placeringen är avslutad", "placeringen er afsluttet"),
    _w(
        r"another change is under way; try again in a moment",
        "en annan ändring pågår; försök igen om en stund",
        "en anden ændring er i gang; prøv igen om lidt",
    ),
    _w(
        r"no other approved provider (?:on the rotation list )?for (?P<what>.+?)",
        "ingen annan godkänd utförare för {what}",
        "ingen anden godkendt leverandør for {what}",
    ),
    _w(
        r"no approved provider (?:on the rotation list )?for (?P<what>.+?)",
        "ingen godkänd utförare för {what}",
        "ingen godkendt leverandør for {what}",
    ),
    _w(
        r"(?P<org>\S+) is not approved for (?P<what>.+) \(approved: .*\)",
        "{org} är inte godkänd för {what}",
        "{org} er ikke godkendt til {what}",
    ),
    _w(
        r"(?P<org>\S+)'s contract starts (?P<day>\S+), after (?P<start>\S+)",
        "avtalet med {org} börjar först {day}",
        "kontrakten med {org} begynder først {day}",
    ),
    _w(
        r"looks like a personnummer.*",
        "ser ut som ett personnummer; ange kundens pseudonyma referens, t.ex. ärendenumret",
        "ligner et CPR-nummer; angiv borgerens pseudonyme reference, f.eks. sagsnummeret",
    ),
    _w(
        r"1–40 characters: .*",
        "1–40 tecken: bokstäver, siffror och . _ / -",
        "1–40 tegn: bogstaver, tal og . _ / -",
    ),
    _w(
        r"(?P<org>\S+) is already on the list for (?P<what>.+)",
        "{org} står redan på listan för {what}",
        "{org} står allerede på listen for {what}",
    ),
    _w(
        r"(?P<org>\S+) is not on the list for (?P<what>.+)",
        "{org} står inte på listan för {what}",
        "{org} står ikke på listen for {what}",
    ),
    _w(
        r"(?P<org>\S+) is not on any rotation list",
        "{org} står inte på någon turordningslista",
        "{org} står ikke på nogen turliste",
    ),
    _w(
        r"(?P<org>\S+) has no running contract",
        "{org} har inget gällande avtal",
        "{org} har ingen gældende kontrakt",
    ),
    # The placement pages' own (web/pages/placements.py).
    _w(
        r"ange området, t\.ex\. Centrum",
        "ange området, t.ex. Centrum",
        "angiv området, f.eks. Centrum",
    ),
    _w(
        r"ange tjänsten, t\.ex\. omvårdnad",
        "ange tjänsten, t.ex. omvårdnad",
        "angiv ydelsen, f.eks. pleje",
    ),
    _w(
        r"ange beviljad tid per månad, t\.ex\. 22,5",
        "ange beviljad tid per månad, t.ex. 22,5",
        "angiv bevilget tid pr. måned, f.eks. 22,5",
    ),
    _w(r"välj en utförare i listan", "välj en utförare i listan", "vælg en leverandør på listen"),
    _w(
        r"skriv varför placeringen avslutas",
        "skriv varför placeringen avslutas",
        "skriv, hvorfor placeringen afsluttes",
    ),
    _w(
        r"får inte vara före beslutsdatum",
        "får inte vara före beslutsdatum",
        "må ikke være før afgørelsesdatoen",
    ),
    _w(
        r"ange både område och tjänst, eller ingetdera \(alla listor\)",
        "ange både område och tjänst, eller ingetdera (alla listor)",
        "angiv både område og ydelse eller ingen af dem (alle lister)",
    ),
    _w(
        r"the item is already (?P<placement>\w+)",
        "placeringen är redan {placement}",
        "placeringen er allerede {placement}",
    ),
)

# Återkrav: the recovery workflow's refusals (workflows/recovery.py) and the page's own.
RECOVERY: tuple[Wording, ...] = (
    _w(
        r"a response can no longer be registered \(status is (?P<recovery>\w+)\)",
        "svaret kan inte längre registreras: återkravet är {recovery}",
        "svaret kan ikke længere registreres: kravet er {recovery}",
    ),
    _w(
        r"already decided \(status is (?P<recovery>\w+)\)",
        "redan beslutat: återkravet är {recovery}",
        "allerede afgjort: kravet er {recovery}",
    ),
    _w(
        r"the provider may respond until (?P<day>\d{4}-\d\d-\d\d) \(kommunicering\).*",
        "utföraren får svara till och med {day} (kommunicering); besluta efter det eller när "
        "svaret är registrerat",
        "leverandøren kan svare til og med {day} (partshøring); træf afgørelse derefter, eller "
        "når svaret er registreret",
    ),
    _w(
        r"only with an adjustment",
        "anges bara när beloppet ändras",
        "angives kun, når beløbet ændres",
    ),
    _w(
        r"must be above 0; withdraw the claim instead",
        "måste vara mer än 0 kr; återkalla återkravet i stället",
        "skal være mere end 0 kr.; tilbagekald kravet i stedet",
    ),
    _w(
        r"(?P<amount>.+) is more than the notified (?P<notified>.+?); a higher claim needs .*",
        "{amount} är mer än de {notified} som underrättelsen angav; ett högre krav kräver ett "
        "nytt återkrav",
        "{amount} er mere end de {notified}, som underretningen angav; et højere krav kræver et "
        "nyt tilbagebetalingskrav",
    ),
    _w(
        r"nothing to settle \(status is (?P<recovery>\w+)\)",
        "det finns inget att reglera: återkravet är {recovery}",
        "der er intet at afregne: kravet er {recovery}",
    ),
    _w(r"only with an invoice", "anges bara vid faktura", "angives kun ved faktura"),
    _w(
        r"nothing to pay \(status is (?P<recovery>\w+)\)",
        "det finns inget att registrera som betalt: återkravet är {recovery}",
        "der er intet at registrere som betalt: kravet er {recovery}",
    ),
    _w(
        r"the item is already (?P<recovery>\w+)",
        "återkravet är redan {recovery}",
        "kravet er allerede {recovery}",
    ),
    _w(r"no recovery case .*", "återkravet finns inte", "kravet findes ikke"),
    _w(
        r".* has no contract.*",
        "utföraren har inget avtal att starta ett återkrav under",
        "leverandøren har ingen kontrakt, som et krav kan oprettes under",
    ),
    # The page's own (web/pages/recoveries.py).
    _w(
        r"välj om utföraren godtar eller invänder",
        "välj om utföraren godtar eller invänder",
        "vælg, om leverandøren accepterer eller gør indsigelse",
    ),
    _w(
        r"ange antingen ett nytt belopp eller justerade rader",
        "ange antingen ett nytt belopp eller justerade rader",
        "angiv enten et nyt beløb eller justerede linjer",
    ),
    _w(
        r"ange det nya beloppet i kronor eller justerade rader",
        "ange det nya beloppet i kronor eller justerade rader",
        "angiv det nye beløb i kroner eller justerede linjer",
    ),
    _w(
        r"välj fastställ, ändra eller återkalla",
        "välj fastställ, ändra eller återkalla",
        "vælg fasthold, ændr eller tilbagekald",
    ),
    _w(
        r"anges bara när beloppet ändras",
        "anges bara när beloppet ändras",
        "angives kun, når beløbet ændres",
    ),
    _w(
        r"välj faktura eller kvittning",
        "välj faktura eller kvittning",
        "vælg faktura eller modregning",
    ),
    _w(r"skriv minst en rad", "skriv minst en rad", "skriv mindst én linje"),
    _w(r"anges bara vid faktura", "anges bara vid faktura", "angives kun ved faktura"),
)

# The application workflow's refusals: its validators name skallkrav by their keys ("not yet
# assessed: f-skatt, insurance"); a person at the desk reads their titles.
APPLICATION: tuple[Wording, ...] = (
    _w(
        r"the application is still being registered",
        "ansökan registreras fortfarande; försök igen om en stund",
        "ansøgningen er stadig ved at blive registreret; prøv igen om lidt",
    ),
    _w(
        r"cannot [\w ]+, the application is already (?P<application>\w+)",
        "ansökan är redan {application}",
        "ansøgningen er allerede {application}",
    ),
    _w(
        r"the item is already (?P<application>\w+)",
        "ansökan är redan {application}",
        "ansøgningen er allerede {application}",
    ),
    _w(
        r"not yet assessed: (?P<keys>.+)",
        "alla skallkrav är inte bedömda än; kvar: {keys}",
        "ikke alle mindstekrav er vurderet endnu; tilbage: {keys}",
    ),
    _w(
        r"not met: (?P<keys>.+)",
        "skallkrav som inte är uppfyllda: {keys}",
        "mindstekrav, der ikke er opfyldt: {keys}",
    ),
    _w(
        r"must not be empty \(skallkrav (?P<keys>.+)\)",
        "skriv varför kravet inte är uppfyllt ({keys})",
        "skriv, hvorfor kravet ikke er opfyldt ({keys})",
    ),
    _w(
        r"a komplettering is already outstanding; register it with complete first",
        "en komplettering är redan begärd; registrera den som kommit in först",
        "der er allerede anmodet om supplering; registrer først den, der er kommet ind",
    ),
    _w(
        r"a komplettering is outstanding; approve once it has been completed",
        "en komplettering väntar; ansökan kan godkännas när den har kommit in",
        "en supplering afventer; ansøgningen kan godkendes, når den er kommet ind",
    ),
    _w(
        r"no komplettering has been requested",
        "ingen komplettering är begärd",
        "der er ikke anmodet om supplering",
    ),
    _w(
        r"name at least one missing item",
        "skriv minst en sak som saknas",
        "skriv mindst én ting, der mangler",
    ),
    _w(
        r"at most (?P<n>\d+) days from today",
        "högst {n} dagar från i dag",
        "højst {n} dage fra i dag",
    ),
    _w(r"required for approval", "krävs för att godkänna ansökan", "kræves for at godkende"),
    _w(r"must not be in the past", "får inte vara tidigare än i dag", "må ikke være før i dag"),
    _w(
        r"give the documents received, or a note on what was received",
        "skriv vad som kom in",
        "skriv, hvad der kom ind",
    ),
    # The page's own (web/pages/applications.py).
    _w(
        r"skriv vad som saknas, en sak per rad",
        "skriv vad som saknas, en sak per rad",
        "skriv, hvad der mangler, én ting pr. linje",
    ),
    _w(
        r"välj uppfyllt eller ej uppfyllt för kravet, eller töm rutan",
        "välj uppfyllt eller ej uppfyllt för kravet, eller töm rutan",
        "vælg opfyldt eller ikke opfyldt for kravet, eller ryd feltet",
    ),
    _w(
        r"välj uppfyllt eller ej uppfyllt",
        "välj uppfyllt eller ej uppfyllt",
        "vælg opfyldt eller ikke opfyldt",
    ),
    _w(
        r"Välj uppfyllt eller ej uppfyllt för minst ett skallkrav\.",
        "Välj uppfyllt eller ej uppfyllt för minst ett skallkrav.",
        "Vælg opfyldt eller ikke opfyldt for mindst ét mindstekrav.",
    ),
    _w(r"skriv vad som kom in", "skriv vad som kom in", "skriv, hvad der kom ind"),
)

# Findings (brister): the finding workflow's validators and services/findings.py, as the CLI
# prints them, on the findings pages and the duty page's "accept with findings".
_D = r"\d{4}-\d\d-\d\d"
FINDING: tuple[Wording, ...] = (
    _w(
        r"write KRAV: what was found.*",
        "skriv kravet, ett kolon och vad som har funnits",
        "skriv kravet, et kolon og hvad der er fundet",
    ),
    _w(
        r"not a requirement of the plan (?P<plan>\S+): .*",
        "inte ett krav i utförarens plan ({plan}); välj ett i listan",
        "ikke et krav i leverandørens plan ({plan}); vælg et på listen",
    ),
    _w(
        r"the plan (?P<plan>\S+) has no \[findings\] section",
        "utförarens plan ({plan}) har inga regler för brister",
        "leverandørens plan ({plan}) har ingen regler for mangler",
    ),
    _w(
        r"one of .*, got .*",
        "välj ett av alternativen i listan",
        "vælg en af mulighederne på listen",
    ),
    _w(r"at most (?P<n>\d+) characters(?:, got \d+)?", "högst {n} tecken", "højst {n} tegn"),
    _w(
        rf"the plan allows an åtgärdsplan due (?P<day>{_D}) to (?P<day2>{_D}) .*",
        "planen tillåter en sista dag för åtgärdsplanen från {day} till {day2}",
        "fristen for handlingsplanen skal ligge mellem {day} og {day2}",
    ),
    _w(
        r"an åtgärdsplan cannot be asked for now \(status is (?P<finding>\w+)\)",
        "en åtgärdsplan kan inte begäras nu: bristen är {finding}",
        "der kan ikke anmodes om en handlingsplan nu: manglen er {finding}",
    ),
    _w(
        r"no åtgärdsplan to verify \(status is (?P<finding>\w+)\)",
        "det finns ingen åtgärdsplan att kontrollera: bristen är {finding}",
        "der er ingen handlingsplan at kontrollere: manglen er {finding}",
    ),
    _w(
        r"no åtgärdsplan is asked for \(status is (?P<finding>\w+)\)",
        "ingen åtgärdsplan är begärd: bristen är {finding}",
        "der er ikke anmodet om en handlingsplan: manglen er {finding}",
    ),
    _w(r"the finding is closed", "bristen är redan avslutad", "manglen er allerede afsluttet"),
    _w(
        rf"the provider may respond until (?P<day>{_D}) .*",
        "utföraren får yttra sig till och med {day} (kommunicering); "
        "besluta därefter eller när svaret har registrerats",
        "leverandøren kan udtale sig til og med {day} (partshøring); "
        "træf afgørelse derefter, eller når svaret er registreret",
    ),
    _w(
        r"the plan's ladder has .*, not \w+",
        "planens sanktionstrappa har inte den sanktionen; välj en i listan",
        "planens sanktionstrappe har ikke den sanktion; vælg en på listen",
    ),
    _w(
        r"a \w+ needs an amount in kronor \(the plan sets none\)",
        "ange ett belopp i kronor (planen anger inget)",
        "angiv et beløb i kroner (planen angiver intet)",
    ),
    _w(r"an? \w+ has no amount", "den sanktionen har inget belopp", "den sanktion har intet beløb"),
    _w(
        r"must be a positive sum in kronor",
        "måste vara ett positivt belopp",
        "skal være et positivt beløb",
    ),
    _w(
        r"at most two decimals.*",
        "högst två decimaler (kronor och ören)",
        "højst to decimaler (kroner og øre)",
    ),
    _w(r"unreasonably large", "orimligt stort", "urimeligt stort"),
    _w(
        r"the notice is still being sent; try again in a moment",
        "underrättelsen skickas just nu; försök igen om en stund",
        "varslet sendes lige nu; prøv igen om lidt",
    ),
    _w(
        r"the provider's response is already registered.*",
        "utförarens svar är redan registrerat",
        "leverandørens svar er allerede registreret",
    ),
    # The findings page's own (web/pages/findings.py).
    _w(
        r"välj vilket krav bristen gäller",
        "välj vilket krav bristen gäller",
        "vælg, hvilket krav manglen gælder",
    ),
    _w(
        r"välj om bristen är åtgärdad eller inte",
        "välj om bristen är åtgärdad eller inte",
        "vælg, om manglen er udbedret eller ej",
    ),
    _w(r"välj en sanktion", "välj en sanktion", "vælg en sanktion"),
)

# Kommunens uppgifter: the task page's own (web/pages/tasks.py), services/municipal_tasks.py's,
# the municipal duties workflow's validator and the document store's (services/documents.py).
TASK: tuple[Wording, ...] = (
    _w(
        r"ange vem som utförde uppgiften",
        "ange vem som utförde uppgiften",
        "angiv, hvem der udførte opgaven",
    ),
    _w(
        r"beskriv vad uppgiften visade",
        "beskriv vad uppgiften visade",
        "beskriv, hvad opgaven viste",
    ),
    _w(
        rf"\S+ is already done \((?P<day>{_D})\)",
        "uppgiften är redan registrerad som utförd den {day}",
        "opgaven er allerede registreret som udført den {day}",
    ),
    _w(
        rf"already done on (?P<day>{_D})",
        "uppgiften är redan registrerad som utförd den {day}",
        "opgaven er allerede registreret som udført den {day}",
    ),
    _w(
        r"\S+ is already done.*|already done on.*",
        "uppgiften är redan registrerad som utförd",
        "opgaven er allerede registreret som udført",
    ),
    _w(
        rf"(?P<day>{_D}) lies in the future",
        "{day} har inte varit än: ange dagen då uppgiften utfördes",
        "{day} er endnu ikke kommet: angiv den dag, opgaven blev udført",
    ),
    _w(r"no such (?:municipal )?task .*", "uppgiften finns inte", "opgaven findes ikke"),
    _w(r"at most (?P<n>\d+) characters", "högst {n} tecken", "højst {n} tegn"),
    _w(
        r"at most (?P<n>\d+)",
        "högst {n} iakttagelser, en per rad",
        "højst {n} iagttagelser, én pr. linje",
    ),
    _w(
        r"a note of 1–(?P<n>\d+) characters",
        "varje iakttagelse ska ha 1–{n} tecken",
        "hver iagttagelse skal have 1–{n} tegn",
    ),
    _w(
        r"not a SHA-256 of a stored document",
        "dokumentet finns inte i arkivet; ladda upp det igen",
        "dokumentet findes ikke i arkivet; upload det igen",
    ),
    _w(r"filen är tom", "filen är tom", "filen er tom"),
    _w(
        r"filen är för stor: högst (?P<n>\d+) MB",
        "filen är för stor: högst {n} MB",
        "filen er for stor: højst {n} MB",
    ),
    _w(
        r"filen är ingen PDF, .*",
        None,
        "filen er hverken en PDF, et Office-dokument eller et billede (PNG, JPEG); det afgøres "
        "af indholdet, ikke af navnet",
    ),
)

# Logging in (services/users.py, web/pages/login.py), the one-time password's change (the
# password page) and single sign-on's refusals (services/sign_in.py, web/pages/sso.py): the
# desk's language before anyone has logged in is its default plan's.
LOGIN: tuple[Wording, ...] = (
    _w(
        r"För många misslyckade inloggningar\. Vänta en kvart och försök igen\.",
        None,
        "For mange mislykkede forsøg på at logge ind. Vent et kvarter, og prøv igen.",
    ),
    _w(
        r"Fel användarnamn eller lösenord, eller kontot är avstängt\.",
        None,
        "Forkert brugernavn eller adgangskode, eller kontoen er spærret.",
    ),
    _w(
        r"Logga in med kommunens inloggning\. Lokala konton används inte här\.",
        None,
        "Log ind med kommunens login. Lokale konti bruges ikke her.",
    ),
    _w(r"minst (?P<n>\d+) tecken", None, "mindst {n} tegn"),
    _w(r"högst (?P<n>\d+) tecken", None, "højst {n} tegn"),
    _w(r"kontot finns inte längre", None, "kontoen findes ikke længere"),
    _w(
        r"lösenorden är inte lika; skriv samma lösenord två gånger",
        None,
        "adgangskoderne er ikke ens; skriv den samme adgangskode to gange",
    ),
    _w(
        r"välj ett annat lösenord än det nuvarande",
        None,
        "vælg en anden adgangskode end den nuværende",
    ),
    _w(
        r"Ditt konto i kommunens inloggning har ingen behörighet till LOV-uppföljningen\. .*",
        None,
        "Din konto i kommunens login har ingen adgang til LOV-opfølgningen. Du er ikke logget "
        "ind. Bed den, der administrerer adgange, om at give dig en rolle.",
    ),
    _w(
        r"Kommunens inloggning skickade inget användarnamn som går att använda\. .*",
        None,
        "Kommunens login sendte intet brugernavn, der kan bruges. Du er ikke logget ind. "
        "Kontakt den, der administrerer login.",
    ),
    _w(r"Du har inte loggats in", None, "Du er ikke logget ind"),
    # web/oidc.py: the identity provider's answer cannot be trusted, or it does not answer.
    _w(
        r"Inloggningen kunde inte slutföras\. Du har inte loggats in\. Försök igen\.",
        None,
        "Login kunne ikke gennemføres. Du er ikke logget ind. Prøv igen.",
    ),
    _w(
        r"Kommunens inloggning svarar inte just nu\. Du har inte loggats in\. "
        r"Försök igen om en stund\.",
        None,
        "Kommunens login svarer ikke lige nu. Du er ikke logget ind. Prøv igen om lidt.",
    ),
    # web/pages/sso.py: single sign-on is not set up on this desk (its 404 page).
    _w(
        r"Inloggning med kommunens inloggning är inte inställd här\.",
        None,
        "Login med kommunens login er ikke sat op her.",
    ),
)

# Each page's concept, tried before the shared phrasings (the meetings' are met on the
# meeting pages only, but worded the same wherever they come).
CONCEPTS: dict[str, tuple[Wording, ...]] = {
    "duty": (),
    "meeting": MEETING,
    "placement": PLACEMENT,
    "recovery": RECOVERY,
    "application": APPLICATION,
    "finding": FINDING,
    "task": TASK,
    "login": LOGIN,
}


def _finding_state(value: str, language: str) -> str:
    """A finding's state in words (web/finding_texts.py), or as it came if unknown."""
    return texts.texts(language).get(f"finding.state.{value}", value)


_WORD_KINDS: dict[str, Callable[[str, str], str]] = {
    "state": words.state,
    "meeting": words.meeting,
    "recovery": words.recovery,
    "placement": words.placement,
    "application": words.application,
    "finding": _finding_state,
}
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _value(name: str, value: str | None, language: str, titles: Mapping[str, str] | None) -> str:
    """A group's value as the template writes it (see the module's docstring)."""
    if value is None:
        return ""
    kind = name.rstrip("0123456789")
    if kind == "day":
        try:
            return format_date(date.fromisoformat(value), language)
        except ValueError:
            return value
    if kind in _WORD_KINDS:
        return _WORD_KINDS[kind](value, language)
    if kind == "keys" and titles is not None:
        return _KEY.sub(lambda k: titles.get(k.group(0), k.group(0)), value.strip("'\""))
    return value


# What a page passes for its wordings: a concept of CONCEPTS, or none (the shared ones only).
Concept = str | None


def in_language(
    message: str,
    language: str = "sv",
    concept: Concept = None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """`message` in `language` ("da", else Swedish): the concept's wordings first, then the
    shared ones; a message none knows, as it came."""
    tables = (*CONCEPTS.get(concept or "", ()), *SHARED, *MEETING)
    for wording in tables:
        found = wording.pattern.fullmatch(message.strip())
        if found:
            template = wording.da if language == "da" else wording.sv
            if template is None:
                return message
            return template.format(
                **{
                    name: _value(name, value, language, titles)
                    for name, value in found.groupdict().items()
                }
            )
    return message


def in_swedish(message: str, concept: Concept = None) -> str:
    """`message` in Swedish (the provider portal's Swedish pages): `concept`'s wordings first,
    then the known ones."""
    return in_language(message, "sv", concept)
