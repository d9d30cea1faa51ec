"""The input limits and the records database agree, on SQLite and on PostgreSQL (issue 15, 3).

The longest actor the rule accepts is stored by the activities' store methods; on PostgreSQL
one character more is refused by the database itself ("value too long"), which is what made
`record_review` fail and retry for ever before the validators knew the column's length.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.domain.inputs import check_actor
from models.domain.limits import KEY_LEN
from models.records.store import RecordStore

AT = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)


async def test_the_longest_accepted_actor_is_stored(store: RecordStore, db_url: str) -> None:
    longest = check_actor("å" * KEY_LEN)  # characters, not bytes: å is two bytes in UTF-8
    assert await store.record_review("r-1", "obligation-x", "waived", "x", None, longest, AT)
    assert await store.record_audit("a-1", AT, None, "obligation-x", "waived", longest, {})
    (review,) = await store.list_reviews("obligation-x")
    assert review.actor == longest
    with pytest.raises(ValueError, match=f"högst {KEY_LEN} tecken"):
        check_actor(longest + "å")
    if db_url.startswith("postgresql"):
        # The column is where the number comes from: PostgreSQL refuses one more.
        with pytest.raises(Exception, match="too long"):
            await store.record_review("r-2", "obligation-x", "waived", "x", None, longest + "å", AT)
