"""The columns most tables share, as types, so that each size is written once.

A table names them through the module (`from models.records.tables import columns as col`):
`org_nr: Mapped[col.OrgNr]` is a NOT NULL String(ORG_NR_LEN), `Mapped[col.OrgNr | None]` the
nullable one, and the column's own `mapped_column(index=True)` (or unique, a ForeignKey) is
merged into the type's. A table written once per idempotency key derives from `col.Keyed`.
"""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses
# longer text with the same numbers.
from models.domain.limits import ID_LEN, KEY_LEN, ORG_NR_LEN, PERIOD_LEN, STATUS_LEN

RowId = Annotated[int, mapped_column(Integer, primary_key=True)]
IdempotencyKey = Annotated[str, mapped_column(String(ID_LEN), unique=True)]
Id = Annotated[str, mapped_column(String(ID_LEN))]  # workflow, case and message ids
OrgNr = Annotated[str, mapped_column(String(ORG_NR_LEN))]
Key = Annotated[str, mapped_column(String(KEY_LEN))]  # plan keys and roles, actors, kinds
Period = Annotated[str, mapped_column(String(PERIOD_LEN))]
Status = Annotated[str, mapped_column(String(STATUS_LEN))]
FreeText = Annotated[str, mapped_column(Text)]  # any length


class Keyed:
    """A row written once under its idempotency key (KeyedStore._insert_once): the row id and
    that key, every such table's first two columns."""

    # A mixin's columns would otherwise come after the table's own.
    id: Mapped[RowId] = mapped_column(sort_order=-1)
    idempotency_key: Mapped[IdempotencyKey] = mapped_column(sort_order=-1)
