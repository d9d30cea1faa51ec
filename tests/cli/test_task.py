"""`lov task list|done` in-process against a time-skipping stack: the list, a registration,
and bad input refused with exit 2 and one line naming the field, nothing stored."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest

from tests.support.cli_runner import cli_env, run_lov
from tests.support.harness import Stack, local, lovflow_stack
from tests.support.municipal import NORRSKOG, start, under_plan


def _env(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = cli_env(
        tmp_path,
        LOV_TEMPORAL_ADDRESS=stack.client.service_client.config.target_host,
        LOV_TEMPORAL_TASK_QUEUE=stack.settings.temporal_task_queue,
        LOV_DATABASE_URL=stack.settings.resolved_database_url,
        LOV_VAR_DIR=str(tmp_path),
    )
    for key in [k for k in env if k.startswith("LOV_")]:
        monkeypatch.setenv(key, env[key])


async def test_task_list_and_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await stack.sleep_until(local(date(2031, 1, 2), time(8, 0)))
        at = await stack.env.get_current_time()
        part = await under_plan(stack.store, NORRSKOG, "nordanstig", date(2030, 1, 1), at)
        await start(stack, "nordanstig")
        _env(stack, tmp_path, monkeypatch)
        visit = f"tillsynsbesok-2031-{part}"

        listed = await run_lov(None, "task", "list", "--plan", "nordanstig")
        assert listed.exit_code == 0, listed.stderr
        assert visit in listed.stdout and "Omsorg i Norr AB" in listed.stdout
        assert "Kvalitetsuppföljare/utredare" in listed.stdout
        as_json = await run_lov(None, "task", "list", "--role", "kvalitetsuppfoljare", "--json")
        assert [t["task_id"] for t in json.loads(as_json.stdout)] == [
            visit,
            "kundundersokning-2031",
        ]

        await stack.sleep_until(local(date(2031, 5, 20), time(12, 0)))
        report = tmp_path / "rapport.pdf"
        report.write_bytes(b"%PDF-1.4 rapport\n")
        args = ["task", "done", visit, "--by", "Margareta", "--result", "Besök genomfört"]
        bad = [
            ([*args, "--date", "2031-13-01"], "--date"),
            ([*args[:3], "--date", "2031-05-19", "--result", "x"], "--by"),
            (
                [*args, "--date", "2031-05-19", "--document", str(tmp_path / "nej.pdf")],
                "--document",
            ),
            (
                ["task", "done", "nej-2031", "--by", "M", "--result", "x", "--date", "2031-05-19"],
                "task",
            ),
            (["task", "list", "--mine"], "--role"),
        ]
        for argv, field in bad:
            refused = await run_lov(None, *argv)
            assert refused.exit_code == 2, (argv, refused.stdout, refused.stderr)
            assert refused.error_line().startswith(f"fel: {field}"), refused.stderr
        assert not [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]

        done = await run_lov(None, *args, "--date", "2031-05-19", "--document", str(report))
        assert done.exit_code == 0, done.stderr
        assert "i tid (on time)" in done.stdout
        again = await run_lov(None, *args, "--date", "2031-05-19")
        assert again.exit_code == 2 and "already done" in again.error_line()
        shown = await run_lov(None, "task", "list", "--plan", "nordanstig")
        assert "utförd i tid 2031-05-19" in shown.stdout
