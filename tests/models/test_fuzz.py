"""Fuzzing bad input with hypothesis (issue 7.7): the plan loader, the scenario loader, every
Update validator of every workflow type, and CLI commands. Each must refuse with a clear, one-line
error naming what is wrong, and never crash or leave a half-written record.

Bounded on purpose (a few dozen examples each, no example database) so the file runs in well
under a minute on CI; a failure prints the shrunk input to reproduce it.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
import tomllib
import types
import typing
from collections.abc import Coroutine, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from typer.testing import CliRunner

from models.messages import application as app_messages
from models.messages import contract as m
from models.messages import meeting as mm
from models.messages import obligation as om
from models.messages import placement as pm
from models.messages import recovery as rm
from models.messages.application import ApplicationInput
from models.plans.loader import PlanError, load_plan
from models.plans.scenario import ScenarioError, load_scenario
from models.records.db import upgrade
from models.runtime.settings import PROJECT_ROOT
from services import applications as apps
from services import calls as actions
from services import recoveries as recovery
from starter.cli import app as cli_app
from tests.support.cli_args import placement_start_args
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, lovflow_stack
from tests.support.placement_helpers import C, new_placement, providers_on_list, registered
from tests.support.recovery_lines import LINES
from tests.support.strategies import OUT_OF_RANGE_DATES, org_nr_in_other_digits, personnummer

T = TypeVar("T")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PLANS = PROJECT_ROOT / "plans"
SUNDSVALL = (PLANS / "sundsvall.toml").read_text(encoding="utf-8")
SCENARIO = (PROJECT_ROOT / "scenarios" / "late-provider.toml").read_text(encoding="utf-8")

# --- text mutations ----------------------------------------------------------------------------

_SNIPPETS = [
    "",
    "=",
    "[[obligations]]\n",
    "[roles.x]\n",
    'key = "Bad Key"\n',
    "due = { month = 2, day = 30 }\n",
    "month = 13\n",
    'email = "a@b.se, evil@x.se"\n',
    'email = "a@b.se\\r\\nBcc: x@y.se"\n',
    "reminder_offsets_days = [-1]\n",
    'reminder_offsets_days = "x"\n',
    'time_zone = "Mars/Olympus"\n',
    'holiday_calendar = "xx"\n',
    "level = 0\n",
    'kind = "nope"\n',
    "\x00",
    "\ufeff",
    "[",
    '"""',
    "start = 2027-02-30\n",
    'on = "igår"\n',
    'org_nr = "556036-0794"\n',
    'action = "explode"\n',
    "providers = []\n",
]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with a few lines deleted, duplicated or replaced by snippets or random text."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "snippet", "random", "truncate"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "snippet":
            lines.insert(i, draw(st.sampled_from(_SNIPPETS)))
        elif op == "random":
            lines[i] = draw(st.text(max_size=30)) + "\n"
        else:
            lines = lines[:i]
    return "".join(lines)


ONE_LINE_ERROR = re.compile(r"^\S.*?: .*\S$")


def assert_one_line(message: str) -> None:
    assert "\n" not in message and "\r" not in message, repr(message)
    assert ONE_LINE_ERROR.match(message), repr(message)


# --- the plan loader ----------------------------------------------------------------------------


@FUZZ
@given(text=st.one_of(mutated(SUNDSVALL), st.text(max_size=200)))
def test_plan_loader_gives_a_plan_or_one_plan_error(text: str, tmp_path: Path) -> None:
    path = tmp_path / "sundsvall.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        plan = load_plan(str(path), tmp_path)
    except PlanError as err:
        assert_one_line(str(err))
        assert str(err).startswith(str(path)), str(err)
        return
    assert plan.obligations, "a plan that loads has obligations"


