"""The input rules of models.domain.inputs, models.domain.orgnr and models.domain.customer_ref
(issue 15, points 3–6,
8, 11): unit and property tests, no server.

Every rule here once let a value through that then made an activity fail forever (a text longer
than its PostgreSQL column, a link with a line break in the calendar file, a year the calendar
cannot date) or created a second contract / stored a personnummer. The live refusals (CLI exit 2,
Update validators on a real server) are in tests/test_input_rules_live.py.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from models.domain.customer_ref import (
    CustomerRefError,
    check_customer_ref,
    looks_like_personnummer,
)
from models.domain.inputs import EARLIEST, LATEST, check_request, check_url
from models.domain.limits import KEY_LEN, LINK_LEN, NAME_LEN
from models.domain.money import ClaimLine, ClaimLineError, check_line
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.messages import application as am
from models.messages import common as cm
from models.messages import contract as m
from models.messages import meeting as mm
from models.messages import obligation as om
from models.messages import placement as pm
from models.messages import recovery as rm
from models.plans.scenario import ScenarioError, load_scenario
from models.records.tables import AuditEvent, Meeting, Placement, Review
from models.runtime.settings import PROJECT_ROOT
from tests.support.strategies import (
    WRITTEN_PERSONNUMMER,
    luhn_complete,
    org_nr_in_other_digits,
    personnummer,
)

PROPERTY = settings(max_examples=200, deadline=None, database=None)
AT = datetime(2031, 3, 1, 10, 0)
DAY = date(2031, 3, 1)


def refusal(message: BaseModel) -> str:
    with pytest.raises(ValueError) as caught:
        check_request(message)
    return str(caught.value)


# --- the limits are the columns' ----------------------------------------------------------------


def test_limits_are_the_column_lengths() -> None:
    """One number per column: what the rule allows is exactly what the table holds."""
    assert AuditEvent.__table__.c.actor.type.length == KEY_LEN  # type: ignore[attr-defined]
    assert Review.__table__.c.actor.type.length == KEY_LEN  # type: ignore[attr-defined]
    assert Meeting.__table__.c.link.type.length == LINK_LEN  # type: ignore[attr-defined]
    assert Meeting.__table__.c.place.type.length == NAME_LEN  # type: ignore[attr-defined]
    assert Placement.__table__.c.area.type.length == KEY_LEN  # type: ignore[attr-defined]


# --- actors (points 3 and 11) -------------------------------------------------------------------

# Every admin request of every workflow type, built with a given actor.
REQUESTS: list[Any] = [
    lambda a: om.ReviewRequest(outcome="accept", actor=a),
    lambda a: om.WaiveRequest(reason="Ingen verksamhet", actor=a),
    lambda a: om.ExtendRequest(new_due=DAY, reason="Sjukdom", actor=a),
    lambda a: om.SubmitRequest(actor=a),
    lambda a: m.TerminateRequest(end_date=DAY, kind="uppsagning", reason="r", actor=a),
    lambda a: m.ChangeContactRequest(email="a@b.se", actor=a),
    lambda a: mm.ScheduleRequest(starts_at=AT, place="Stadshuset", actor=a),
    lambda a: mm.MinutesRequest(summary="s", attendees=[], actor=a),
    lambda a: mm.CancelMeetingRequest(reason="r", actor=a),
    lambda a: am.AssessRequest(key="f-skatt", met=True, actor=a),
    lambda a: am.CompletionRequest(items=["x"], actor=a),
    lambda a: am.CompleteRequest(actor=a),
    lambda a: am.DecideRequest(approve=False, reason="r", actor=a),
    lambda a: rm.RespondRequest(outcome="accept", actor=a),
    lambda a: rm.DecideRequest(outcome="confirm", actor=a),
    lambda a: rm.SettleRequest(method="invoice", invoice_number="F-1", actor=a),
    lambda a: rm.PaidRequest(actor=a),
    lambda a: pm.ChooseRequest(actor=a),
    lambda a: pm.SwitchRequest(provider="556036-0793", actor=a),
    lambda a: pm.CarePlanDoneRequest(actor=a),
    lambda a: pm.EndRequest(reason="r", actor=a),
    lambda a: pm.RotationEntry(org_nr="556036-0793", area="Centrum", service_type="x", actor=a),
    lambda a: pm.ProviderRemoval(org_nr="556036-0793", actor=a),
]


@pytest.mark.parametrize("build", REQUESTS, ids=lambda b: type(b("a")).__qualname__)
def test_actor_is_one_line_that_fits_its_column(build: Any) -> None:
    check_request(build("a" * KEY_LEN))  # the longest that fits is accepted
    assert refusal(build("a" * (KEY_LEN + 1))).startswith(f"actor: högst {KEY_LEN} tecken")
    assert refusal(build("anna\r\nBcc: x")).startswith("actor: får inte innehålla radbrytningar")
    assert refusal(build("anna\x00")).startswith("actor: får inte innehålla")
    assert refusal(build("  ")) == "actor: får inte vara tomt (must not be empty)"


def test_short_texts_fit_their_columns() -> None:
    assert refusal(pm.RotationEntry(org_nr="556036-0793", area="x" * 101, service_type="y"))
    too_long = rm.SettleRequest(method="invoice", invoice_number="F" * 101, actor="anna")
    assert refusal(too_long).startswith("invoice_number: högst 100 tecken")
    minutes = mm.MinutesRequest(
        summary="s",
        attendees=[],
        actions=[mm.ActionItem(owner="x" * 101, due=DAY, text="t")],
        actor="anna",
    )
    assert refusal(minutes).startswith("actions[0].owner: högst 100 tecken")
    areas = am.ApplicationInput(
        provider=cm.Provider(org_nr="556036-0793", name="A", email="a@b.se"),
        service_types=["omvårdnad"],
        areas=["Centrum", "y" * 101],
        plan_id="sundsvall",
        actor="anna",
    )
    assert refusal(areas).startswith("areas[1]: högst 100 tecken")
    place = mm.ScheduleRequest(starts_at=AT, place="Rum 3\r\nX", actor="anna")
    assert refusal(place).startswith("place: får inte innehålla radbrytningar")


# --- links (point 4) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    ["https://meet.example/abc?x=1", "http://10.0.0.1:8080/rum", "HTTPS://Teams.Example/a#b"],
)
def test_good_links_pass(link: str) -> None:
    check_request(mm.ScheduleRequest(starts_at=AT, link=link, actor="anna"))


@pytest.mark.parametrize(
    ("link", "says"),
    [
        ("https://x/\r\nATTENDEE:mailto:evil@x.se", "radbrytning"),
        ("https://x/\nfoo", "radbrytning"),
        ("https://x/a b", "mellanslag"),
        ("https://x/\x00", "styrtecken"),
        ("https://x/\u2028a", "radbrytning"),
        ("javascript:alert(1)", "https://"),
        ("ftp://files.example/x", "https://"),
        ("file:///etc/passwd", "https://"),
        ("meet.example/abc", "https://"),
        ("https://", "https://"),
        ("https://[::1", "https://"),
        ("https://x.example/" + "a" * LINK_LEN, f"högst {LINK_LEN} tecken"),
    ],
)
def test_bad_links_are_refused(link: str, says: str) -> None:
    message = refusal(mm.ScheduleRequest(starts_at=AT, link=link, actor="anna"))
    assert message.startswith("link: ") and says in message, message
    assert "\n" not in message and "\r" not in message


@PROPERTY
@given(text=st.text(max_size=60))
def test_an_accepted_link_is_one_http_line(text: str) -> None:
    for candidate in (text, f"https://meet.example/{text}"):
        try:
            check_url(candidate)
        except ValueError:
            continue
        assert candidate.lower().startswith(("http://", "https://"))
        assert not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in candidate)


# --- dates (point 5) ----------------------------------------------------------------------------

BAD_DAYS = [date(1, 1, 1), date(9999, 12, 31), date(1989, 12, 31), date(2101, 1, 1)]
# Every date a person gives, in the message that carries it.
DATED: list[tuple[str, Any]] = [
    ("contract_start", lambda d: m.ContractInput(provider=PROVIDER, contract_start=d, plan_id="x")),
    ("end_date", lambda d: m.TerminateRequest(end_date=d, kind="havning", reason="r", actor="a")),
    ("new_due", lambda d: om.ExtendRequest(new_due=d, reason="r", actor="a")),
    ("new_due", lambda d: om.ReviewRequest(outcome="request-completion", new_due=d, actor="a")),
    (
        "starts_at",
        lambda d: mm.ScheduleRequest(starts_at=datetime.combine(d, AT.time()), actor="a"),
    ),
    ("contract_start", lambda d: am.DecideRequest(approve=True, contract_start=d, actor="a")),
    ("due", lambda d: am.CompletionRequest(items=["x"], due=d, actor="a")),
    ("effective", lambda d: pm.SwitchRequest(provider="556036-0793", effective=d, actor="a")),
    ("done_on", lambda d: pm.CarePlanDoneRequest(done_on=d, actor="a")),
    ("end_date", lambda d: pm.EndRequest(end_date=d, reason="r", actor="a")),
    ("decision_date", lambda d: placement_input(decision_date=d)),
    ("start", lambda d: placement_input(start=d)),
]
PROVIDER = cm.Provider(org_nr="556036-0793", name="Omsorg AB", email="a@b.se")


def placement_input(**dates: date) -> pm.PlacementInput:
    values: dict[str, Any] = {"decision_date": DAY, "start": DAY} | dates
    return pm.PlacementInput(
        customer_ref="DNR-1",
        area="Centrum",
        service_type="omvårdnad",
        granted_hours=Decimal(10),
        plan_id="sundsvall",
        actor="anna",
        **values,
    )


@pytest.mark.parametrize(("field", "build"), DATED, ids=[f for f, _ in DATED])
def test_dates_lie_between_1990_and_2100(field: str, build: Any) -> None:
    check_request(build(EARLIEST))
    check_request(build(LATEST))
    for day in BAD_DAYS:
        message = refusal(build(day))
        assert message.startswith(f"{field}: måste ligga mellan 1990-01-01 och 2100-12-31"), message
        assert message.endswith(f"fick {day.isoformat()}")


SCENARIO = (PROJECT_ROOT / "scenarios" / "late-provider.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("replace", "key"),
    [
        (("contract_start = 2030-10-01", "contract_start = 9999-12-31"), "contract_start"),
        (("contract_start = 2030-10-01", "contract_start = 0001-01-01"), "contract_start"),
        (("new_due = 2031-06-28", "new_due = 9999-12-31"), "new_due"),
    ],
)
def test_scenario_files_follow_the_same_date_rule(
    replace: tuple[str, str], key: str, tmp_path: Path
) -> None:
    assert replace[0] in SCENARIO, "the scenario file changed: adjust this test"
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.replace(*replace), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, PROJECT_ROOT / "plans", "sundsvall")
    assert caught.value.key.endswith(key), str(caught.value)
    assert "måste ligga mellan 1990-01-01 och 2100-12-31" in caught.value.message


def test_scenario_actor_follows_the_actor_rule(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    text = SCENARIO + '\n[[events]]\non = 2031-03-03\nprovider = "556036-0793"\n'
    text += 'action = "change-contact"\nemail = "ny@omsorg.example"\nactor = "' + "a" * 101 + '"\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, PROJECT_ROOT / "plans", "sundsvall")
    assert caught.value.key.endswith(".actor"), str(caught.value)


# --- identifiers: ASCII digits only (point 6) ---------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("table", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])
def test_org_nr_with_non_ascii_digits_is_refused(table: dict[int, str]) -> None:
    assert normalize_org_nr("556036-0793") == "556036-0793"
    with pytest.raises(OrgNrError):
        normalize_org_nr("556036-0793".translate(table))
    with pytest.raises(OrgNrError):
        normalize_org_nr("556036-079" + "3".translate(table))


@PROPERTY
@given(
    nine=st.text("0123456789", min_size=9, max_size=9),
    position=st.integers(0, 9),
    digit=st.characters(categories=["Nd"]),
    dash=st.booleans(),
)
def test_org_nr_identity_is_its_ascii_digits(
    nine: str, position: int, digit: str, dash: bool
) -> None:
    """A valid org nr is accepted in its one canonical form; changing any digit to a non-ASCII
    digit (of any script) is refused, so one company can never get two workflow ids."""
    digits = luhn_complete(nine)
    written = f"{digits[:6]}-{digits[6:]}" if dash else digits
    assert normalize_org_nr(written) == f"{digits[:6]}-{digits[6:]}"
    changed = digits[:position] + digit + digits[position + 1 :]
    if not digit.isascii():
        with pytest.raises(OrgNrError):
            normalize_org_nr(changed)


@PROPERTY
@given(written=org_nr_in_other_digits())
def test_org_nr_in_other_digits_is_refused(written: str) -> None:
    with pytest.raises(OrgNrError):
        normalize_org_nr(written)


def test_amounts_accept_ascii_digits_only() -> None:
    from models.domain.money import parse_decimal

    assert parse_decimal("385,50", "hourly_rate") == Decimal("385.50")
    with pytest.raises(ClaimLineError, match="hourly_rate: inte ett tal"):
        parse_decimal("３８５", "hourly_rate")


# --- personnummer: one rule for placements and recoveries (point 8) ----------------------------


def _placement_refuses_as_personnummer(text: str) -> bool:
    try:
        check_customer_ref(text)
    except CustomerRefError as err:
        return "personnummer" in str(err)
    return False


def _recovery_refuses_as_personnummer(text: str) -> bool:
    line = ClaimLine(
        period="2031-03",
        customer_ref=text,
        hours_billed=Decimal(2),
        hours_approved=Decimal(1),
        hourly_rate=Decimal(100),
    )
    try:
        check_line(line)
    except ClaimLineError as err:
        return "personnummer" in str(err)
    return False


@pytest.mark.parametrize("ref", WRITTEN_PERSONNUMMER)
def test_personnummer_refused_for_placements_and_recoveries(ref: str) -> None:
    assert _placement_refuses_as_personnummer(ref)
    assert _recovery_refuses_as_personnummer(ref)


@PROPERTY
@given(number=personnummer(), before=st.sampled_from(["", "K-", "dnr.", "A_"]))
def test_every_written_personnummer_is_refused_by_both(number: str, before: str) -> None:
    ref = before + number
    assert looks_like_personnummer(ref)
    assert _placement_refuses_as_personnummer(ref)
    assert _recovery_refuses_as_personnummer(ref)


@PROPERTY
@given(text=st.text(st.characters(codec="utf-8"), max_size=30) | personnummer())
def test_placements_and_recoveries_agree(text: str) -> None:
    """One rule: for any text, both refuse it as a personnummer, or neither does."""
    assert _placement_refuses_as_personnummer(text) == _recovery_refuses_as_personnummer(text)


@PROPERTY
@given(
    parts=st.lists(st.text("0123456789", min_size=1, max_size=9), min_size=1, max_size=4),
    letter=st.sampled_from(["K", "DNR", "x"]),
)
def test_references_without_ten_digits_in_a_row_pass(parts: list[str], letter: str) -> None:
    ref = letter + letter.join(parts)  # letters (not separators) between the digit groups
    if len(ref) <= 40:
        assert not looks_like_personnummer(ref)
        assert check_customer_ref(ref) == ref
