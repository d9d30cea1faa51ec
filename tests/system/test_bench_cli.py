"""The benchmark's CLI section (bench/cli.py) runs: it times `lov contract status` (and `lov
provider show`, `lov due --month` once they exist) against `python -c "import temporalio.client"`
in the same run, and reports each ratio, each command run by itself and handed to `lov
resident`. Timings are not asserted (docs/PERFORMANCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main

pytestmark = pytest.mark.slow


def test_quick_cli_section_reports_each_command_against_the_floor(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert main(["--quick", "--sections", "cli", "--out", str(out)]) == 0

    result = json.loads(out.read_text(encoding="utf-8"))
    cli = result["sections"]["cli"]
    assert "error" not in cli, cli.get("error")
    assert cli["floor_command"] == 'python -c "import temporalio.client"'
    assert cli["floor_seconds"] > 0 and len(cli["floor_runs"]) == cli["repeat"] >= 1
    assert cli["floor_cpu_seconds"] > 0

    commands = cli["commands"]
    assert set(commands) == {
        "lov provider show ORGNR",
        "lov due --month YYYY-MM",
        "lov contract status ORGNR",
    }
    status = commands["lov contract status ORGNR"]
    # The command ran against the running contract and succeeded: a real figure, not an error.
    assert status["available"] and "error" not in status, status
    assert status["seconds"] > 0 and status["cpu_seconds"] > 0
    # (Computed before the figures were rounded to milliseconds.)
    assert abs(status["ratio_to_floor"] - status["seconds"] / cli["floor_seconds"]) < 0.02
    for name, figure in commands.items():
        if figure["available"]:
            assert "error" not in figure and figure["seconds"] > 0, (name, figure)
        else:
            assert figure["ratio_to_floor"] == "not available yet"

    rows = {row["figure"]: row for row in result["summary"]}
    assert rows["CLI floor: import temporalio.client"]["value"] == cli["floor_seconds"]
    ratio = rows["lov contract status ORGNR, ratio to floor"]
    assert ratio["value"] == status["ratio_to_floor"] and ratio["target"] == "<= 1.3"

    # The same commands handed to a resident CLI process (`lov resident`): each succeeded.
    resident = cli["resident"]["commands"]
    assert set(resident) == set(commands)
    for name, figure in resident.items():
        assert figure["available"] and "error" not in figure and figure["seconds"] > 0, name
    via = rows["lov contract status ORGNR via lov resident, ratio to floor"]
    assert via["value"] == resident["lov contract status ORGNR"]["ratio_to_floor"]
