"""Hostile files and settings (issue 15, point 14): one clear line, exit 2, never a traceback.

Every file input is fed what an attacker or an accident supplies: nesting thousands of levels
deep, a 400 KB plan of one dotted key, `/dev/zero`, a FIFO, a directory, a 5,000-digit number,
binary data; output targets that cannot be written; encryption settings that cannot be used.
Each test first shows that a valid input passes the same step in the same setup. `lov` runs as
its own process, exactly as an administrator runs it, with its address space capped so that the
old unbounded reads end in MemoryError instead of eating the machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models.domain.audit import TimelineEntry, export_lines
from models.domain.file_input import (
    MAX_CONFIG_BYTES,
    MAX_DEPTH,
    FileInputError,
    parse_json,
    parse_toml,
)
from models.messages.common import Provider
from models.plans.scenario import ScenarioError, load_scenario
from models.records.db import upgrade
from models.runtime.codec import new_key
from models.runtime.settings import PROJECT_ROOT, Settings
from models.runtime.temporal import data_converter
from services import contracts
from tests.support.audit_keys import make_signer
from tests.support.certificates import self_signed_certificate
from tests.support.cli_runner import Result, cli_env, cli_worker, run_lov_process
from tests.support.helpers import ReceivedMail, random_org_nr

pytestmark = pytest.mark.slow

# Far above what `lov` needs (about 1 GiB of address space with the Temporal SDK loaded), far
# below what the test machine has.
MEMORY_LIMIT = 3 * 1024**3
AUDIT_SIGNER, _AUDIT_PUBLIC = make_signer("test-1")
AUDIT_KEYS = {"LOV_AUDIT_PUBLIC_KEYS": json.dumps({"test-1": _AUDIT_PUBLIC})}
ORG = "556016-0680"
DEEP = 5000  # levels: far beyond Python's recursion limit, as the reproducer
BIG_NUMBER = "9" * 5000  # beyond Python's 4,300-digit int conversion limit
UNREACHABLE = "127.0.0.1:1"  # nothing listens: a command that gets this far accepted its input


async def lov(tmp_path: Path, *args: str, timeout: float = 60, **env: str) -> Result:
    values = {"LOV_TEMPORAL_ADDRESS": UNREACHABLE, "LOV_VAR_DIR": str(tmp_path / "var")} | env
    return await run_lov_process(
        cli_env(tmp_path, **values), *args, timeout=timeout, memory_limit=MEMORY_LIMIT
    )


def refused(result: Result, *names: str) -> str:
    """Exit 2 and exactly one stderr line that names the input."""
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    line = result.error_line()
    assert result.exit_code == 2, (result.exit_code, line)
    for name in names:
        assert name in line, (name, line)
    assert len(line) < 400, line  # quotes at most a short prefix of anything it was given
    return line


def reached_temporal(result: Result, option: str) -> None:
    """The input was accepted: the command went on to connect (and found nothing there)."""
    assert result.exit_code == 1, result.stderr
    assert UNREACHABLE in result.error_line() and option not in result.stderr


def deep_toml(key: str = "a") -> str:
    return f"{key} = " + "[" * DEEP + "]" * DEEP + "\n"


def deep_json() -> str:
    return '{"customers": ' + "[" * DEEP + "]" * DEEP + "}"


def fifo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


# --- plan files ---------------------------------------------------------------------------------


def _plan(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _valid_plan_text() -> str:
    return (PROJECT_ROOT / "plans" / "sundsvall.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("what", "extra", "expected"),
    [
        ("nested arrays", deep_toml("x"), "nested too deeply"),
        ("nested inline tables", "x = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n", "nested"),
        ("a 5,000-digit number", f"x = {BIG_NUMBER}\n", "too many digits"),
    ],
)
async def test_hostile_plan_file_is_one_line(
    tmp_path: Path, what: str, extra: str, expected: str
) -> None:
    valid = _plan(tmp_path, "valid.toml", _valid_plan_text())
    ok = await lov(tmp_path, "plan", "validate", str(valid))
    assert ok.exit_code == 0, ok.stderr
    hostile = _plan(tmp_path, "hostile.toml", extra + _valid_plan_text())
    refused(await lov(tmp_path, "plan", "validate", str(hostile)), str(hostile), expected)


async def test_a_plan_of_one_long_dotted_key_is_refused_at_once(tmp_path: Path) -> None:
    """400 KB of `a.a.a…`: tomllib needs minutes and tens of GB for it (quadratic); the scan
    refuses it at once. In a capped process: the unfixed code must not take the machine down."""
    valid = _plan(tmp_path, "valid.toml", _valid_plan_text())
    ok = await lov(tmp_path, "plan", "validate", str(valid))
    assert ok.exit_code == 0, ok.stderr
    hostile = _plan(tmp_path, "dotted.toml", "a" + ".a" * 200_000 + " = 1\n")
    assert hostile.stat().st_size > 400_000
    started = time.monotonic()
    result = await lov(tmp_path, "plan", "validate", str(hostile), timeout=30)
    elapsed = time.monotonic() - started
    refused(result, str(hostile), "nested too deeply")
    # The process start-up included: about a second; parsing the file would take minutes.
    assert elapsed < 10, elapsed


async def test_a_plan_file_over_the_size_limit_is_one_line(tmp_path: Path) -> None:
    large = _plan(tmp_path, "large.toml", _valid_plan_text() + "#" * (2 * 1024 * 1024) + "\n")
    line = refused(await lov(tmp_path, "plan", "validate", str(large)), str(large))
    assert "too large" in line


# --- scenarios ----------------------------------------------------------------------------------


async def test_hostile_scenario_file_is_one_line(tmp_path: Path) -> None:
    plans = PROJECT_ROOT / "plans"
    valid = PROJECT_ROOT / "scenarios" / "late-provider.toml"
    scenario, _, _ = load_scenario(valid, plans, "sundsvall")
    assert scenario.providers
    text = valid.read_text(encoding="utf-8")
    for name, hostile_text, expected in [
        ("deep.toml", deep_toml("extra") + text, "nested too deeply"),
        ("number.toml", f"extra = {BIG_NUMBER}\n" + text, "too many digits"),
    ]:
        hostile = tmp_path / name
        hostile.write_text(hostile_text, encoding="utf-8")
        with pytest.raises(ScenarioError, match=expected):
            load_scenario(hostile, plans, "sundsvall")
    # As the administrator meets it: refused before any test server starts. A long dotted key
    # only in a capped process (unfixed, tomllib needs tens of GB for it).
    refused(await lov(tmp_path, "simulate", str(tmp_path / "deep.toml")), "deep.toml")
    dotted = tmp_path / "dotted.toml"
    dotted.write_text("x" + ".x" * 100_000 + " = 1\n" + text, encoding="utf-8")
    refused(await lov(tmp_path, "simulate", str(dotted), timeout=30), "dotted.toml", "nested")


# --- lov contract submit --fields-file / --document ---------------------------------------------


def _submit(*extra: str) -> tuple[str, ...]:
    return ("contract", "submit", ORG, "annual-report", "2027", *extra)


async def test_hostile_fields_file_is_one_line(tmp_path: Path) -> None:
    valid = tmp_path / "fields.json"
    valid.write_text('{"customers": 5, "permit_current": true}', encoding="utf-8")
    reached_temporal(await lov(tmp_path, *_submit("--fields-file", str(valid))), "--fields-file")

    deep = tmp_path / "deep.json"
    deep.write_text(deep_json(), encoding="utf-8")
    deep_toml_file = tmp_path / "deep.toml"
    deep_toml_file.write_text(deep_toml("customers"), encoding="utf-8")
    zero = tmp_path / "zero.toml"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    large = tmp_path / "large.toml"
    large.write_text("customers = 5\n" + "#" * (2 * 1024 * 1024), encoding="utf-8")
    for hostile in (deep, deep_toml_file, zero, fifo(tmp_path, "fifo.json"), folder, large):
        result = await lov(tmp_path, *_submit("--fields-file", str(hostile)), timeout=30)
        refused(result, "--fields-file", str(hostile))


async def test_hostile_document_is_one_line(tmp_path: Path) -> None:
    valid = tmp_path / "rapport.pdf"
    valid.write_bytes(b"%PDF-1.4 a report\n")
    reached_temporal(
        await lov(tmp_path, *_submit("--document", f"deviation-analysis={valid}")), "--document"
    )
    for hostile in (Path("/dev/zero"), fifo(tmp_path, "fifo.pdf"), tmp_path):
        result = await lov(
            tmp_path, *_submit("--document", f"deviation-analysis={hostile}"), timeout=30
        )
        refused(result, "deviation-analysis", str(hostile))


# --- lov meeting minutes --file -----------------------------------------------------------------


async def test_hostile_minutes_file_is_one_line(tmp_path: Path) -> None:
    meeting = "meeting-5560160680-2027-H1"
    valid = tmp_path / "minutes.toml"
    valid.write_text('summary = "Verksamheten fungerar väl"\nattendees = ["Anna"]\n', "utf-8")
    reached_temporal(
        await lov(tmp_path, "meeting", "minutes", meeting, "--file", str(valid)), "--file"
    )
    hostiles = {
        "deep.toml": deep_toml("summary").encode(),
        "number.toml": f"summary = {BIG_NUMBER}\n".encode(),
        "binary.toml": bytes(range(256)) * 4,
    }
    for name, data in hostiles.items():
        hostile = tmp_path / name
        hostile.write_bytes(data)
        result = await lov(tmp_path, "meeting", "minutes", meeting, "--file", str(hostile))
        refused(result, "--file", name)


# --- lov audit verify ---------------------------------------------------------------------------


def _export(path: Path) -> list[str]:
    entry = TimelineEntry(
        at=datetime(2027, 4, 1, 10, tzinfo=UTC), source="event", type="submitted", key="k-1"
    )
    lines = export_lines(
        "5560160680", [entry], datetime(2027, 5, 1, tzinfo=UTC), signer=AUDIT_SIGNER
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


async def test_hostile_audit_export_is_one_line(tmp_path: Path) -> None:
    valid = tmp_path / "export.jsonl"
    lines = _export(valid)
    ok = await lov(tmp_path, "audit", "verify", str(valid), **AUDIT_KEYS)
    assert ok.exit_code == 0 and "OK" in ok.stdout, ok.stderr
    hostiles = {
        "deep.jsonl": "[" * DEEP + "]" * DEEP + "\n" + "\n".join(lines[1:]),
        "number.jsonl": json.dumps({"seq": 1})[:-1] + f', "n": {BIG_NUMBER}}}\n',
        "binary.jsonl": "",
    }
    for name, text in hostiles.items():
        hostile = tmp_path / name
        if name == "binary.jsonl":
            hostile.write_bytes(b"\xff\xfe\x00" * 1000)
        else:
            hostile.write_text(text, encoding="utf-8")
        refused(await lov(tmp_path, "audit", "verify", str(hostile), **AUDIT_KEYS), name)
    refused(await lov(tmp_path, "audit", "verify", "/dev/zero", timeout=30), "/dev/zero")


# --- lov report compliance --html ---------------------------------------------------------------


async def test_unwritable_html_target_is_one_line(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(database_url)
    target = tmp_path / "rapport.html"
    args = ("report", "compliance", "--year", "2027")
    ok = await lov(tmp_path, *args, "--html", str(target), LOV_DATABASE_URL=database_url)
    assert ok.exit_code == 0 and target.read_text(encoding="utf-8").startswith("<"), ok.stderr
    folder = tmp_path / "a-folder.html"
    folder.mkdir()
    for bad in (folder, Path("/dev/full")):  # a directory; a disk that is full
        result = await lov(tmp_path, *args, "--html", str(bad), LOV_DATABASE_URL=database_url)
        refused(result, "--html", str(bad))


# --- encryption settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "active", "expected"),
    [
        ('{"2027-01": "not base64!!"}', "", "LOV_CODEC_KEYS[2027-01]"),
        ('{"2027-01": "c2hvcnQ="}', "", "LOV_CODEC_KEYS[2027-01]"),
        ("{'2027-01': 'no JSON'}", "", "LOV_CODEC_KEYS"),
        ("VALID", "2026-12", "LOV_CODEC_ACTIVE_KEY"),
    ],
)
async def test_unusable_encryption_settings_are_one_line(
    tmp_path: Path, keys: str, active: str, expected: str
) -> None:
    key = new_key()
    good = json.dumps({"2027-01": key})
    ok = await lov(tmp_path, "overdue", LOV_CODEC_KEYS=good, LOV_CODEC_ACTIVE_KEY="2027-01")
    reached_temporal(ok, "LOV_CODEC")
    keys = good if keys == "VALID" else keys
    result = await lov(tmp_path, "overdue", LOV_CODEC_KEYS=keys, LOV_CODEC_ACTIVE_KEY=active)
    line = refused(result, expected)
    assert key not in line and "not base64!!" not in line


async def test_hostile_settings_file_and_certificate_are_one_line(tmp_path: Path) -> None:
    config = tmp_path / "lov.toml"
    config.write_text('temporal_namespace = "default"\n', encoding="utf-8")
    certificate = tmp_path / "ca.pem"
    certificate.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    ok = await lov(tmp_path, "overdue", LOV_CONFIG=str(config))
    reached_temporal(ok, "LOV_CONFIG")
    ok = await lov(tmp_path, "overdue", LOV_TEMPORAL_TLS_CA_CERT=str(certificate))
    assert ok.exit_code == 1 and "/dev/zero" not in ok.stderr, ok.stderr

    config.write_text(deep_toml("temporal_namespace"), encoding="utf-8")
    refused(await lov(tmp_path, "overdue", LOV_CONFIG=str(config)), "LOV_CONFIG", "nested")
    # An unreadable certificate is bad input: one line naming the setting, exit 2 (it was
    # exit 1), not a process reading /dev/zero until it is killed.
    for setting in (
        "LOV_TEMPORAL_TLS_CA_CERT",
        "LOV_TEMPORAL_TLS_CLIENT_CERT",
        "LOV_TEMPORAL_TLS_CLIENT_KEY",
    ):
        result = await lov(tmp_path, "overdue", timeout=30, **{setting: "/dev/zero"})
        refused(result, setting, "/dev/zero")
    result = await lov(tmp_path, "overdue", LOV_TEMPORAL_TLS_CA_CERT=str(tmp_path / "nope.pem"))
    refused(result, "LOV_TEMPORAL_TLS_CA_CERT", "nope.pem")


async def test_smtp_ca_certificate_is_read_bounded_and_checked_at_start(tmp_path: Path) -> None:
    """LOV_SMTP_TLS_CA_CERT was handed to ssl at the first e-mail: a device was read until the
    worker died, a file that is no certificate failed every e-mail. Now refused at start-up."""
    good, _ = self_signed_certificate(tmp_path)
    reached_temporal(
        await lov(tmp_path, "overdue", LOV_SMTP_TLS_CA_CERT=str(good)), "LOV_SMTP_TLS_CA_CERT"
    )
    fifo = tmp_path / "ca.fifo"
    os.mkfifo(fifo)
    binary = tmp_path / "binary.pem"
    binary.write_bytes(b"\xff\xfe\x00" * 1000)
    not_pem = tmp_path / "text.pem"
    not_pem.write_text("-----BEGIN CERTIFICATE-----\ninte ett certifikat\n", encoding="utf-8")
    huge = tmp_path / "huge.pem"
    huge.write_bytes(good.read_bytes() * (MAX_CONFIG_BYTES // len(good.read_bytes()) + 1))
    for path in ("/dev/zero", fifo, tmp_path, binary, not_pem, huge, tmp_path / "nope.pem"):
        result = await lov(tmp_path, "overdue", LOV_SMTP_TLS_CA_CERT=str(path), timeout=30)
        refused(result, "LOV_SMTP_TLS_CA_CERT", Path(path).name)
    # The worker too: before the first e-mail, not at it.
    code, lines = await _worker(tmp_path, LOV_SMTP_TLS_CA_CERT=str(good))
    assert code == 1 and "LOV_SMTP_TLS_CA_CERT" not in "\n".join(lines), lines
    code, lines = await _worker(tmp_path, LOV_SMTP_TLS_CA_CERT="/dev/zero")
    assert code == 2 and len(lines) == 1 and "LOV_SMTP_TLS_CA_CERT" in lines[0], lines


async def _worker(tmp_path: Path, **settings: str) -> tuple[int | None, list[str]]:
    """`python worker.py` with `settings` (LOV_…); its exit code and stderr lines."""
    env = cli_env(
        tmp_path,
        LOV_TEMPORAL_ADDRESS=UNREACHABLE,
        LOV_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'not-migrated.db'}",
        **settings,
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "worker.py",
        cwd=PROJECT_ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, err.decode().strip().splitlines()


async def test_worker_with_unusable_encryption_key_is_one_line(tmp_path: Path) -> None:
    # A usable key: the worker gets past its settings and stops at the unmigrated database.
    code, lines = await _worker(tmp_path, LOV_CODEC_KEYS=json.dumps({"2027-01": new_key()}))
    assert code == 1 and "LOV_CODEC" not in "\n".join(lines), lines
    code, lines = await _worker(tmp_path, LOV_CODEC_KEYS='{"2027-01": "not base64!!"}')
    assert code == 2 and len(lines) == 1, lines
    assert "LOV_CODEC_KEYS[2027-01]" in lines[0] and "not base64!!" not in lines[0]


async def test_payload_under_an_unknown_key_id_is_one_line(
    env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker encrypts with key 2027-01; `lov` configured with another key only cannot read
    its answers: one line naming LOV_CODEC_KEYS and the missing id, exit 2."""
    old_keys = {"2027-01": new_key()}
    worker_converter = data_converter(
        Settings(codec_keys={k: SecretStr(v) for k, v in old_keys.items()})
    )
    client = Client(
        env.client.service_client,
        namespace=env.client.namespace,
        data_converter=worker_converter,
    )
    async with cli_worker(
        client, smtp_server, tmp_path, monkeypatch, name="unknown-key", default_plan="sundsvall"
    ) as cli:
        org = random_org_nr()
        await contracts.start_contract(
            client,
            cli["LOV_TEMPORAL_TASK_QUEUE"],
            Provider(org_nr=org, name="Nyckel Omsorg AB", email="kontakt@nyckel.example"),
            date(2027, 1, 1),
            "sundsvall",
            search_attributes=False,
        )
        same_key = cli | {"LOV_CODEC_KEYS": json.dumps(old_keys)}
        ok = await run_lov_process(same_key, "contract", "status", org)
        assert ok.exit_code == 0 and "Nyckel Omsorg AB" in ok.stdout, ok.stderr
        other_key = cli | {"LOV_CODEC_KEYS": json.dumps({"2028-01": new_key()})}
        refused(
            await run_lov_process(other_key, "contract", "status", org), "LOV_CODEC_KEYS", "2027-01"
        )


