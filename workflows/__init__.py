"""Deterministic orchestration: one module per workflow type.

`ALL_WORKFLOWS` is loaded on first use (PEP 562) rather than at import: the workflow sandbox
re-imports a workflow's module, and with it this package, for every workflow instance it
creates, so an eager list here made each obligation or meeting start import all seven workflow
modules (measured in docs/PERFORMANCE.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    ALL_WORKFLOWS: list[type[Any]]


def _all_workflows() -> list[type[Any]]:
    from workflows.application import ApplicationWorkflow
    from workflows.contract import ContractWorkflow
    from workflows.finding import FindingWorkflow
    from workflows.meeting import MeetingWorkflow
    from workflows.municipal_duties import MunicipalDutiesWorkflow
    from workflows.obligation import ObligationWorkflow
    from workflows.placement import PlacementWorkflow
    from workflows.portal_link import PortalLinkMailWorkflow
    from workflows.recovery import RecoveryWorkflow
    from workflows.rotation import RotationWorkflow

    return [
        ApplicationWorkflow,
        ContractWorkflow,
        MeetingWorkflow,
        ObligationWorkflow,
        PlacementWorkflow,
        PortalLinkMailWorkflow,
        RecoveryWorkflow,
        RotationWorkflow,
        FindingWorkflow,
        MunicipalDutiesWorkflow,
    ]


def __getattr__(name: str) -> Any:
    if name == "ALL_WORKFLOWS":
        return _all_workflows()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
