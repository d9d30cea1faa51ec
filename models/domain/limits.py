"""Column sizes of the records database, in one place.

The tables (models.records.tables) are declared with these, and the input rules
(models.domain.inputs) refuse
longer text with them: a value that passed validation always fits its column, so an activity
never fails forever on PostgreSQL's "value too long" (SQLite would store it silently).
Kept free of SQLAlchemy so workflow code can import it.
"""

from __future__ import annotations

from typing import Final

ORG_NR_LEN: Final = 11
ID_LEN: Final = 200  # workflow ids, idempotency keys, Message-IDs
KEY_LEN: Final = 100  # obligation keys, plan ids, kinds, actors
PERIOD_LEN: Final = 20  # "2027", "2027-T2", "2027-H1"
STATUS_LEN: Final = 30
NAME_LEN: Final = 300  # provider names, meeting places
TITLE_LEN: Final = 500  # escalation titles
LINK_LEN: Final = 500  # meeting links
EMAIL_LEN: Final = 320  # RFC 5321 maximum
CUSTOMER_REF_LEN: Final = 40  # pseudonymous customer references on claim lines
