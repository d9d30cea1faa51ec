"""Activities start and call workflows by their type and Update names, never by importing the
workflow classes (tests/system/test_layers.py): the names they use are the workflows' own."""

from __future__ import annotations

from temporalio import workflow

from activities import opening, placement
from workflows.meeting import MeetingWorkflow
from workflows.obligation import ObligationWorkflow
from workflows.rotation import RotationWorkflow


def _definition(cls: type) -> workflow._Definition:
    return workflow._Definition.must_from_class(cls)


def test_the_workflow_type_names_are_the_workflows_own() -> None:
    assert opening.OBLIGATION_WORKFLOW == _definition(ObligationWorkflow).name
    assert opening.MEETING_WORKFLOW == _definition(MeetingWorkflow).name
    assert placement.ROTATION_WORKFLOW == _definition(RotationWorkflow).name


def test_the_assign_update_is_the_rotations_own() -> None:
    assert placement.ASSIGN_UPDATE in _definition(RotationWorkflow).updates
