"""The keyed-write base of the record stores, and the checks they share.

`RecordStore`: the idempotent write and read API of the records database, used by activities.

Temporal retries activities, so every write here may run twice (or concurrently, when a timed-out
attempt is still running). Each write is therefore keyed, by an idempotency key or a natural key,
and the database's unique constraint is the arbiter: the insert runs in its own transaction, and
an `IntegrityError` followed by finding the row under that key means "already written". This
works the same on SQLite and PostgreSQL, with no dialect-specific upsert syntax.

Business timestamps (`at`) come from the caller, i.e. workflow time, so a simulated year records
simulated dates and a retry records the same time as the first attempt.

Reads return frozen dataclass snapshots, never live ORM objects, so callers cannot lazy-load
through a closed session or write by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from models.records.access import CoreAccess
from models.records.tables import (
    Base,
)

# A Swedish organisationsnummer or a Danish CVR-nummer, as models.domain.orgnr writes them.
_ORG_NR = re.compile(r"[0-9]{6}-[0-9]{4}|[0-9]{8}")


_DOCUMENT_KEYS = frozenset({"name", "path", "sha256", "size"})


_LINE_KEYS = ("period", "customer_ref", "hours_billed", "hours_approved", "hourly_rate", "amount")


# An SMTP error can be long (a whole transcript); the outbox keeps enough to diagnose.
_MAX_ERROR_CHARS = 2000


class RecordNotFound(LookupError):
    """An update addressed a row that was never recorded."""


def _org_nr(value: str) -> str:
    if not _ORG_NR.fullmatch(value):
        raise ValueError(
            f"organisationsnummer {value!r} ska skrivas NNNNNN-NNNN (CVR-nummer: 8 siffror)"
        )
    return value


def _one_of(what: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")


def _given(*filters: tuple[Any, Any]) -> list[ColumnElement[bool]]:
    """`column == value` for each (column, value) whose value is given: a list's optional
    filters, each narrowing it."""
    return [column == value for column, value in filters if value is not None]


def _period_in_year(period: Any, year: int) -> ColumnElement[bool]:
    """`period` is `year` or starts with `year-`. The range comes first so that both engines
    can use the index on period (a LIKE alone cannot on PostgreSQL's default collation); the
    exact test keeps the meaning."""
    return and_(
        period >= str(year),
        period < str(year + 1),
        or_(period == str(year), period.like(f"{year}-%")),
    )


def _money(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((a for a in amounts if a is not None), Decimal("0.00")).quantize(Decimal("0.01"))


def _documents(documents: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for document in documents:
        missing = _DOCUMENT_KEYS - document.keys()
        if missing:
            raise ValueError(f"document {dict(document)!r} lacks {', '.join(sorted(missing))}")
        result.append(dict(document))
    return result


class KeyedStore(CoreAccess):
    """Keyed, single-transaction writes: the base of every concept's records."""

    async def _insert_once(self, table: type[Base], values: dict[str, Any], *key: Any) -> bool:
        """Insert unless a row under `key` (column == value conditions) exists; True if inserted.

        The unique constraint decides, so two concurrent callers cannot both insert. An
        `IntegrityError` with no row under the key is a real error (a foreign key, a check, or
        a clash on another unique column) and propagates.
        """
        try:
            async with self._transaction() as session:
                await session.execute(insert(table).values(**values))
            return True
        except IntegrityError:
            if await self._first(select(table).where(*key)) is None:
                raise
            return False

    async def _upsert(
        self,
        table: type[Base],
        key: ColumnElement[bool],
        values: dict[str, Any],
        update_values: Mapping[str, Any],
        at: datetime,
    ) -> bool:
        """Insert `values`, or apply `update_values` to the row under `key`; True if written.

        An update carrying a workflow time older than the row's `updated_at` is dropped: a
        late retry of an old activity must not overwrite a newer state.
        """
        stamp: Any = table.updated_at  # type: ignore[attr-defined]
        guarded = update(table).where(key, stamp <= at).values(**update_values, updated_at=at)
        for _ in range(2):
            async with self._transaction() as session:
                if (await session.execute(guarded)).rowcount:  # type: ignore[attr-defined]
                    return True
            if await self._first(select(table).where(key)) is not None:
                return False  # the row is newer than this call
            try:
                async with self._transaction() as session:
                    await session.execute(
                        insert(table).values(**values, created_at=at, updated_at=at)
                    )
                return True
            except IntegrityError:
                # Either a concurrent caller inserted first (the next round updates its row),
                # or the values break another constraint: no row under the key, re-raise.
                if await self._first(select(table).where(key)) is None:
                    raise
        return False
