"""Numbers as a plan's readers write them: decimal comma, grouped thousands, "85,4 %".

Swedish and Danish both write a decimal comma; they group thousands differently (Swedish with a
space, Danish with a point). Reports and texts to users format through here, so no figure is
shown as Python prints it ("85.4", "20.50").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# Thousands separator per plan language; any other language is written as Swedish.
_GROUPS = {"sv": " ", "da": "."}


def decimal_text(value: Any, language: str = "sv", places: int | None = None) -> str:
    """`value` (int, Decimal or its text) in the language's notation; `places` rounds half up
    to that many decimals, None keeps the value's own. A value that is no finite number is
    returned as its text."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, fraction = format(abs(number), "f").partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = _GROUPS.get(language, " ").join(groups)
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def percent_text(part: Any, whole: Any, language: str = "sv") -> str | None:
    """`part` of `whole` in per cent with one decimal ("85,4 %"); None when there is no share
    to state (a whole of zero or less, or values that are no numbers)."""
    try:
        p, w = Decimal(str(part)), Decimal(str(whole))
    except (InvalidOperation, ValueError):
        return None
    if not (p.is_finite() and w.is_finite()) or w <= 0:
        return None
    return f"{decimal_text(p * 100 / w, language, 1)} %"
