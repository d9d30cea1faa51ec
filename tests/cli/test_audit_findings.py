"""`lov audit ORGNR --records-only` with findings (brister): each step and decision is one line
naming the finding, the step in plain Swedish with its reason and amount, and who acted; the
follow-up year of a finding is the year it was registered in."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.records.db import upgrade
from tests.support.cli_runner import run_lov_on_records
from tests.support.compliance_records import SOLROS
from tests.support.finding_records import finding_id, seed_findings


async def test_finding_steps_read_as_plain_swedish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    await seed_findings(url)
    result = await run_lov_on_records(
        url, monkeypatch, "audit", SOLROS[0], "--year", "2027", "--records-only"
    )
    assert result.exit_code == 0, result.stderr
    second = f"Brist {finding_id(SOLROS[0], 2027, 2)}"
    lines = [line for line in result.stdout.splitlines() if second in line]
    assert [line.split(" · ", 1)[1] for line in lines] == [
        f"{second} · Brist: utföraren underrättad (läge: underrättad, kommunicering pågår) "
        "· av kerstin",
        f"{second} · Brist: åtgärdsplan begärd (läge: åtgärdsplan begärd) · av kerstin",
        f"{second} · Brist: åtgärdsplan inkommen (läge: åtgärdsplan inkommen, ska verifieras) "
        "· av kerstin",
        f"{second} · Brist: inte åtgärdad (läge: inte åtgärdad) · av kerstin",
        f"{second} · Brist: beslut om prisavdrag (läge: inte åtgärdad; skäl: Skäl för "
        "prisavdrag; belopp: 5 000,00 kr) · av bo",
        f"{second} · Brist: beslut om vite (läge: inte åtgärdad; skäl: Skäl för vite; "
        "belopp: 10 000,50 kr) · av bo",
    ]
    # Registered in 2026: not in 2027's trail.
    assert finding_id(SOLROS[0], 2026, 4) not in result.stdout
