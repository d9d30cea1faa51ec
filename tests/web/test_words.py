"""Every state the records can hold has a Swedish word on the desk."""

from __future__ import annotations

from models.messages.meeting import MeetingState
from models.messages.obligation import ObligationState
from models.messages.recovery import RecoveryState
from models.records.tables import CONTRACT_STATUSES, REVIEW_OUTCOMES, USER_ROLES
from web import words


def test_each_state_has_its_swedish_word() -> None:
    assert set(words.STATE_SV) == {s.value for s in ObligationState}
    assert set(words.MEETING_SV) == {s.value for s in MeetingState}
    assert set(words.RECOVERY_SV) == {s.value for s in RecoveryState}
    assert set(words.REVIEW_SV) == set(REVIEW_OUTCOMES)
    assert set(CONTRACT_STATUSES) <= set(words.CONTRACT_SV)
    assert {words.role(r) for r in USER_ROLES} == {
        "administratör",
        "chef",
        "revisor",
        "handläggare",
    }
