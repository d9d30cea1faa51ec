"""Records the workflow histories that tests/test_replay.py replays.

Run `python -m tests.record_histories` after a deliberate, patched change to workflow code;
never to make a failing replay test pass.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import date
from pathlib import Path

from models.messages import ExtendRequest, ReviewRequest, TerminateRequest
from starter import actions
from tests.harness import PROVIDER, local, lovflow_stack, run_histories
from tests.test_lifecycle import t1_submission

HISTORIES = Path(__file__).parent / "histories"
ORG = PROVIDER.org_nr


async def record() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with lovflow_stack(Path(tmp)) as stack:
            await stack.sleep_until(local(date(2031, 1, 1)))
            await stack.start_contract(date(2030, 1, 1))
            await stack.sleep_until(local(date(2031, 4, 15)))
            await actions.submit(stack.client, ORG, "self-inspection", "2031-T1", t1_submission())
            await actions.review(
                stack.client,
                ORG,
                "self-inspection",
                "2031-T1",
                ReviewRequest(
                    outcome="request-completion",
                    note="Analys saknas",
                    new_due=date(2031, 5, 15),
                    actor="anna",
                ),
            )
            await stack.sleep_until(local(date(2031, 5, 20)))
            await actions.submit(stack.client, ORG, "self-inspection", "2031-T1", t1_submission())
            await actions.review(
                stack.client,
                ORG,
                "self-inspection",
                "2031-T1",
                ReviewRequest(outcome="accept", actor="anna"),
            )
            await actions.extend(
                stack.client,
                ORG,
                "annual-accounts",
                "2031",
                ExtendRequest(new_due=date(2031, 9, 1), reason="Revisor sjuk", actor="anna"),
            )
            await stack.sleep_until(local(date(2031, 12, 15)))
            await actions.terminate(
                stack.client,
                ORG,
                TerminateRequest(
                    end_date=date(2032, 3, 31), kind="uppsagning", reason="Avslut", actor="anna"
                ),
            )
            await stack.sleep_until(local(date(2032, 4, 5)))
            contract_runs = await run_histories(stack.client, "contract-5560360793")
            obligations = {
                "obligation-t1": "obligation-5560360793-self-inspection-2031-T1",
                "obligation-extended": "obligation-5560360793-annual-accounts-2031",
                "obligation-cancelled": "obligation-5560360793-self-inspection-2032-T2",
            }
            HISTORIES.mkdir(exist_ok=True)
            for i, history in enumerate(contract_runs):
                (HISTORIES / f"contract-run-{i + 1}.json").write_text(history.to_json())
            for name, wid in obligations.items():
                history = await stack.client.get_workflow_handle(wid).fetch_history()
                (HISTORIES / f"{name}.json").write_text(history.to_json())
            print(json.dumps(sorted(p.name for p in HISTORIES.glob("*.json"))))


if __name__ == "__main__":
    asyncio.run(record())