@FUZZ
@given(data=st.binary(max_size=200))
def test_plan_loader_survives_arbitrary_bytes(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bytes.toml"
    path.write_bytes(data)
    with pytest.raises(PlanError) as err:
        load_plan(str(path), tmp_path)
    assert_one_line(str(err.value))


# --- the scenario loader ------------------------------------------------------------------------


@FUZZ
@given(text=st.one_of(mutated(SCENARIO), st.text(max_size=200)))
def test_scenario_loader_gives_a_scenario_or_one_scenario_error(text: str, tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        scenario, plan, _ = load_scenario(path, PLANS, "sundsvall")
    except ScenarioError as err:
        assert_one_line(str(err))
        return
    assert scenario.providers and plan.id


@FUZZ
@given(data=st.binary(max_size=100))
def test_scenario_loader_survives_arbitrary_bytes(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bytes.toml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, PLANS, "sundsvall")
    assert_one_line(str(err.value))


def test_the_mutations_do_reach_valid_documents() -> None:
    """Sanity: the unmutated files load, so the fuzzers start from valid input."""
    assert tomllib.loads(SUNDSVALL) and tomllib.loads(SCENARIO)
    assert load_plan("sundsvall", PLANS).id == "sundsvall"


# --- Update validators, on a real server ---------------------------------------------------------


class Background:
    """An event loop in a thread: hypothesis drives synchronous examples, the Temporal client and
    worker live in this loop for the whole module (starting them per example would take
    minutes)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


async def _open_everything(stack: Stack) -> dict[str, str]:
    """One running workflow of each type, on 24 February 2031."""
    await providers_on_list(stack, PROVIDER)
    org = PROVIDER.org_nr
    status = await actions.contract_status(stack.client, org)
    obligation = next(i for s in status.obligations.values() for i in s.open)
    application = await apps.submit_application(
        stack.client,
        stack.settings.temporal_task_queue,
        ApplicationInput(
            provider=C,
            service_types=["omvårdnad"],
            areas=["Centrum"],
            plan_id="sundsvall",
            actor="anna",
            search_attributes=False,
        ),
    )
    case = await recovery.start_recovery(
        stack.client,
        stack.settings.temporal_task_queue,
        stack.settings.plans_dir,
        stack.settings.templates_dir,
        org,
        LINES,
        year=2031,
        actor="anna",
        subject="Granskning",
        search_attributes=False,
    )
    placement = await new_placement(stack)
    await registered(stack, placement)
    meeting = f"meeting-{org.replace('-', '')}-2031-H1"
    await stack.client.get_workflow_handle(meeting).describe()
    return {
        "contract": f"contract-{org.replace('-', '')}",
        "obligation": obligation.workflow_id,
        "meeting": meeting,
        "application": application,
        "recovery": f"recovery-{case}",
        "placement": placement,
        "rotation": "rotation-sundsvall",
    }


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Background, Stack, dict[str, str]]]:
    bg = Background()
    context = lovflow_stack(tmp_path_factory.mktemp("fuzz"))
    stack = bg.run(context.__aenter__())
    try:
        ids = bg.run(_open_everything(stack), timeout=180)
        yield bg, stack, ids
    finally:
        bg.run(context.__aexit__(None, None, None), timeout=60)
        bg.close()


# Values near the server's simulated "now" (February 2031) reach deeper into the validators
# than arbitrary ones; arbitrary ones test the type checks.
_TEXTS = st.sampled_from(
    [
        "",
        " ",
        "anna",
        "556036-0793",
        "559001-0004",
        "559002-0003",
        "Centrum",
        "omvårdnad",
        "f-skatt",
        "insurance",
        "F-2031-1",
        "provider",
        "lov-admin",
        "sundsvall",
        "a\r\nBcc: x@y.se",
        "x" * 400,
        "a" * 101,  # one more than an actor column holds
        "https://meet.example/x\r\nATTENDEE:mailto:evil@x.se",
        "ftp://meet.example/x",
        "５５６０３６-０７９３",  # an org nr in full-width digits
        "850101_1234",  # a personnummer written with another separator
    ]
) | st.text(max_size=20)
_DATES = st.dates(date(2030, 6, 1), date(2034, 12, 31)) | st.dates() | OUT_OF_RANGE_DATES
_DATETIMES = st.datetimes(
    datetime(2030, 6, 1), datetime(2034, 12, 31), timezones=st.just(STOCKHOLM)
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def typed(annotation: Any) -> st.SearchStrategy[Any]:
    """JSON for a field of `annotation`: mostly the right type, sometimes anything."""
    return st.one_of(_typed(annotation), _typed(annotation), _JSON)


def _typed(annotation: Any) -> st.SearchStrategy[Any]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*[_typed(a) for a in args])
    if origin is typing.Annotated:
        return _typed(args[0])
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(typed(args[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(_TEXTS, _JSON, max_size=3)
    if annotation is type(None):
        return st.none()
    if annotation is str:
        return _TEXTS
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(-5, 500) | st.integers()
    if annotation is Decimal:
        return st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)
    if annotation is date:
        return _DATES.map(date.isoformat)
    if annotation is datetime:
        return _DATETIMES.map(datetime.isoformat)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return request_json(annotation)
    return _JSON


def request_json(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """The JSON a client could send for `model`: each field present or not, mostly well typed."""
    hints = typing.get_type_hints(model, include_extras=True)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name in model.model_fields:
        fields[name] = typed(hints[name])
    return st.fixed_dictionaries({}, optional=fields)


# (workflow kind, update name, request model). Ending updates (terminate, cancel, end, withdraw
# as a decision) come last in their workflow's list: once one is accepted the rest get "already
# completed", which the check below accepts as well.
UPDATES: list[tuple[str, str, type[BaseModel]]] = [
    ("obligation", "submit", om.SubmitRequest),
    ("obligation", "review", om.ReviewRequest),
    ("obligation", "extend", om.ExtendRequest),
    ("obligation", "waive", om.WaiveRequest),
    ("meeting", "schedule", mm.ScheduleRequest),
    ("meeting", "reschedule", mm.ScheduleRequest),
    ("meeting", "minutes", mm.MinutesRequest),
    ("meeting", "cancel", mm.CancelMeetingRequest),
    ("application", "assess", app_messages.AssessRequest),
    ("application", "request_completion", app_messages.CompletionRequest),
    ("application", "complete", app_messages.CompleteRequest),
    ("application", "decide", app_messages.DecideRequest),
    ("recovery", "respond", rm.RespondRequest),
    ("recovery", "settle", rm.SettleRequest),
    ("recovery", "paid", rm.PaidRequest),
    ("recovery", "decide", rm.DecideRequest),
    ("placement", "choose", pm.ChooseRequest),
    ("placement", "switch", pm.SwitchRequest),
    ("placement", "care_plan_done", pm.CarePlanDoneRequest),
    ("placement", "end", pm.EndRequest),
    ("rotation", "assign", pm.AssignRequest),
    ("rotation", "add_provider", pm.RotationEntry),
    ("rotation", "remove_provider", pm.ProviderRemoval),
    ("contract", "change_contact", m.ChangeContactRequest),
    ("contract", "terminate", m.TerminateRequest),
]
# What a validator may raise: require() raises ValueError, the SDK reports argument decoding
# failures as its own; anything else (KeyError, TypeError, AssertionError …) is a crash.
# A handler may also refuse with a plain ApplicationError (type None) after asking another
# workflow (placement → rotation list); the message must still name the field.
CLEAR_FAILURE_TYPES = {"ValueError", "ApplicationError", None}


async def _send(
    stack: Stack, workflow_id: str, update: str, request: dict[str, Any], fields: list[str]
) -> str:
    handle = stack.client.get_workflow_handle(workflow_id)
    try:
        await asyncio.wait_for(handle.execute_update(update, request), timeout=20)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        assert isinstance(cause, ApplicationError), repr(cause)
        if cause.message == "Failed decoding arguments":
            # JSON that is not a valid request never reaches the validator: the SDK rejects it
            # with pydantic's error, which names the field.
            inner = cause.cause
            assert isinstance(inner, ApplicationError) and inner.type == "ValidationError", inner
            assert any(name in inner.message for name in fields), inner.message
            return "rejected"
        assert cause.type in CLEAR_FAILURE_TYPES, f"{cause.type}: {cause.message}"
        assert_one_line(cause.message)
        return "rejected"
    except RPCError as err:
        # The workflow has ended (an earlier example's accepted terminate/end/cancel).
        assert err.status == RPCStatusCode.NOT_FOUND, err
        return "ended"
    return "accepted"


# One valid, non-ending request per workflow kind, in the state `_open_everything` leaves (24
# February 2031): the fuzzers' setup accepts valid input, so "rejected" below means something.
VALID: list[tuple[str, str, dict[str, Any]]] = [
    (
        "obligation",
        "extend",
        {"new_due": "2031-12-30", "reason": "Sjukdom", "actor": "anna"},
    ),
    (
        "meeting",
        "schedule",
        {"starts_at": "2031-04-10T10:00:00+02:00", "place": "Stadshuset", "actor": "anna"},
    ),
    ("application", "assess", {"key": "f-skatt", "met": True, "actor": "anna"}),
    ("recovery", "respond", {"outcome": "accept", "actor": "anna"}),
    ("placement", "choose", {"provider": None, "actor": "anna"}),
    ("contract", "change_contact", {"email": "ny@omsorg.example", "actor": "anna"}),
]


def test_update_fuzz_setup_accepts_valid_requests(
    server: tuple[Background, Stack, dict[str, str]],
) -> None:
    """Each valid request is accepted; the same with a 101-character actor, or a date the
    calendar cannot handle, is refused by the validator naming the field (issue 15, 3/5/11)."""
    bg, stack, ids = server
    for kind, update, request in VALID:
        for field, bad in [("actor", "a" * 101), ("actor", "anna\r\nX")] + (
            [("new_due", "9999-12-31")] if "new_due" in request else []
        ):
            sent = _send(stack, ids[kind], update, request | {field: bad}, [field])
            assert bg.run(sent, timeout=40) == "rejected", (kind, update, field)
        accepted = bg.run(_send(stack, ids[kind], update, request, []), timeout=40)
        assert accepted == "accepted", (kind, update)


@pytest.mark.parametrize(
    ("kind", "update", "model"), UPDATES, ids=[f"{k}.{u}" for k, u, _ in UPDATES]
)
def test_update_validators_refuse_clearly(
    server: tuple[Background, Stack, dict[str, str]],
    kind: str,
    update: str,
    model: type[BaseModel],
) -> None:
    bg, stack, ids = server
    outcomes: list[str] = []

    @settings(FUZZ, max_examples=10)
    @given(request=request_json(model))
    def fuzz(request: dict[str, Any]) -> None:
        sent = _send(stack, ids[kind], update, request, list(model.model_fields))
        outcomes.append(bg.run(sent, timeout=40))

    fuzz()
    assert "rejected" in outcomes or "ended" in outcomes, outcomes


# --- CLI: bad values are refused before anything is written --------------------------------------


@pytest.fixture(scope="module")
def records_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-fuzz") / "records.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


def _cli(args: list[str], records: Path) -> tuple[int, str]:
    env = {
        # Nothing listens here: a command that got past every input check stops at connecting
        # (exit 1), so a wrongly accepted value shows as exit 1 instead of 2.
        "LOV_TEMPORAL_ADDRESS": "127.0.0.1:9",
        "LOV_DATABASE_URL": f"sqlite+aiosqlite:///{records}",
        "LOV_CONFIG": str(records.parent / "none.toml"),
        # The real plans: valid input must not be stopped by a missing plan.
        "LOV_PLANS_DIR": str(PLANS),
    }
    result = CliRunner().invoke(cli_app, args, env=env)
    assert not (result.exception and not isinstance(result.exception, SystemExit)), result.exception
    return result.exit_code, result.stderr


def _refused(args: list[str], records: Path, field: str) -> None:
    """Exit 2, one line naming `field`, and the records database as it was."""
    before = hashlib.sha256(records.read_bytes()).hexdigest()
    code, err = _cli(args, records)
    assert code == 2, (args, err)
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"fel: {field}"), (args, err)
    assert hashlib.sha256(records.read_bytes()).hexdigest() == before


def _accepted(args: list[str], records: Path) -> None:
    """Past every input check: stopped only by the missing server (exit 1)."""
    code, err = _cli(args, records)
    assert code == 1 and err.startswith("fel: Kan inte ansluta till Temporal"), (args, err)


VALID_LINE = "2031-03,K-1042,10,8,385.50"
VALID_START = ["--name=Omsorg AB", "--email=kontakt@omsorg.example", "--start=2031-03-01"]


def test_cli_fuzz_setup_accepts_valid_input(records_db: Path) -> None:
    """The fuzzers below are only meaningful if valid input gets through in their setup."""
    _accepted(
        ["recovery", "start", f"--line={VALID_LINE}", "--subject=Granskning", "556036-0793"],
        records_db,
    )
    _accepted(["contract", "start", *VALID_START, "--", "556036-0793"], records_db)


_NO_DIGITS = st.text(st.characters(blacklist_categories=["Nd"]), max_size=15)
# A claim line with one column replaced by a value that is bad by construction.
_BAD_COLUMN = st.one_of(
    st.tuples(st.just(0), st.sampled_from(["2031-13", "2031-00", "31-03", "２０３１-03"])),
    st.tuples(st.just(0), _NO_DIGITS),
    st.tuples(st.just(1), personnummer()),
    st.tuples(st.just(1), st.sampled_from(["", "K 1", "K,1", "x" * 41])),
    st.tuples(st.integers(2, 4), st.sampled_from(["-1", "1.001", "nan", "１０", "1e9"])),
    st.tuples(st.integers(2, 4), _NO_DIGITS),
)
_COLUMNS = ["period", "customer_ref", "hours_billed", "hours_approved", "hourly_rate"]


@settings(FUZZ, max_examples=30)
@given(bad=_BAD_COLUMN)
def test_cli_recovery_start_bad_lines(bad: tuple[int, str], records_db: Path) -> None:
    column, value = bad
    cells = VALID_LINE.split(",")
    cells[column] = value
    line = ",".join(cells)
    args = ["recovery", "start", f"--line={line}", "--subject=Granskning", "--", "556036-0793"]
    # A value with a comma shifts the columns; any column may then be the one named.
    before = hashlib.sha256(records_db.read_bytes()).hexdigest()
    code, err = _cli(args, records_db)
    assert code == 2, (line, err)
    assert len(err.strip().splitlines()) == 1 and err.startswith("fel: "), err
    assert "," in value or not value or _COLUMNS[column] in err or "--line" in err, (line, err)
    assert hashlib.sha256(records_db.read_bytes()).hexdigest() == before


_BAD_EMAIL = st.one_of(
    st.text(st.characters(blacklist_characters="@"), max_size=20),
    st.sampled_from(["a@b.se, c@d.se", "a@b.se\r\nBcc: x@y.se", "@b.se", "a@", "a b@c.se"]),
)
_BAD_START = st.one_of(
    OUT_OF_RANGE_DATES.map(date.isoformat),
    _NO_DIGITS,
    st.sampled_from(["2031-02-30", "31/12/2031", "２０３１-03-01", "2031-3-1x"]),
)
_BAD_ORG = st.one_of(
    org_nr_in_other_digits(),
    _NO_DIGITS,
    st.sampled_from(["556036-0794", "55603607", "556036-07931", "5560360793-", "x556036-0793"]),
)


@settings(FUZZ, max_examples=30)
@given(
    bad=st.one_of(
        st.tuples(st.just("org_nr"), _BAD_ORG),
        st.tuples(st.just("--email"), _BAD_EMAIL),
        st.tuples(st.just("--start"), _BAD_START),
    )
)
def test_cli_contract_start_bad_values(bad: tuple[str, str], records_db: Path) -> None:
    """A valid start (accepted above) with one value replaced by a bad one: exit 2 naming it."""
    field, value = bad
    values = {"org_nr": "556036-0793", "--email": "kontakt@omsorg.example", "--start": "2031-03-01"}
    values[field] = value
    args = ["contract", "start", "--name=Omsorg AB", f"--email={values['--email']}"]
    args += [f"--start={values['--start']}", "--", values["org_nr"]]
    _refused(args, records_db, field)


@settings(FUZZ, max_examples=30)
@given(
    bad=st.one_of(
        st.tuples(st.just("--actor"), st.text(min_size=101, max_size=140).filter(str.strip)),
        st.tuples(st.just("--actor"), st.sampled_from(["a\nb", "a\rb", "a\x00", "a\u2028b"])),
        st.tuples(st.just("--start"), OUT_OF_RANGE_DATES.map(date.isoformat)),
        st.tuples(st.just("--customer"), personnummer()),
    )
)
def test_cli_placement_start_bad_values(bad: tuple[str, str], records_db: Path) -> None:
    field, value = bad
    _refused(placement_start_args(**{field: value}), records_db, field)


def test_cli_placement_setup_accepts_valid_input(records_db: Path) -> None:
    _accepted(placement_start_args(**{"--actor": "A" * 100}), records_db)
