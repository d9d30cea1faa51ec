"""The archivable audit export: a hash chain that `lov audit verify` checks line by line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.audit import TimelineEntry, VerifyError, export_lines, ordered, verify_export
from starter.cli import app

T0 = datetime(2031, 4, 15, 8, 0, tzinfo=UTC)


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


def export(n: int = 5) -> list[str]:
    return export_lines("556036-0793", entries(n), T0, date(2031, 1, 1), date(2031, 12, 31))


def test_an_untouched_export_verifies() -> None:
    lines = export()
    assert len(lines) == 7  # header, five entries, seal
    assert verify_export("\n".join(lines) + "\n") == ("556036-0793", 5)
    header, first = json.loads(lines[0]), json.loads(lines[1])
    assert header["line"] == "header" and first["prev"] == header["hash"]
    assert first["actor"] == "system" and first["seq"] == 1


def test_an_empty_timeline_still_has_header_and_seal() -> None:
    assert verify_export("\n".join(export(0))) == ("556036-0793", 0)


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
        verify_export("\n".join(lines))


def test_an_edit_with_a_recomputed_hash_still_breaks_the_chain() -> None:
    import hashlib

    lines = [json.loads(line) for line in export()]
    forged = {k: v for k, v in lines[2].items() if k != "hash"} | {"actor": "Bo Bluff"}
    canonical = json.dumps(forged, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    forged["hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    text = [json.dumps(x) for x in lines]
    text[2] = json.dumps(forged)
    with pytest.raises(VerifyError, match="line 4: does not follow line 3"):
        verify_export("\n".join(text))


def test_lov_audit_verify_command(tmp_path: Path) -> None:
    good = tmp_path / "export.jsonl"
    good.write_text("\n".join(export()) + "\n", encoding="utf-8")
    ok = CliRunner().invoke(app, ["audit", "verify", str(good)])
    assert ok.exit_code == 0, ok.stderr
    assert "oförändrad (intact): 556036-0793, 5 poster" in ok.stdout

    bad = tmp_path / "edited.jsonl"
    lines = export()
    bad.write_text("\n".join([*lines[:1], *lines[2:]]), encoding="utf-8")
    refused = CliRunner().invoke(app, ["audit", "verify", str(bad)])
    assert refused.exit_code == 1
    assert "line 2: does not follow line 1" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    missing = CliRunner().invoke(app, ["audit", "verify", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "FIL: kan inte läsa" in missing.stderr
    no_file = CliRunner().invoke(app, ["audit", "verify"])
    assert no_file.exit_code == 2 and "FIL:" in no_file.stderr
