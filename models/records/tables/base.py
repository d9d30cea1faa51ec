"""What every table shares: the declarative base, UTC timestamps, constraint names and the
CHECK helper (models.records.tables has the conventions; `columns` the common column types)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    MetaData,
    Numeric,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that `column` holds one of `values` (shared with the migration).

    The "enum" columns are plain strings with CHECK constraints rather than native ENUM types:
    adding a value later is then a cheap constraint swap on both engines. Each concept's module
    holds its value tuples; tests/models/test_enum_values.py ties them to the messages."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


# "556036-0793", or a Danish CVR-nummer "12345674" (alembic 0009_cvr). SQLite has no regular
# expressions, so the database checks only the shape; models.records.store checks the digits,
# and the services and validators check the check digit (models.domain.orgnr) on the way in.
ORG_NR_SHAPE_SQL: Final = "org_nr LIKE '______-____' OR org_nr LIKE '________'"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that is always stored, and always read back, in UTC.

    PostgreSQL keeps the instant in `timestamptz`; SQLite has no time zone type, so the value is
    stored as naive UTC text and made aware again on the way out. Naive input is refused: a
    naive time is ambiguous for a municipality that spans the change to summer time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused; pass an aware one")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # The SQLite dialect's DATETIME formatter drops the offset anyway; dropping it after
            # converting to UTC keeps stored text sortable and unambiguous.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
        Decimal: Numeric(12, 2),
    }
