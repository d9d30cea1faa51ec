"""Whether a per-provider municipal task still has its provider (pure; runs in workflow code).

A task at a provider whose contract ended before the task's due date, whose contract starts only
after it, or who has no contract under the plan any more, is not done: it is cancelled."""

from __future__ import annotations

from models.messages.municipal import ActiveProvider, MunicipalTask


def gone_reason(task: MunicipalTask, providers: list[ActiveProvider]) -> str | None:
    """Why `task` no longer has its provider ("ended", "not-started", "no-contract"), or None
    if it has one (or is the municipality's own, or is done)."""
    if task.scope != "provider" or task.org_nr is None or task.completion is not None:
        return None
    found = [p for p in providers if p.org_nr == task.org_nr]
    if not found:
        return "no-contract"
    provider = found[0]
    if provider.end_date is not None and provider.end_date < task.due:
        return "ended"
    if provider.contract_start > task.due:
        return "not-started"
    return None


__all__ = ["gone_reason"]
