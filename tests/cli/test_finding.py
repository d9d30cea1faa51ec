"""`lov finding …` against the real dev server, a real worker, SQLite and a real SMTP server.

Uses the `finding_lov` fixture of tests/support/finding_cli.py (the small test plan with a
`[findings]` section). Each refusal exits 2 with one line on stderr naming the field, and
nothing is started, written or sent: a sanction before the kommunicering is done, a decision
without a reason, an amount that is not a positive sum in kronor, an åtgärdsplan for a closed
finding.
"""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage

from models.records.db import make_engine, make_session_factory
from models.records.store import RecordStore
from tests.support.cli_runner import Result, run_lov
from tests.support.contract_cli import Lov
from tests.support.helpers import eventually, random_org_nr
from tests.support.plans import local_today


async def finding_cli(lov: Lov, *args: str) -> Result:
    return await run_lov(lov.env, "finding", *args)


def _mails(lov: Lov, workflow_id: str) -> list[EmailMessage]:
    return [m for m in lov.smtp.messages if m["X-Lov-Workflow"] == workflow_id]


async def _refused(lov: Lov, starts: str, *args: str) -> None:
    result = await finding_cli(lov, *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.error_line().startswith(f"fel: {starts}"), result.stderr


async def test_register_refusals_decide_close_and_list(finding_lov: Lov) -> None:
    lov = finding_lov
    org = random_org_nr()
    await lov.start(org)
    digits = org.replace("-", "")
    base = ["register", org, "--what", "Genomförandeplaner saknas", "--actor", "Kerstin"]

    # A requirement the plan does not name, a bad severity: refused, nothing started.
    await _refused(lov, "requirement: not a requirement of the plan", *base, "--requirement", "x")
    await _refused(lov, "severity:", *base, "--requirement", "care-plans", "--severity", "svår")
    listed = await finding_cli(lov, "list", "--org-nr", org, "--json")
    assert listed.exit_code == 0 and listed.stdout.strip() in ("", "[]"), listed.stdout

    registered = await finding_cli(
        lov, *base, "--requirement", "care-plans", "--source", "visit", "--severity", "high"
    )
    assert registered.exit_code == 0, registered.stderr
    finding_id = registered.stdout.split(": ")[1].split(" ")[0]
    assert finding_id.startswith(f"{digits}-") and finding_id.endswith("-001")
    wid = f"finding-{finding_id}"

    # The notice asks the provider to respond: the provider's message carries its portal
    # link, the administrator gets a copy without it.
    async def noticed() -> None:
        assert [m["X-Lov-Kind"] for m in _mails(lov, wid)] == ["finding-notice"] * 2

    await eventually(noticed)
    notice = _mails(lov, wid)[0]
    assert "Genomförandeplan inom två veckor" in str(notice["Subject"])

    # Refused, each with one line naming the field; nothing recorded, nothing sent.
    await _refused(
        lov, "response_due: the provider may respond until", "decide", finding_id,
        "--kind", "vite", "--reason", "Inget svar", "--actor", "Bo",
    )  # fmt: skip
    await _refused(lov, "--reason: krävs", "decide", finding_id, "--kind", "påpekande")
    for amount, text in (
        ("-5", "--amount: must be a positive sum"),
        ("0", "--amount: must be a positive sum"),
        ("10,005", "--amount: at most two decimals"),
        ("tio", "--amount: inte ett tal"),
    ):
        await _refused(
            lov, text, "decide", finding_id, "--kind", "vite", "--amount", amount,
            "--reason", "Sen plan",
        )  # fmt: skip
    await _refused(
        lov, "amount: a pafpekande has no amount", "decide", finding_id,
        "--kind", "påpekande", "--amount", "100", "--reason", "x",
    )  # fmt: skip
    await _refused(lov, "kind:", "decide", finding_id, "--kind", "böter", "--reason", "x")
    too_soon = (local_today() + timedelta(days=3)).isoformat()
    await _refused(lov, "due: the plan allows", "action-plan", finding_id, "--due", too_soon)
    await _refused(lov, "status: no åtgärdsplan to verify", "verify", finding_id, "--remedied")

    engine = make_engine(lov.env["LOV_DATABASE_URL"])
    try:
        store = RecordStore(make_session_factory(engine))
        assert await store.list_finding_decisions(finding_id) == []
        assert [s.step for s in await store.list_finding_steps(finding_id)] == ["noticed"]
    finally:
        await engine.dispose()
    assert len(_mails(lov, wid)) == 2

    # After the provider's response the kommunicering is done: a påpekande is decided.
    responded = await finding_cli(
        lov, "respond", finding_id, "--comment", "Vi ser över rutinen", "--actor", "Anna"
    )
    assert responded.exit_code == 0, responded.stderr
    decided = await finding_cli(
        lov, "decide", finding_id, "--kind", "påpekande", "--reason", "Planer saknas", "--actor",
        "Bo",
    )  # fmt: skip
    assert decided.exit_code == 0, decided.stderr
    assert "Påpekande" in decided.stdout
    closed = await finding_cli(
        lov, "close", finding_id, "--reason", "Följs upp vid nästa besök", "--actor", "Anna"
    )
    assert closed.exit_code == 0, closed.stderr

    async def all_sent() -> None:
        kinds = [m["X-Lov-Kind"] for m in _mails(lov, wid)]
        assert kinds == ["finding-notice"] * 2 + ["finding-decision", "finding-closed"], kinds

    await eventually(all_sent)
    # An åtgärdsplan for a closed finding: refused, nothing sent.
    later = (local_today() + timedelta(days=20)).isoformat()
    await _refused(lov, "status:", "action-plan", finding_id, "--due", later)
    await _refused(lov, "status:", "action-plan", finding_id, "--submit", "Plan")
    assert len(_mails(lov, wid)) == 4

    async def listed_closed() -> list[dict[str, object]]:
        result = await finding_cli(lov, "list", "--org-nr", org, "--json")
        assert result.exit_code == 0, result.stderr
        rows: list[dict[str, object]] = json.loads(result.stdout)
        assert [r["state"] for r in rows] == ["closed"], rows
        return rows

    (row,) = await eventually(listed_closed)
    assert (row["finding_id"], row["requirement"], row["last_decision"]) == (
        finding_id,
        "care-plans",
        "pafpekande",
    )
    table = await finding_cli(lov, "list", "--org-nr", org)
    assert table.exit_code == 0, table.stderr
    (line,) = [x for x in table.stdout.splitlines() if x.startswith(finding_id)]
    assert "avslutad" in line and "care-plans" in line and "pafpekande" in line, line
    shown = await finding_cli(lov, "show", finding_id)
    assert shown.exit_code == 0, shown.stderr
    for text in ("avslutad", "Beslut: Påpekande – Planer saknas (Bo)", "decision-pafpekande (Bo)"):
        assert text in shown.stdout, shown.stdout
    # `lov audit`: the finding's steps in words, checked against its history (the dev server's
    # visibility lists the finding workflow for the provider).
    audited = await run_lov(lov.env, "audit", org)
    assert audited.exit_code == 0, (audited.stdout, audited.stderr)
    assert "Register och historik stämmer överens" in audited.stdout, audited.stdout
    assert (
        f"Brist {finding_id} · Brist: beslut om påpekande (läge: utföraren har svarat; "
        "skäl: Planer saknas) · av Bo"
    ) in audited.stdout, audited.stdout


async def test_a_review_accepts_with_findings(finding_lov: Lov) -> None:
    lov = finding_lov
    org = random_org_nr()
    await lov.start(org)
    submitted = await lov.cli(*lov.submit_args(org))
    assert submitted.exit_code == 0, submitted.stderr
    review = ["review", org, "annual-report", lov.year, "--actor", "Anna"]

    # A finding the plan does not know, or findings without --accept: nothing changes.
    for extra, starts in (
        (["--accept", "--finding", "care-plans: Saknas", "--finding", "ivo: x"], "--finding 2:"),
        (["--accept", "--finding", "bara text"], "--finding 1: write KRAV: what was found"),
        (["--request-completion", "--new-due", "2099-01-01", "--note", "x", "--finding", "a: b"],
         "--finding: gäller bara --accept"),
    ):  # fmt: skip
        result = await lov.cli(*review, *extra)
        assert result.exit_code == 2, (result.stdout, result.stderr)
        assert result.error_line().startswith(f"fel: {starts}"), result.stderr
    assert (await lov.item(org, "annual-report")).status == "submitted"

    accepted = await lov.cli(
        *review,
        "--accept",
        "--finding",
        "care-plans: Två kunder saknar genomförandeplan",
        "--finding",
        "sol-quality: Avvikelser analyseras inte",
    )
    assert accepted.exit_code == 0, accepted.stderr
    assert "Godkänt med brister" in accepted.stdout
    ids = [line.split(": ")[1].split(" ")[0] for line in accepted.stdout.splitlines()[1:]]
    assert [i[-3:] for i in ids] == ["001", "002"], accepted.stdout
    assert (await lov.item(org, "annual-report")).status == "accepted"

    async def noticed() -> None:
        for finding_id in ids:
            kinds = [m["X-Lov-Kind"] for m in _mails(lov, f"finding-{finding_id}")]
            assert kinds == ["finding-notice"] * 2, kinds

    await eventually(noticed)
    shown = await finding_cli(lov, "show", ids[1], "--json")
    status = json.loads(shown.stdout)
    assert (status["source"], status["requirement"], status["evidence"]) == (
        "review",
        "sol-quality",
        f"Årlig redovisning {lov.year}",
    )
