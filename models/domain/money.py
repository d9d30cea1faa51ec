"""Återkrav arithmetic and claim-line checks: pure, deterministic, Decimal only.

Shared by the CLI (which shows the calculation before anything is started), the recovery
workflow (which computes the amount it notifies) and the tests. No clock, no I/O, no floats:
a claim is money the municipality asks back, so every öre must be explainable line by line.

Rules:
- a line's claim is max(0, billed − approved) × hourly rate, rounded to öre (ROUND_HALF_UP);
- the total is the sum of the rounded lines, so the total always equals what the lines show;
- hours and rates are given with at most two decimals (what the records database keeps) and
  must not be negative;
- the customer reference is pseudonymous: anything that looks like a personnummer or
  samordningsnummer is refused, so no personal identity number reaches workflow history,
  the records database or an e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

# The one customer-reference rule (models.domain.customer_ref), shared with placements;
# looks_like_personnummer is re-exported for the callers that import it from here.
from models.domain.customer_ref import CustomerRefError, check_customer_ref
from models.domain.customer_ref import looks_like_personnummer as looks_like_personnummer
from models.domain.number_format import decimal_text

ORE = Decimal("0.01")
ZERO = Decimal("0.00")
# Enough for any plausible claim line; also what Numeric(9, 2) / Numeric(10, 2) can hold.
MAX_HOURS = Decimal("100000")
MAX_RATE = Decimal("100000")
_PERIOD = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


class ClaimLineError(ValueError):
    """A claim line is not acceptable; `field` names the column (period, hours_billed …)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class ClaimLine(BaseModel):
    """One row of a claim: hours billed for a customer in a month, and what was approved."""

    model_config = ConfigDict(frozen=True)

    period: str  # "2027-03"
    customer_ref: str  # pseudonymous, e.g. "K-1042"
    hours_billed: Decimal
    hours_approved: Decimal
    hourly_rate: Decimal  # SEK per hour


def parse_decimal(text: str, field: str) -> Decimal:
    """A Swedish or English decimal ("385,50" or "385.50"), at most two decimals."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", cleaned):
        raise ClaimLineError(field, f"inte ett tal (not a number): {text.strip()!r}")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above only lets numbers through
        raise ClaimLineError(field, f"inte ett tal (not a number): {text.strip()!r}") from None
    return value


def _check_amount(value: Decimal, field: str, upper: Decimal) -> None:
    if not value.is_finite():
        raise ClaimLineError(field, "måste vara ett tal (must be a number)")
    if value < 0:
        raise ClaimLineError(field, f"får inte vara negativt (must not be negative), fick {value}")
    if value > upper:
        raise ClaimLineError(field, f"orimligt stort (too large), fick {value}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ClaimLineError(field, f"högst två decimaler (at most two decimals), fick {value}")


def check_line(line: ClaimLine) -> None:
    """Raise ClaimLineError naming the first unacceptable column of `line`."""
    if not _PERIOD.fullmatch(line.period):
        raise ClaimLineError("period", f"ska vara ÅÅÅÅ-MM (YYYY-MM), fick {line.period!r}")
    try:
        # Not stripped: a line keeps its reference exactly as given, so blanks are a bad shape.
        check_customer_ref(line.customer_ref, strip=False)
    except CustomerRefError as err:
        raise ClaimLineError("customer_ref", err.swedish) from None
    _check_amount(line.hours_billed, "hours_billed", MAX_HOURS)
    _check_amount(line.hours_approved, "hours_approved", MAX_HOURS)
    _check_amount(line.hourly_rate, "hourly_rate", MAX_RATE)


def check_lines(lines: Sequence[ClaimLine]) -> None:
    """Every line acceptable, at least one line, and a claim above zero.

    Raises ClaimLineError whose field is `lines[i].column` (1-based i) for a bad line.
    """
    if not lines:
        raise ClaimLineError("lines", "minst en rad krävs (at least one claim line)")
    for i, line in enumerate(lines, 1):
        try:
            check_line(line)
        except ClaimLineError as err:
            raise ClaimLineError(f"lines[{i}].{err.field}", err.reason) from None
    if total(lines) <= 0:
        raise ClaimLineError(
            "lines", "inget att återkräva: godkända timmar täcker de fakturerade (claim is 0)"
        )


def line_amount(line: ClaimLine) -> Decimal:
    """max(0, billed − approved) × rate, rounded half up to öre."""
    excess = line.hours_billed - line.hours_approved
    if excess <= 0:
        return ZERO
    return (excess * line.hourly_rate).quantize(ORE, rounding=ROUND_HALF_UP)


def total(lines: Iterable[ClaimLine]) -> Decimal:
    """The claim: the sum of the rounded line amounts (always two decimals)."""
    return sum((line_amount(line) for line in lines), ZERO).quantize(ORE)


def to_ore(amount: Decimal) -> Decimal:
    """An amount given by a person (an adjusted claim), rounded half up to öre."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def format_number(value: Decimal) -> str:
    """Swedish form of a number: decimal comma, no trailing zeros beyond what was given."""
    return format(value, "f").replace(".", ",")


def format_sek(amount: Decimal) -> str:
    """'12 345,67 kr': thin groups of three, decimal comma, always two decimals."""
    return f"{decimal_text(amount, 'sv', 2)} kr"


# The calculation's words per plan language ("sv" also for any language without its own).
_CALCULATION_TEXT = {
    "sv": {
        "line": "{ref}: fakturerat {billed} h, godkänt {approved} h",
        "none": "inget att återkräva",
        "excess": "skillnad {excess} h × {rate}/h = {amount}",
        "total": "Summa att återbetala: {amount}",
    },
    "da": {
        "line": "{ref}: faktureret {billed} t, godkendt {approved} t",
        "none": "intet at kræve tilbage",
        "excess": "forskel {excess} t × {rate}/t = {amount}",
        "total": "I alt til tilbagebetaling: {amount}",
    },
}


def calculation(line: ClaimLine, language: str = "sv") -> str:
    """One line of the calculation as shown to the provider and the administrator."""
    text = _CALCULATION_TEXT.get(language, _CALCULATION_TEXT["sv"])
    billed, approved = format_number(line.hours_billed), format_number(line.hours_approved)
    rate = format_sek(line.hourly_rate)
    amount = format_sek(line_amount(line))
    head = text["line"].format(
        ref=f"{line.period} {line.customer_ref}", billed=billed, approved=approved
    )
    if line.hours_billed <= line.hours_approved:
        return f"{head} → {text['none']}, {amount}"
    excess = format_number(line.hours_billed - line.hours_approved)
    return f"{head}, " + text["excess"].format(excess=excess, rate=rate, amount=amount)


def calculation_lines(lines: Sequence[ClaimLine], language: str = "sv") -> list[str]:
    """The whole calculation: one text per line, then the total."""
    text = _CALCULATION_TEXT.get(language, _CALCULATION_TEXT["sv"])
    return [
        *(calculation(line, language) for line in lines),
        text["total"].format(amount=format_sek(total(lines))),
    ]
