"""Replay exported workflow histories against this checkout's workflow code.

    python deploy/replay_histories.py HISTORY.json|DIRECTORY ...

Each file is one history as `temporal workflow show --workflow-id ID --output json` writes it.
Exit 0 when every history replays, 1 when any does not (one line per failure: the file and the
nondeterminism Temporal reported), 2 when no history was given or found. Run it before every
deployment of changed workflow code (docs/DEPLOYMENT.md, "Upgrading workflow code").
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from temporalio.client import WorkflowHistory  # noqa: E402
from temporalio.worker import Replayer  # noqa: E402

from models.runtime.settings import get_settings  # noqa: E402
from models.runtime.temporal import data_converter  # noqa: E402
from workflows import ALL_WORKFLOWS  # noqa: E402


def history_files(arguments: list[str]) -> list[Path]:
    files: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return files


async def replay(files: list[Path]) -> list[str]:
    """One message per history that failed to replay."""
    # Histories written with encryption on replay with the same keys (LOV_CODEC_KEYS).
    replayer = Replayer(
        workflows=list(ALL_WORKFLOWS), data_converter=data_converter(get_settings())
    )
    failures: list[str] = []
    for path in files:
        try:
            history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
            result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        except Exception as exc:  # noqa: BLE001 - unreadable file: report it like a failure
            failures.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        if result.replay_failure is not None:
            first = str(result.replay_failure).strip().splitlines() or ["(no message)"]
            failures.append(f"{path}: {first[0]}")
    return failures


def main(argv: list[str]) -> int:
    files = history_files(argv)
    if not files:
        print("replay_histories: inga historiker (no history files given)", file=sys.stderr)
        return 2
    failures = asyncio.run(replay(files))
    for line in failures:
        print(line, file=sys.stderr)
    print(f"{len(files) - len(failures)} of {len(files)} histories replay")
    return 1 if failures else 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: the SDK's Rust threads may still hold Python thread states after a replay
    # that failed, and interpreter finalisation then aborts (SIGABRT, "PyGILState_Release …
    # must be current") instead of exiting with the code a CI pipeline checks.
    os._exit(code)
