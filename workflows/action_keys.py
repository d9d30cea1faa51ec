"""Idempotency keys of administrator actions (the unique-action-keys patch).

An action (an Update) takes the numbers in its keys when it starts, before its first await, so
two actions in flight together never share an idempotency key and never lose a record or an
e-mail to the other's key. Runs from before the patch keep computing their keys as they did.
"""

from __future__ import annotations

from temporalio import workflow

# workflow.patched() id, shared by the obligation, application, meeting and contract workflows.
UNIQUE_KEYS_PATCH = "unique-action-keys"


class ActionNumbers:
    """Numbers administrator actions as they start: workflow state like any other, numbered
    again in the same order on replay."""

    def __init__(self) -> None:
        self._count = 0

    def start(self) -> int | None:
        """The number of the action now starting, or None in runs from before the patch. Called
        first thing in each handler, before any await, so the numbers follow the order the
        handlers start and patched() is asked at the same point of every replay."""
        if not workflow.patched(UNIQUE_KEYS_PATCH):
            return None
        self._count += 1
        return self._count
