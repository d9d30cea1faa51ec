"""The benchmark suite (bench/, `make bench`) keeps working: its quick mode runs and writes a
result file of the documented shape. Timings are not asserted; the figures live in
docs/PERFORMANCE.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main

pytestmark = pytest.mark.slow


def test_quick_bench_writes_the_result_file(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert main(["--quick", "--sections", "simulation,reporting", "--out", str(out)]) == 0

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["mode"] == "quick"
    assert result["machine"]["cpus"] >= 1 and result["machine"]["cpu_model"]
    assert set(result["sections"]) == {"simulation", "reporting"}

    sim = result["sections"]["simulation"]
    lov, base = sim["lovflow"], sim["baseline"]
    # One contract for one year: the run did real work, and the baseline copied its shape,
    # counted from both runs' histories (a share may round down by one).
    assert lov["contract_years"] == base["contract_years"] == 1
    assert lov["emails"] > 0 and lov["per_contract_year"]["activities"] > 0
    for figure in ("workflows", "activities", "signals"):
        mirrored = base["per_contract_year"]["runs" if figure == "workflows" else figure]
        assert abs(mirrored - lov["per_contract_year"][figure]) <= 1, figure
    assert lov["per_contract_year"]["signals"] > 0
    # Both topologies ran, lovflow and its baseline alike; the headline is the split one.
    assert sim["topology"] == "split"
    assert set(sim["topologies"]) == {"split", "single"}
    assert sim["ratio_to_baseline"] == sim["topologies"]["split"]["ratio_to_baseline"] > 0
    assert sim["topologies"]["single"]["ratio_to_baseline"] > 0
    assert lov["obligation_histories"]["count"] > 0

    sqlite = result["sections"]["reporting"]["sqlite"]
    assert sqlite["matrix_providers"] == sqlite["cli_report_providers"] == 5
    assert sqlite["rows"]["obligation_occurrences"] > 0
    pg = result["sections"]["reporting"]["postgresql"]
    assert "skipped" in pg or pg["cli_report_providers"] == 5

    figures = {row["figure"] for row in result["summary"]}
    assert "simulation: ratio to baseline" in figures
    assert "report compliance, SQLite (CLI)" in figures
