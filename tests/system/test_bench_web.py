"""The benchmark's web section (bench/web.py, `python -m bench --sections web`) runs on a tiny
dataset and writes its figures: each page fetched, answered 200 and timed, on SQLite (and on
PostgreSQL where it runs). Timings are not asserted; the figures live in docs/PERFORMANCE.md."""

from __future__ import annotations

import json
from pathlib import Path

from bench.__main__ import main


def test_the_web_section_measures_the_three_pages(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert main(["--quick", "--sections", "web", "--out", str(out)]) == 0

    web = json.loads(out.read_text(encoding="utf-8"))["sections"]["web"]
    assert "error" not in web, web.get("error")
    databases = [web["sqlite"]] + ([] if "skipped" in web["postgresql"] else [web["postgresql"]])
    for measured in databases:
        assert measured["rows"]["obligation_occurrences"] > 0
        pages = measured["pages"]
        assert set(pages) == {"start", "provider", "compliance"}
        for page in pages.values():
            assert page["samples"] == 3 and page["bytes"] > 1000
            assert 0 < page["p50_ms"] <= page["p95_ms"] <= page["max_ms"]
            assert page["cpu_p95_ms"] > 0
    figures = {row["figure"] for row in json.loads(out.read_text())["summary"]}
    assert "web compliance page, SQLite, p95" in figures
