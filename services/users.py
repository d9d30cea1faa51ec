"""The desk's local accounts: add, set a password, disable, authenticate (with the limit on
failed logins), and the first administrator of `lov serve`.

Passwords are hashed with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane):
strong against guessing, yet cheap enough that a flood of logins cannot exhaust the desk's
memory (argon2-cffi's default takes 64 MiB per attempt). Stored hashes carry their parameters,
so raising them later only affects new passwords. Neither a password nor a hash is ever printed
or logged. Failed logins are counted per username and per client address in the records
database, so every `lov web` process sees the same count.
Bad input is `ActionError(field, message)` and nothing is written.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models.records.store import RecordStore
from models.records.tables import USER_ROLES
from models.records.users import UserExists
from models.runtime.settings import Settings
from services.errors import ActionError
from services.record_reads import read_records

T = TypeVar("T")

ROLES: Final = USER_ROLES
ROLE_TITLES: Final = {
    "administrator": "administratör",
    "manager": "chef",
    "auditor": "revisor",
    "case_officer": "handläggare",
}
# Roles that may change anything at all; an auditor only reads, a manager only decides.
ACTING_ROLES: Final = ("administrator", "case_officer")
# Who may take which action (the desk answers 403 to anyone else). Kundval is the case
# officer's work; the decision on an återkrav, a decision on the provider's money after
# kommunicering, is also a manager's (issue 17: managers decide on sanctions).
KUNDVAL_ROLES: Final = ("administrator", "case_officer")
RECOVERY_ROLES: Final = ("administrator",)
RECOVERY_DECISION_ROLES: Final = ("administrator", "manager")
# Findings (brister) as återkrav: the administrator registers and follows them up; a sanction
# is a decision after kommunicering, so a manager may take it too.
FINDING_ROLES: Final = ("administrator",)
FINDING_DECISION_ROLES: Final = ("administrator", "manager")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; this bounds the work an attacker can ask for
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
MAX_NAME = 200
# Failed logins within the window after which further attempts are refused, whatever the
# password: per account (guessing one password) and per client address (trying many accounts).
FAILURE_WINDOW: Final = timedelta(minutes=15)
MAX_FAILURES_PER_USER: Final = 5
MAX_FAILURES_PER_ADDRESS: Final = 20
FIRST_ADMIN: Final = "admin"

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the username is unknown, so a wrong name costs as long as a wrong
# password and the timing does not tell which accounts exist.
_DUMMY_HASH: Final = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class Account:
    """Who is logged in: what the desk keeps in the session and passes on as the actor."""

    username: str
    display_name: str
    role: str
    # A one-time password (generated, or reset by an administrator): the desk shows nothing
    # but the "Byt lösenord" page until the user has chosen one (web/auth.py).
    must_change_password: bool = False

    @property
    def role_title(self) -> str:
        return ROLE_TITLES[self.role]

    @property
    def may_act(self) -> bool:
        return self.role in ACTING_ROLES


class LoginRefused(Exception):
    """The login failed; the message is the one the login page shows (it never says whether
    the account exists)."""


def check_username(username: str) -> str:
    value = username.strip().lower()
    if not _USERNAME.fullmatch(value):
        raise ActionError(
            "username",
            "1–64 tecken: a–z, 0–9 och . _ @ -, och börjar med en bokstav eller siffra",
        )
    return value


def check_role(role: str) -> str:
    value = role.strip()
    if value not in ROLES:
        raise ActionError("role", f"okänd roll {value!r}; välj {', '.join(ROLES)}")
    return value


def check_name(name: str | None, username: str) -> str:
    value = " ".join((name or "").split()) or username
    if len(value) > MAX_NAME:
        raise ActionError("name", f"högst {MAX_NAME} tecken")
    return value


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ActionError("password", f"minst {MIN_PASSWORD} tecken")
    if len(password) > MAX_PASSWORD:
        raise ActionError("password", f"högst {MAX_PASSWORD} tecken")
    return password


def new_password() -> str:
    """A generated password: 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def _now() -> datetime:
    return datetime.now(UTC)


async def add_user(
    store: RecordStore,
    username: str,
    role: str,
    name: str | None = None,
    password: str | None = None,
    one_time: bool = False,
) -> tuple[Account, str | None]:
    """A new account; the generated password when none was given (shown once, never stored).
    `one_time`: the user must choose a new password at the first login."""
    user = check_username(username)
    the_role = check_role(role)
    display = check_name(name, user)
    generated = None if password is not None else new_password()
    secret = check_password(password if password is not None else generated or "")
    try:
        await store.add_user(user, display, the_role, _hasher.hash(secret), _now(), one_time)
    except UserExists:
        raise ActionError("username", f"kontot {user} finns redan") from None
    return Account(user, display, the_role, one_time), generated


