"""Replays stored histories against today's workflow code: a change that would break running
contracts or obligations fails here (guard such changes with `workflow.patched()`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows import ALL_WORKFLOWS

HISTORIES = sorted((Path(__file__).parent.parent / "histories").glob("*.json"))


def test_histories_cover_every_workflow_type() -> None:
    types = {
        WorkflowHistory.from_json("x", p.read_text())
        .events[0]
        .workflow_execution_started_event_attributes.workflow_type.name
        for p in HISTORIES
    }
    assert types == {w.__name__ for w in ALL_WORKFLOWS}


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_replay(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=ALL_WORKFLOWS, data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
