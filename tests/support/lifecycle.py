"""The T1 report submission the contract lifecycle tests and the recorded histories send."""

from __future__ import annotations

from models.messages.obligation import (
    DocumentRef,
    SubmitRequest,
)

T1_FIELDS = {
    "customers": 40,
    "current_care_plans": 38,
    "customer_participation": 35,
    "plans_within_14_days": 36,
}


def t1_submission(actor: str = "anna.admin") -> SubmitRequest:
    doc = DocumentRef(
        key="self-inspection-report", filename="egenkontroll.pdf", sha256="a" * 64, size=10
    )
    return SubmitRequest(fields=T1_FIELDS, documents=[doc], actor=actor)