def _depth(value: object) -> int:
    """Nesting of tables and arrays, the document itself being 1."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


_SHAPES: dict[str, Callable[[int], str]] = {
    "arrays": lambda n: "a = " + "[" * (n - 1) + "]" * (n - 1),
    "inline tables": lambda n: "a = " + "{b = " * (n - 1) + "1" + "}" * (n - 1),
    "dotted key": lambda n: ".".join(["k"] * n) + " = 1",
    "table header": lambda n: "[" + ".".join(["t"] * (n - 1)) + "]\nx = 1",
    "array of tables": lambda n: "[[" + ".".join(["t"] * (n - 2)) + "]]\nx = 1\n",
    "mixed": lambda n: "[t]\n" + ".".join(["k"] * (n - 4)) + ' = [{m = [1]}, "]]]"] # ]]\n',
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_nesting_limit_is_exact(shape: str) -> None:
    """The scan before tomllib measures what tomllib would build: a file at the limit is
    accepted (no false refusals of legitimate files), one level more is refused."""
    at_limit = _SHAPES[shape](MAX_DEPTH)
    assert _depth(tomllib.loads(at_limit)) == MAX_DEPTH
    assert parse_toml(at_limit) == tomllib.loads(at_limit)
    beyond = _SHAPES[shape](MAX_DEPTH + 1)
    assert _depth(tomllib.loads(beyond)) == MAX_DEPTH + 1
    with pytest.raises(FileInputError, match="nested too deeply"):
        parse_toml(beyond)


def test_json_nesting_limit_is_exact() -> None:
    def nested(n: int) -> str:
        return (
            '{"a": ' * (n // 2)
            + '["]]", ' * (n - n // 2)
            + "1"
            + "]" * (n - n // 2)
            + "}" * (n // 2)
        )

    assert _depth(json.loads(nested(MAX_DEPTH))) == MAX_DEPTH
    assert parse_json(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))
    with pytest.raises(FileInputError, match="nested too deeply"):
        parse_json(nested(MAX_DEPTH + 1))


async def test_hostile_claim_csv_is_one_line(tmp_path: Path) -> None:
    valid = tmp_path / "claim.csv"
    valid.write_text(
        "period;customer_ref;hours_billed;hours_approved;hourly_rate\n2027-03;K-101;40;32;450,50\n",
        encoding="utf-8",
    )
    start = ("recovery", "start", ORG, "--actor", "Anna", "--csv")
    reached_temporal(await lov(tmp_path, *start, str(valid)), "--csv")
    large = tmp_path / "large.csv"
    large.write_text(valid.read_text(encoding="utf-8") * 400_000, encoding="utf-8")
    for hostile in (Path("/dev/zero"), fifo(tmp_path, "fifo.csv"), large):
        refused(await lov(tmp_path, *start, str(hostile), timeout=30), "--csv", str(hostile))
