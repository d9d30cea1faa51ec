"""Deterministic orchestration: one module per workflow type."""

from __future__ import annotations

from typing import Any

from workflows.contract import ContractWorkflow
from workflows.obligation import ObligationWorkflow

ALL_WORKFLOWS: list[type[Any]] = [ContractWorkflow, ObligationWorkflow]
