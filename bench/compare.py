"""`python -m bench.compare BEFORE.json AFTER.json`: the summary figures of two runs side by
side, as the Markdown table docs/PERFORMANCE.md shows."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    result = json.loads(path.read_text(encoding="utf-8"))
    return {row["figure"]: row for row in result["summary"]}


def compare(before: Path, after: Path) -> str:
    old, new = _rows(before), _rows(after)
    lines = ["| figure | before | after | unit | target |", "|---|---:|---:|---|---|"]
    for figure in list(old) + [f for f in new if f not in old]:
        row = new.get(figure) or old[figure]
        was = old.get(figure, {}).get("value", "–")
        now = new.get(figure, {}).get("value", "–")
        lines.append(f"| {figure} | {was} | {now} | {row['unit']} | {row['target']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python -m bench.compare BEFORE.json AFTER.json", file=sys.stderr)
        sys.exit(2)
    print(compare(Path(sys.argv[1]), Path(sys.argv[2])))
