"""Helpers for update validators: a rejected update never reaches history, and validators do
not run on replay, so checks may be added here without a patch."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from models.domain.inputs import check_request
    from models.domain.orgnr import OrgNrError, normalize_org_nr


def require(condition: bool, message: str) -> None:
    """Validator helper: rejected updates never reach history."""
    if not condition:
        raise ValueError(message)


def require_text(value: str, name: str) -> None:
    require(bool(value and value.strip()), f"{name}: must not be empty")


def require_valid(request: BaseModel) -> None:
    """Validator helper: the request's marked fields (actor, dates, links, short texts) follow
    models.domain.inputs, so an accepted Update always fits the records and the calendar."""
    check_request(request)


def require_org_nr(value: str, name: str) -> None:
    """Validator helper: `value` is an org nr written as the CLI writes it (NNNNNN-NNNN).

    Checked before anything else about it, so a later message that quotes the value quotes an
    org nr, never arbitrary text (validators do not run on replay: adding checks needs no patch).
    """
    try:
        normalized = normalize_org_nr(value)
    except OrgNrError as err:
        raise ValueError(f"{name}: {err}") from None
    require(normalized == value, f"{name}: write the org nr as {normalized}")
