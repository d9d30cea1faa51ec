"""Plan files: the shipped plans load; broken ones are refused naming the file and key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.plans.loader import PlanError, list_plans, load_plan, plan_digest, resolve_plan_path
from models.plans.schema import Plan
from models.runtime.settings import PROJECT_ROOT, get_settings
from starter.plan import app

PLANS_DIR = PROJECT_ROOT / "plans"
SHIPPED = ["herning", "nordanstig", "sundsvall"]

# A small valid plan; every broken case changes exactly one thing in it.
BASE = """\
id = "testplan"
name = "Testkommun"
version = "1"
time_zone = "Europe/Stockholm"
holiday_calendar = "SE"
reminder_offsets_days = [30, 14, 3]

[roles.lov-admin]
title = "LOV-administratör"
email = "lov-admin@test.example"

[roles.economist]
title = "Förvaltningsekonom"
email = "ekonom@test.example"

[[escalation]]
level = 1
after_days = 1
kind = "overdue"
title = "Försenad"
notify = ["provider", "lov-admin"]

[[escalation]]
level = 2
after_days = 14
kind = "pafpekande"
title = "Påpekande"
notify = ["provider", "lov-admin"]

[[obligations]]
key = "self-inspection"
title = "Egenkontroll"
recipient = "lov-admin"

[obligations.schedule]
kind = "periodic"

[[obligations.schedule.periods]]
label = "T1"
start = { month = 1, day = 1 }
end = { month = 4, day = 30 }
due = { month = 4, day = 20 }

[[obligations.documents]]
key = "report"
title = "Rapport"

[[obligations]]
key = "annual-accounts"
title = "Årsredovisning"
recipient = "economist"

[obligations.schedule]
kind = "annual"
due = { month = 7, day = 31 }

