"""Retiring a provider duty from a plan (issue 19) breaks no running contract: Nordanstig's
`self-inspection` is opened for 2031 under the plan as it was, the plan file is then replaced by
today's (the duty under `retired_obligations`), and the provider still submits the open
occurrence, which the application layer still checks and titles; the next year opens none."""

from __future__ import annotations

import shutil
from datetime import date, time
from pathlib import Path

from models.messages.obligation import DocumentRef, SubmitRequest
from models.runtime.settings import PROJECT_ROOT
from services import contracts, obligations
from tests.support.harness import PROVIDER, local, lovflow_stack

NORDANSTIG = PROJECT_ROOT / "plans" / "nordanstig.toml"


async def test_a_retired_duty_still_open_can_be_submitted(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    before = NORDANSTIG.read_text(encoding="utf-8").replace("retired_obligations", "obligations")
    (plans / "nordanstig.toml").write_text(before, encoding="utf-8")
    async with lovflow_stack(tmp_path, plans_dir=plans) as stack:
        await stack.sleep_until(local(date(2031, 1, 2), time(10, 0)))
        await stack.start_contract(date(2030, 1, 1), plan="nordanstig")
        await stack.sleep_until(local(date(2031, 3, 20), time(10, 0)))
        item = await obligations.obligation_status(
            stack.client, PROVIDER.org_nr, "self-inspection", "2031"
        )
        assert item.status.value == "open"

        shutil.copy(NORDANSTIG, plans / "nordanstig.toml")  # the plan as shipped now
        doc = DocumentRef(key="self-inspection-report", filename="e.pdf", sha256="a" * 64, size=9)
        routines = doc.model_copy(update={"key": "routines", "filename": "r.pdf"})
        submitted = await obligations.submit_checked(
            stack.client,
            PROVIDER.org_nr,
            "self-inspection",
            "2031",
            SubmitRequest(
                fields={"deviations": "3", "complaints": "1"},
                documents=[doc, routines],
                actor=PROVIDER.email,
            ),
            plans,
        )
        assert submitted.result.status.value == "submitted"
        # The receipt's copy still reaches the retired duty's recipient.
        assert "kvalitetsuppfoljning@nordanstig.example" in submitted.receipt_to("self-inspection")

        # The next follow-up year loads today's plan: no self-inspection, the contract runs on.
        await stack.sleep_until(local(date(2032, 1, 10), time(10, 0)))
        assert await stack.running(contracts.contract_ids(PROVIDER.org_nr)[0])
        status = await contracts.contract_status(stack.client, PROVIDER.org_nr)
        periods = {
            key: sorted(i.period for i in (*s.open, *s.overdue, *s.done))
            for key, s in status.obligations.items()
        }
        assert periods["self-inspection"] == ["2031"]  # done in 2031, none opened for 2032
        assert periods["customer-survey"] == ["2031"]
        assert "2032-H1" in periods["meeting-brief"]
