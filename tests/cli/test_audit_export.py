"""The archivable audit export: a hash chain that `lov audit verify` checks line by line, sealed
with an Ed25519 signature; and the timeline and CSV that show stored values as plain text."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import SecretStr
from typer.testing import CliRunner

from models.domain.audit import (
    TimelineEntry,
    UnknownKeyError,
    Verified,
    VerifyError,
    export_lines,
    ordered,
    to_csv,
    verify_export,
)
from models.domain.audit_signing import Signer, new_key_pair, public_keys, signer
from models.records.db import upgrade
from models.runtime.settings import Settings, get_settings
from starter.cli import app
from tests.support.audit_keys import make_signer
from tests.support.cli_runner import cli_env
from tests.support.db_fixtures import open_store

T0 = datetime(2031, 4, 15, 8, 0, tzinfo=UTC)
ORG = "556036-0793"


SIGNER, PUBLIC = make_signer("2031-01")
KEYS: dict[str, Ed25519PublicKey] = {"2031-01": SIGNER.public_key}


def entries(n: int = 5) -> list[TimelineEntry]:
    return ordered(
        TimelineEntry(
            at=T0 + timedelta(hours=i),
            source="event" if i % 2 else "email",
            type="submitted" if i % 2 else "reminder",
            workflow_id="obligation-5560360793-annual-report-2031",
            actor="Anna Admin" if i % 2 else "system",
            obligation="annual-report",
            period="2031",
            to=[] if i % 2 else ["kontakt@omsorg.example"],
            subject=None if i % 2 else f"Påminnelse {i}",
            key=f"k{i}",
            details={"n": i},
        )
        for i in range(n)
    )


def export(n: int = 5, signed_by: Signer | None = SIGNER) -> list[str]:
    return export_lines(ORG, entries(n), T0, date(2031, 1, 1), date(2031, 12, 31), signer=signed_by)


def test_an_untouched_export_verifies() -> None:
    lines = export()
    assert len(lines) == 7  # header, five entries, seal
    assert verify_export("\n".join(lines) + "\n", KEYS) == Verified(ORG, 5, "2031-01")
    header, first = json.loads(lines[0]), json.loads(lines[1])
    assert header["line"] == "header" and first["prev"] == header["hash"]
    assert header["key_id"] == "2031-01" and json.loads(lines[-1])["key_id"] == "2031-01"
    assert first["actor"] == "system" and first["seq"] == 1


def test_an_empty_timeline_still_has_header_and_seal() -> None:
    assert verify_export("\n".join(export(0)), KEYS) == Verified(ORG, 0, "2031-01")


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda ls: [*ls[:2], ls[2].replace("Anna Admin", "Bo Bluff"), *ls[3:]], "line 3: content"),
        (lambda ls: [*ls[:3], *ls[4:]], "line 4: does not follow line 3"),
        (lambda ls: [*ls[:2], ls[3], ls[2], *ls[4:]], "line 3: does not follow line 2"),
        (lambda ls: ls[:-1], "line 6: the export has no seal"),
        (lambda ls: [*ls[:-2], ls[-1]], "line 6: does not follow line 5"),
        (lambda ls: [ls[0].replace("556036-0793", "212000-2312"), *ls[1:]], "line 1: content"),
        (lambda ls: [*ls, ls[1]], "line 7: lines follow the seal"),
        (lambda ls: [*ls[:2], "not json", *ls[3:]], "line 3: not JSON"),
    ],
    ids=[
        "edited",
        "removed",
        "swapped",
        "cut-off",
        "last-entry-removed",
        "header",
        "appended",
        "garbled",
    ],
)
def test_tampering_is_detected(tamper: object, message: str) -> None:
    lines = tamper(export())  # type: ignore[operator]
    with pytest.raises(VerifyError, match=message):
        verify_export("\n".join(lines), KEYS)


def test_an_edit_with_a_recomputed_hash_still_breaks_the_chain() -> None:
    import hashlib

    lines = [json.loads(line) for line in export()]
    forged = {k: v for k, v in lines[2].items() if k != "hash"} | {"actor": "Bo Bluff"}
    canonical = json.dumps(forged, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    forged["hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    text = [json.dumps(x) for x in lines]
    text[2] = json.dumps(forged)
    with pytest.raises(VerifyError, match="line 4: does not follow line 3"):
        verify_export("\n".join(text), KEYS)


def test_lov_audit_verify_command(tmp_path: Path) -> None:
    good = tmp_path / "export.jsonl"
    good.write_text("\n".join(export()) + "\n", encoding="utf-8")
    env = verifier_env(tmp_path, {"2031-01": PUBLIC})
    ok = invoke(env, "audit", "verify", str(good))
    assert ok.exit_code == 0, ok.stderr
    assert "oförändrad (intact) och förseglad med nyckel 2031-01" in ok.stdout
    assert "556036-0793, 5 poster" in ok.stdout

    bad = tmp_path / "edited.jsonl"
    lines = export()
    bad.write_text("\n".join([*lines[:1], *lines[2:]]), encoding="utf-8")
    refused = invoke(env, "audit", "verify", str(bad))
    assert refused.exit_code == 1
    assert "line 2: does not follow line 1" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    missing = CliRunner().invoke(app, ["audit", "verify", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "FIL: kan inte läsa" in missing.stderr
    no_file = CliRunner().invoke(app, ["audit", "verify"])
    assert no_file.exit_code == 2 and "FIL:" in no_file.stderr


# --- seals: a recomputed chain is not enough to forge an export ---------------------------------


def invoke(env: dict[str, str], *args: str) -> Any:
    """`lov ARGS…` in-process with `env` as the only LOV_* settings (fresh settings each time)."""
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()


def verifier_env(tmp_path: Path, public: dict[str, str], **extra: str) -> dict[str, str]:
    return cli_env(tmp_path, LOV_AUDIT_PUBLIC_KEYS=json.dumps(public), **extra)


def rechain(lines: list[dict[str, Any]]) -> list[str]:
    """What a forger does after editing: renumber the entries, recompute every hash and the seal
    (keeping whatever signature the seal had), exactly as the exporter computes them."""
    out: list[str] = []
    prev = "0" * 64
    entries = [x for x in lines if x["line"] == "entry"]
    for i, entry in enumerate(entries, 1):
        entry["seq"] = i
    for line in lines:
        body = {k: v for k, v in line.items() if k not in ("hash", "signature")}
        if body["line"] == "seal":
            body |= {"entries": len(entries), "head": prev}
        body["prev"] = prev
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        sealed = body | {"hash": digest}
        if "signature" in line:
            sealed["signature"] = line["signature"]
        out.append(json.dumps(sealed, ensure_ascii=False))
        prev = digest
    return out


def parsed(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(x) for x in lines]


def delete_an_entry(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [x for x in lines if x.get("seq") != 2]


def change_an_actor(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [x | {"actor": "Bo Bluff"} if x.get("actor") == "Anna Admin" else x for x in lines]


@pytest.mark.parametrize("forge", [delete_an_entry, change_an_actor], ids=["deleted", "actor"])
def test_a_recomputed_chain_does_not_verify(
    forge: Callable[[list[dict[str, Any]]], list[dict[str, Any]]], tmp_path: Path
) -> None:
    forged = rechain(forge(parsed(export())))
    # The forgery is a well-formed export (its chain holds): only the seal gives it away.
    assert verify_export("\n".join(rechain(parsed(export()))), KEYS).sealed
    with pytest.raises(VerifyError, match="line .*: the signature does not hold for key '2031-01'"):
        verify_export("\n".join(forged), KEYS)

    file = tmp_path / "forged.jsonl"
    file.write_text("\n".join(forged) + "\n", encoding="utf-8")
    result = invoke(verifier_env(tmp_path, {"2031-01": PUBLIC}), "audit", "verify", str(file))
    assert result.exit_code == 1, result.stdout
    assert "oförändrad" not in result.stdout
    assert "the signature does not hold" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_long_value_in_a_refused_line_is_quoted_short(tmp_path: Path) -> None:
    """A recomputed chain may carry any value where a line type or number belongs; the refusal
    names it by a short prefix (models.domain.quote), not by all of its 100,000 characters."""
    long = "x" * 100_000
    unknown = parsed(export())
    unknown[2]["line"] = long
    renumbered = parsed(export())
    texts = {"line 3: unknown line type 'xxx": rechain(unknown)}
    chain = rechain(renumbered)
    second = json.loads(chain[2])
    second["seq"] = long
    body = {k: v for k, v in second.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    second["hash"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    texts["line 3: entry 'xxx"] = [*chain[:2], json.dumps(second, ensure_ascii=False)]
    for start, lines in texts.items():
        with pytest.raises(VerifyError) as err:
            verify_export("\n".join(lines), KEYS)
        assert str(err.value).startswith(start) and len(str(err.value)) < 200, str(err.value)[:300]
        file = tmp_path / "long.jsonl"
        file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = invoke(verifier_env(tmp_path, {"2031-01": PUBLIC}), "audit", "verify", str(file))
        assert result.exit_code == 1, result.stdout
        [line] = result.stderr.strip().splitlines()
        assert start in line and len(line) < 400, line[:500]


def test_an_export_signed_by_another_key_under_the_same_id_is_refused() -> None:
    impostor, _ = make_signer("2031-01")
    with pytest.raises(VerifyError, match="the signature does not hold for key '2031-01'"):
        verify_export("\n".join(export(signed_by=impostor)), KEYS)


def test_an_unknown_key_id_is_named(tmp_path: Path) -> None:
    other, _ = make_signer("2099-99")
    text = "\n".join(export(signed_by=other))
    with pytest.raises(UnknownKeyError, match="key id '2099-99', which is not a known public key"):
        verify_export(text, KEYS)
    file = tmp_path / "other.jsonl"
    file.write_text(text, encoding="utf-8")
    result = invoke(verifier_env(tmp_path, {"2031-01": PUBLIC}), "audit", "verify", str(file))
    assert result.exit_code == 1
    assert "okänd nyckel (unknown key id)" in result.stderr
    assert "'2099-99'" in result.stderr and "known: 2031-01" in result.stderr


def test_an_old_public_key_still_verifies_an_old_export(tmp_path: Path) -> None:
    old_signer, old_public = make_signer("2027-01")
    old = tmp_path / "revision-2027.jsonl"
    old.write_text("\n".join(export(signed_by=old_signer)), encoding="utf-8")
    new_private, new_public = new_key_pair()
    # The installation now signs with a new key; the old one is only listed as public.
    env = verifier_env(
        tmp_path,
        {"2027-01": old_public},
        LOV_AUDIT_SIGNING_KEY=new_private,
        LOV_AUDIT_SIGNING_KEY_ID="2031-01",
    )
    result = invoke(env, "audit", "verify", str(old))
    assert result.exit_code == 0, result.stderr
    assert "förseglad med nyckel 2027-01" in result.stdout
    # Without the old public key, the old export cannot be vouched for.
    dropped = cli_env(
        tmp_path, LOV_AUDIT_SIGNING_KEY=new_private, LOV_AUDIT_SIGNING_KEY_ID="2031-01"
    )
    refused = invoke(dropped, "audit", "verify", str(old))
    assert refused.exit_code == 1 and "'2027-01'" in refused.stderr


def test_a_line_with_duplicate_keys_is_refused(tmp_path: Path) -> None:
    lines = export()
    # A reader that keeps the first "actor" sees Bo Bluff; json.loads keeps the last, so the hash
    # (and the signature) still hold for Anna Admin.
    assert '"actor":"Anna Admin"' in lines[2]
    lines[2] = '{"actor":"Bo Bluff",' + lines[2][1:]
    with pytest.raises(VerifyError, match="line 3: duplicate key 'actor'"):
        verify_export("\n".join(lines), KEYS)
    file = tmp_path / "duplicate.jsonl"
    file.write_text("\n".join(lines), encoding="utf-8")
    result = invoke(verifier_env(tmp_path, {"2031-01": PUBLIC}), "audit", "verify", str(file))
    assert result.exit_code == 1 and "duplicate key 'actor'" in result.stderr


def test_an_unsealed_export_verifies_only_as_not_sealed(tmp_path: Path) -> None:
    unsealed = export(signed_by=None)
    assert json.loads(unsealed[0])["format"] == "lovflow-audit/1"
    assert verify_export("\n".join(unsealed), KEYS) == Verified(ORG, 5, None)
    # A sealed export stripped of its seal and recomputed as the old format is no better.
    stripped = parsed(export())
    stripped[0] = {k: v for k, v in stripped[0].items() if k != "key_id"} | {
        "format": "lovflow-audit/1"
    }
    stripped[-1] = {k: v for k, v in stripped[-1].items() if k not in ("key_id", "signature")}
    env = verifier_env(tmp_path, {"2031-01": PUBLIC})
    for name, lines in (("old", unsealed), ("stripped", rechain(change_an_actor(stripped)))):
        file = tmp_path / f"{name}.jsonl"
        file.write_text("\n".join(lines), encoding="utf-8")
        result = invoke(env, "audit", "verify", str(file))
        assert result.exit_code == 1, (name, result.stdout)
        assert "oförändrad" not in result.stdout
        assert "inte förseglad (not sealed)" in result.stderr

    # A sealed-format export whose seal lost its signature is refused as altered.
    no_signature = parsed(export())
    del no_signature[-1]["signature"]
    with pytest.raises(VerifyError, match="line 7: the seal has no signature"):
        verify_export("\n".join(rechain(no_signature)), KEYS)


def test_keygen_makes_a_key_pair_that_seals_and_verifies(tmp_path: Path) -> None:
    made = invoke(cli_env(tmp_path), "audit", "keygen", "--key-id", "2031-02")
    assert made.exit_code == 0, made.stderr
    values = dict(
        line.split("=", 1) for line in made.stdout.splitlines() if line.startswith("LOV_")
    )
    assert values["LOV_AUDIT_SIGNING_KEY_ID"] == "2031-02"
    settings = Settings(
        audit_signing_key=SecretStr(values["LOV_AUDIT_SIGNING_KEY"]),
        audit_signing_key_id="2031-02",
        audit_public_keys=json.loads(values["LOV_AUDIT_PUBLIC_KEYS"]),
    )
    # The private key is a secret: not in the redacted settings, not in a repr.
    private = values["LOV_AUDIT_SIGNING_KEY"]
    assert private not in json.dumps(settings.redacted()) and private not in repr(settings)
    assert private not in repr(signer(settings))
    lines = export_lines(ORG, entries(3), T0, signer=signer(settings))
    assert verify_export("\n".join(lines), public_keys(settings)).key_id == "2031-02"
    file = tmp_path / "export.jsonl"
    file.write_text("\n".join(lines), encoding="utf-8")
    env = cli_env(tmp_path, LOV_AUDIT_PUBLIC_KEYS=values["LOV_AUDIT_PUBLIC_KEYS"])
    assert invoke(env, "audit", "verify", str(file)).exit_code == 0

    # A second key pair is a different one.
    again = invoke(cli_env(tmp_path), "audit", "keygen", "--key-id", "2031-02")
    assert private not in again.stdout

    bad_id = invoke(cli_env(tmp_path), "audit", "keygen", "--key-id", "år 2031")
    assert bad_id.exit_code == 2 and bad_id.stderr.startswith("fel: --key-id:")
    misplaced = invoke(cli_env(tmp_path), "audit", ORG, "--key-id", "x")
    assert misplaced.exit_code == 2 and "--key-id:" in misplaced.stderr


def test_an_unusable_key_setting_is_bad_input_naming_it(tmp_path: Path) -> None:
    file = tmp_path / "export.jsonl"
    file.write_text("\n".join(export()), encoding="utf-8")
    broken = verifier_env(tmp_path, {"2031-01": "inte-base64!"})
    result = invoke(broken, "audit", "verify", str(file))
    assert result.exit_code == 2
    assert result.stderr.startswith("fel: LOV_AUDIT_PUBLIC_KEYS:")
    no_id = cli_env(tmp_path, LOV_AUDIT_SIGNING_KEY=new_key_pair()[0])
    result = invoke(no_id, "audit", ORG, "--json", "--records-only")
    assert result.exit_code == 2 and result.stderr.startswith("fel: LOV_AUDIT_SIGNING_KEY_ID:")


# --- stored values are shown as text -----------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","klicka")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped() -> None:
    rows = [
        TimelineEntry(
            at=T0, source="event", type="waived", actor=actor, key=f"k{i}", details={"n": 1}
        )
        for i, actor in enumerate(["Anna Admin", *FORMULAS])
    ]
    table = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert [r["actor"] for r in table] == ["Anna Admin", *(f"'{f}" for f in FORMULAS)]
    assert table[0]["type"] == "waived" and table[0]["summary"] == "waived (n=1)"


def test_the_timeline_prints_one_line_per_entry_and_csv_is_inert(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    forged_line = "\n2031-04-15 12:00 · annual-report 2031 · accepted · av Chefen"

    async def seed() -> None:
        # Records written before actors were checked may hold any text.
        await upgrade(url)
        async with open_store(url) as store:
            for i, actor in enumerate(["Anna Admin", f"Eve{forged_line}", '=HYPERLINK("x")']):
                await store.record_audit(
                    f"k{i}", T0 + timedelta(minutes=i), ORG, "obligation-x", "waived", actor, {}
                )

    asyncio.run(seed())
    env = cli_env(tmp_path, LOV_DATABASE_URL=url)
    text = invoke(env, "audit", ORG, "--records-only")
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.strip().splitlines()
    assert len(lines) == 3, lines
    assert lines[1].endswith(
        "av Eve\\n2031-04-15 12:00 · annual-report 2031 · accepted · av Chefen"
    )
    as_csv = invoke(env, "audit", ORG, "--csv", "--records-only")
    assert as_csv.exit_code == 0, as_csv.stderr
    actors = [r["actor"] for r in csv.DictReader(io.StringIO(as_csv.stdout))]
    assert actors == ["Anna Admin", f"Eve{forged_line}", '\'=HYPERLINK("x")']
