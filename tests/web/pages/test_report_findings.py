"""The desk's compliance page shows the findings (brister) of the year per provider, from the
same service data as `lov report compliance` (the CSV's finding columns and cells), and serves
the CLI's own files with them."""

from __future__ import annotations

import json
from pathlib import Path

from models.runtime.settings import Settings
from tests.support.compliance_records import (
    AS_OF,
    HYGGE,
    NORRSKOG,
    PLANS_DIR,
    SOLROS,
    YEAR,
    seed_compliance_year,
)
from tests.support.desk import add_accounts, desk_client, log_in
from tests.support.finding_records import finding_id, seed_findings

QUERY = {"year": str(YEAR), "as_of": AS_OF.isoformat()}


async def test_the_compliance_page_shows_the_findings_per_provider(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_compliance_year(url)
    await seed_findings(url)
    await add_accounts(url, "auditor")
    settings = Settings(database_url=url, plans_dir=PLANS_DIR, var_dir=tmp_path / "var")
    async with desk_client(settings) as client:
        await log_in(client, "auditor")
        page = (await client.get("/reports", params=QUERY)).text
        assert '<h2 id="findings">Brister</h2>' in page
        assert (
            f'<tr data-org-nr="{SOLROS[0]}"><th scope="row">{SOLROS[1]}</th><td>3</td><td>1</td>'
            "<td>2</td><td>2</td><td>15 000,50</td>"
            "<td>åtgärdsplan begärd 1, inte åtgärdad 1</td></tr>"
        ) in page
        assert f'<tr data-org-nr="{NORRSKOG[0]}"><th scope="row">' in page
        # Only providers with findings in the year have a row there.
        findings_table = page.split('<table class="findings">', 1)[1]
        assert HYGGE[0] not in findings_table
        document = json.loads((await client.get("/reports/compliance.json", params=QUERY)).text)
        assert document["finding_totals"]["sanctioned_amount"] == "15000.50"
        csv_text = (await client.get("/reports/compliance.csv", params=QUERY)).text
        # The auditor's timeline names each step in words, the finding it concerns, the
        # reason and the amount.
        ref = SOLROS[0].replace("-", "")
        timeline = (await client.get(f"/reports/timeline/{ref}", params={"year": "2027"})).text
        for text in (
            "Brist: beslut om vite",
            f"Brist {finding_id(SOLROS[0], 2027, 2)}",
            "Skäl för vite",
            "10 000,50 kr",
            "Brist: åtgärdad",
        ):
            assert text in timeline, text
        assert finding_id(SOLROS[0], 2026, 4) not in timeline
        assert '"Öppna brister, läge","Kommunens uppgifter' in csv_text.splitlines()[0]