[[obligations.fields]]
key = "staff"
title = "Antal anställda"
"""


def swap(old: str, new: str) -> Callable[[str], str]:
    """Replaces the first `old`; fails loudly if the base no longer contains it."""

    def mutate(text: str) -> str:
        assert old in text, f"base plan lacks {old!r}"
        return text.replace(old, new, 1)

    return mutate


# (case id, mutation, expected key (exact), expected words in the message)
BROKEN: list[tuple[str, Callable[[str], str], str, str]] = [
    ("missing-id", swap('id = "testplan"\n', ""), "id", "required key is missing"),
    (
        "bad-time-zone",
        swap('"Europe/Stockholm"', '"Europe/Sundsvall"'),
        "time_zone",
        "unknown time zone 'Europe/Sundsvall'",
    ),
    (
        "unknown-recipient",
        swap('recipient = "economist"', 'recipient = "ekonom"'),
        "obligations[1] (annual-accounts).recipient",
        "unknown role 'ekonom'",
    ),
    (
        "unknown-notify-role",
        swap('notify = ["provider", "lov-admin"]', 'notify = ["provider", "chef"]'),
        "escalation[0].notify",
        "unknown role 'chef'",
    ),
    (
        "duplicate-obligation-key",
        swap('key = "annual-accounts"', 'key = "self-inspection"'),
        "obligations",
        "keys must be unique",
    ),
    (
        "month-13",
        swap("due = { month = 7, day = 31 }", "due = { month = 13, day = 31 }"),
        "obligations[1] (annual-accounts).schedule.due.month",
        "less than or equal to 12 (got 13)",
    ),
    (
        "day-31-in-april",
        swap("due = { month = 4, day = 20 }", "due = { month = 4, day = 31 }"),
        "obligations[0] (self-inspection).schedule.periods[0].due.day",
        "month 4 has no day 31",
    ),
    (
        "unknown-key-typo",
        swap('recipient = "economist"', 'recipient = "economist"\nreciever = "economist"'),
        "obligations[1] (annual-accounts).reciever",
        "unknown key",
    ),
    (
        "decreasing-ladder",
        swap("after_days = 14", "after_days = 0"),
        "escalation",
        "must not decrease",
    ),
    (
        "levels-out-of-order",
        swap("level = 2", "level = 3"),
        "escalation",
        "levels must be 1, 2, 3",
    ),
    (
        "empty-obligations",
        lambda text: "obligations = []\n" + text.split("[[obligations]]")[0],
        "obligations",
        "at least 1 item",
    ),
    ("toml-syntax", swap('version = "1"', 'version = "1'), "line 3, column", "TOML syntax"),
    (
        "wrong-type",
        swap("level = 1", 'level = "ett"'),
        "escalation[0].level",
        "valid integer",
    ),
    (
        "nothing-to-submit",
        swap('[[obligations.fields]]\nkey = "staff"\ntitle = "Antal anställda"\n', ""),
        "obligations[1] (annual-accounts)",
        "at least one document or report field",
    ),
    (
        "bad-email",
        swap('email = "ekonom@test.example"', 'email = "ekonom"'),
        "roles.economist.email",
        "inte en e-postadress",
    ),
    (
        "unknown-schedule-kind",
        swap('kind = "annual"', 'kind = "yearly"'),
        "obligations[1] (annual-accounts).schedule",
        "does not match any of the expected tags",
    ),
    (
        "bad-anchor",
        swap('kind = "annual"', 'kind = "annual"\nanchor = "contract_start"'),
        "obligations[1] (annual-accounts).schedule.anchor",
        "contract-start",
    ),
    (
        "provider-role-reserved",
        swap("[roles.economist]", "[roles.provider]"),
        "roles",
        "'provider' is reserved",
    ),
    (
        "duplicate-reminder-offsets",
        swap("[30, 14, 3]", "[30, 14, 14]"),
        "reminder_offsets_days",
        "must be unique",
    ),
    (
        "period-ends-before-start",
        swap("start = { month = 1, day = 1 }", "start = { month = 5, day = 1 }"),
        "obligations[0] (self-inspection).schedule.periods[0].end",
        "must not be before start",
    ),
    (
        "unknown-administrator-role",
        lambda text: 'administrator_role = "admin"\n' + text,
        "administrator_role",
        "'admin' is not a role",
    ),
    ("id-not-file-stem", swap('id = "testplan"', 'id = "other"'), "id", "file name 'testplan'"),
    (
        "check-names-no-field",
        swap(
            'title = "Antal anställda"\n',
            'title = "Antal anställda"\n\n[[obligations.checks]]\nfield = "staff"\n'
            'at_most = "customers"\n',
        ),
        "obligations[1] (annual-accounts).checks[0].at_most",
        "'customers' is not a count or percent field",
    ),
    (
        "check-without-comparison",
        swap(
            'title = "Antal anställda"\n',
            'title = "Antal anställda"\n\n[[obligations.checks]]\nfield = "staff"\n',
        ),
        "obligations[1] (annual-accounts).checks[0]",
        "exactly one of at_most and at_least",
    ),
    (
        "percent-above-100",
        swap(
            'title = "Antal anställda"\n',
            'title = "Antal anställda"\ntype = "percent"\nmax = 150\n',
        ),
        "obligations[1] (annual-accounts).fields[0]",
        "within 0–100",
    ),
    (
        "range-on-text",
        swap('title = "Antal anställda"\n', 'title = "Antal anställda"\ntype = "text"\nmin = 1\n'),
        "obligations[1] (annual-accounts).fields[0]",
        "only for a count or percent field",
    ),
]


def write(directory: Path, text: str, name: str = "testplan") -> Path:
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def plans_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A plans directory the CLI uses through its settings."""
    monkeypatch.setenv("LOV_PLANS_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize("plan_id", SHIPPED)
def test_shipped_plan_loads(plan_id: str) -> None:
    plan = load_plan(plan_id, PLANS_DIR)
    assert isinstance(plan, Plan)
    assert plan.id == plan_id
    assert plan.obligations and plan.escalation and plan.skallkrav


def test_shipped_plans_are_listed() -> None:
    assert list_plans(PLANS_DIR) == SHIPPED


def test_sundsvall_follows_seed_003() -> None:
    plan = load_plan("sundsvall", PLANS_DIR)
    recipients = {ob.key: ob.recipient for ob in plan.obligations}
    assert recipients == {
        "self-inspection": "lov-admin",
        "annual-accounts": "economist",
        "annual-report": "lov-admin",
        "governance-documents": "lov-admin",
        "kkik-continuity": "lov-admin",
    }
    report = plan.obligation("annual-report")
    assert {f.key for f in report.fields} >= {
        "sol_deviations",
        "hsl_deviations",
        "lex_sarah",
        "lex_maria",
        "complaints",
        "authority_reports",
        "full_time_staff",
        "part_time_staff",
        "staff_education",
        "permit_current",
    }
    governance = plan.obligation("governance-documents")
    assert {d.key for d in governance.documents} == {
        "management-system",
        "collective-agreement",
        "insurance",
        "environmental-goals",
    }
    assert [(s.level, s.after_days, s.kind) for s in plan.escalation] == [
        (1, 1, "overdue"),
        (2, 14, "pafpekande"),
        (3, 30, "management"),
    ]
    assert "management" in plan.escalation[2].notify
    assert plan.reminder_offsets_days == (30, 14, 3)
    assert plan.meetings.per_year == 2 and len(plan.meetings.windows) == 2
    assert {"f-skatt", "no-tax-debts", "ivo-permit", "management-system", "insurance"} <= {
        k.key for k in plan.skallkrav
    }


def test_herning_is_danish() -> None:
    plan = load_plan("herning", PLANS_DIR)
    assert (plan.language, plan.time_zone, plan.holiday_calendar) == (
        "da",
        "Europe/Copenhagen",
        "DK",
    )
    # Issue 19: a registered deficiency starts the samarbejdsprocedure, a late report does not.
    assert [s.kind for s in plan.escalation][1] == "anden-paamindelse"


def test_base_plan_is_valid(tmp_path: Path) -> None:
    # Otherwise the broken cases below could fail for a reason other than their mutation.
    write(tmp_path, BASE)
    assert load_plan("testplan", tmp_path).id == "testplan"


@pytest.mark.parametrize(
    ("mutate", "key", "words"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_plan_is_refused(
    tmp_path: Path, mutate: Callable[[str], str], key: str, words: str
) -> None:
    path = write(tmp_path, mutate(BASE))
    with pytest.raises(PlanError) as caught:
        load_plan("testplan", tmp_path)
    err = caught.value
    assert err.file == str(path)
    assert err.key.startswith(key), err
    assert words in err.message, err
    line = str(err)
    assert line == f"{path}: {err.key}: {err.message}"
    assert "\n" not in line


@pytest.mark.parametrize(
    ("mutate", "key"), [(case[1], case[2]) for case in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_cli_validate_refuses_broken_plan(
    plans_dir: Path, mutate: Callable[[str], str], key: str
) -> None:
    write(plans_dir, mutate(BASE))
    result = CliRunner().invoke(app, ["validate", "testplan"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{plans_dir / 'testplan.toml'}: {key}")


def test_cli_show_refuses_broken_plan(plans_dir: Path) -> None:
    write(plans_dir, swap('recipient = "economist"', 'recipient = "ekonom"')(BASE))
    result = CliRunner().invoke(app, ["show", "testplan", "--year", "2027"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "obligations[1] (annual-accounts).recipient: unknown role 'ekonom'" in result.stderr


def test_cli_validate_reports_each_file(plans_dir: Path) -> None:
    write(plans_dir, BASE)
    write(
        plans_dir, swap('id = "testplan"', 'id = "broken"')(BASE).replace("level = 1", ""), "broken"
    )
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 2
    assert result.stdout.startswith(f"OK {plans_dir / 'testplan.toml'}")
    assert result.stderr.startswith(f"{plans_dir / 'broken.toml'}: escalation[0].level: ")


def test_first_error_counts_the_rest(tmp_path: Path) -> None:
    text = swap("level = 1", 'level = "ett"')(BASE).replace("after_days = 14", 'after_days = "x"')
    write(tmp_path, text)
    with pytest.raises(PlanError, match=r"escalation\[0\]\.level: .*\(and \d+ more\)$"):
        load_plan("testplan", tmp_path)


def test_plan_by_path_outside_plans_dir_keeps_its_own_id(tmp_path: Path) -> None:
    # The id/file-name rule is for plans/ only; a draft elsewhere may have any file name.
    path = write(tmp_path, BASE, name="draft")
    assert load_plan(str(path), PLANS_DIR).id == "testplan"


def test_unknown_plan_names_the_available_ones() -> None:
    with pytest.raises(PlanError) as caught:
        resolve_plan_path("gotland", PLANS_DIR)
    assert "unknown plan 'gotland'" in caught.value.message
    assert "available: herning, nordanstig, sundsvall" in caught.value.message


def test_missing_plan_file() -> None:
    with pytest.raises(PlanError) as caught:
        load_plan("/nowhere/plan.toml", PLANS_DIR)
    assert (caught.value.file, caught.value.key) == ("/nowhere/plan.toml", "(file)")


def test_default_plans_dir_comes_from_settings(plans_dir: Path) -> None:
    write(plans_dir, BASE)
    assert load_plan("testplan").name == "Testkommun"


def test_plan_digest_tracks_the_exact_text(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    first = plan_digest(path)
    assert first == plan_digest(str(path)) and len(first) == 16
    path.write_text(BASE + "\n# kommentar\n", encoding="utf-8")
    assert plan_digest(path) != first