async def _known(store: RecordStore, username: str) -> str:
    user = check_username(username)
    if await store.get_user(user) is None:
        raise ActionError("username", f"inget konto {user}")
    return user


async def set_password(
    store: RecordStore, username: str, password: str | None = None, one_time: bool = True
) -> str | None:
    """A new password for the account, set by an administrator; the generated one when none
    was given. Its failed logins are forgotten. One-time unless `one_time` is False: the user
    must choose their own at the next login (an administrator should not know it)."""
    user = await _known(store, username)
    generated = None if password is not None else new_password()
    secret = check_password(password if password is not None else generated or "")
    await store.set_password_hash(user, _hasher.hash(secret), _now(), one_time)
    await store.clear_login_failures(f"user:{user}")
    return generated


async def change_own_password(store: RecordStore, username: str, new: str, repeated: str) -> None:
    """The logged-in user's own new password (the "Byt lösenord" page): typed twice, the
    length rule of every password, and not the one-time password it replaces. Nothing is
    written when it is refused (ActionError naming `password` or `repeated`)."""
    record = await store.get_user(username)
    if record is None or record.disabled:
        raise ActionError("password", "kontot finns inte längre")
    check_password(new)
    if new != repeated:
        raise ActionError("repeated", "lösenorden är inte lika; skriv samma lösenord två gånger")
    try:
        same: bool = _hasher.verify(record.password_hash, new)
    except (VerificationError, InvalidHashError):
        same = False
    if same:
        raise ActionError("password", "välj ett annat lösenord än det nuvarande")
    await store.set_password_hash(record.username, _hasher.hash(new), _now(), one_time=False)


async def disable(store: RecordStore, username: str) -> None:
    """The account can no longer log in; sessions already open end at their next request."""
    user = await _known(store, username)
    await store.set_disabled(user, True, _now())


async def active_account(store: RecordStore, username: str) -> Account | None:
    """The account behind a session, or None if it was disabled or removed since."""
    record = await store.get_user(username)
    if record is None or record.disabled:
        return None
    return Account(record.username, record.display_name, record.role, record.must_change_password)


async def authenticate(
    store: RecordStore, username: str, password: str, address: str, now: datetime | None = None
) -> Account:
    """The account if the password is right and no limit is reached; LoginRefused otherwise.
    Every refusal counts against the username and the address."""
    now = now or _now()
    user = username.strip().lower()[:64]
    subjects = [f"user:{user}", f"address:{address[:100]}"]
    since = now - FAILURE_WINDOW
    if (
        await store.login_failures_since(subjects[0], since) >= MAX_FAILURES_PER_USER
        or await store.login_failures_since(subjects[1], since) >= MAX_FAILURES_PER_ADDRESS
    ):
        # Counted too, so that trying on keeps the limit in force.
        await store.add_login_failure(subjects, now, since)
        raise LoginRefused("För många misslyckade inloggningar. Vänta en kvart och försök igen.")
    record = await store.get_user(user) if _USERNAME.fullmatch(user) else None
    try:
        _hasher.verify(record.password_hash if record else _DUMMY_HASH, password[:MAX_PASSWORD])
        ok = record is not None and not record.disabled
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or record is None:
        await store.add_login_failure(subjects, now, since)
        raise LoginRefused("Fel användarnamn eller lösenord, eller kontot är avstängt.")
    await store.clear_login_failures(subjects[0])
    return Account(record.username, record.display_name, record.role, record.must_change_password)


async def ensure_first_administrator(store: RecordStore) -> tuple[str, str] | None:
    """For `lov serve`: when no account exists, an administrator `admin` with a generated
    password, returned once as (username, password); None when there are accounts."""
    if await store.count_users():
        return None
    try:
        _, password = await add_user(
            store, FIRST_ADMIN, "administrator", "Administratör", one_time=True
        )
    except ActionError:
        return None  # another process made it first
    assert password is not None
    return FIRST_ADMIN, password


async def on_records(settings: Settings, action: Callable[[RecordStore], Awaitable[T]]) -> T:
    """`action` on the configured records database (for `lov user` and `lov serve`)."""
    return await read_records(settings.require_records(), RecordStore, action)
