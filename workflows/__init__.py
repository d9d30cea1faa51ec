"""Deterministic orchestration: one module per workflow type."""

from __future__ import annotations

from typing import Any

from workflows.application import ApplicationWorkflow
from workflows.contract import ContractWorkflow
from workflows.meeting import MeetingWorkflow
from workflows.obligation import ObligationWorkflow
from workflows.placement import PlacementWorkflow
from workflows.recovery import RecoveryWorkflow
from workflows.rotation import RotationWorkflow

ALL_WORKFLOWS: list[type[Any]] = [
    ApplicationWorkflow,
    ContractWorkflow,
    MeetingWorkflow,
    ObligationWorkflow,
    PlacementWorkflow,
    RecoveryWorkflow,
    RotationWorkflow,
]
