"""A contract started directly (`lov contract start`) welcomes the provider with the year's
duties, their dates and recipients, worded from the plan (issue 16, point 9)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from tests.support.harness import PROVIDER, local, lovflow_stack


async def test_a_contract_started_directly_welcomes_the_provider(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2027, 3, 1), time(10, 0)))
        await stack.start_contract(date(2027, 1, 1))
        await stack.sleep_until(local(date(2027, 3, 1), time(10, 5)))

        welcome = [m for m in stack.mail.messages if m["X-Lov-Kind"] == "welcome"]
        assert len(welcome) == 1
        assert str(welcome[0]["To"]) == PROVIDER.email
        assert str(welcome[0]["Subject"]) == "Välkommen som utförare: era redovisningar 2027"
        text = welcome[0].get_content()
        assert "Ert avtal gäller från 1 januari 2027" in text
        # Each duty by title and period, with its date and recipient; the årsredovisning names
        # the fiscal year it covers.
        assert (
            "  - Årsredovisning för räkenskapsåret 2026: senast 2 augusti 2027 till "
            "Förvaltningsekonom, forvaltningsekonom@sundsvall.example"
        ) in text
        assert "Egenkontroll – kvalitet och delaktighet i genomförandeplanen för perioden" in text
        assert "20 april 2027" in text
        assert "annual-accounts" not in text and "self-inspection" not in text
        assert "contract-" not in text
        assert "får ni en påminnelse om att det är försenat" in text
