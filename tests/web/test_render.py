"""Dates, times and numbers the Swedish way, times in the plan's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from web.render import sv_bytes, sv_date, sv_datetime, sv_number

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_dates_are_written_out() -> None:
    assert sv_date(date(2027, 5, 1)) == "1 maj 2027"
    assert sv_date(date(2026, 12, 31)) == "31 december 2026"
    assert sv_date(None) == "–"


def test_times_are_local_across_the_change_to_summer_time() -> None:
    assert sv_datetime(datetime(2027, 1, 15, 9, 0, tzinfo=UTC), STOCKHOLM) == (
        "15 januari 2027 kl. 10.00"
    )
    assert sv_datetime(datetime(2027, 7, 15, 9, 0, tzinfo=UTC), STOCKHOLM) == (
        "15 juli 2027 kl. 11.00"
    )
    # 22:30 UTC on 30 April is already 1 May in Stockholm.
    assert sv_datetime(datetime(2027, 4, 30, 22, 30, tzinfo=UTC), STOCKHOLM).startswith("1 maj")
    assert sv_datetime(datetime(2027, 1, 1, tzinfo=UTC), ZoneInfo("Europe/Copenhagen")) == (
        "1 januari 2027 kl. 01.00"
    )


def test_numbers_have_a_space_between_thousands_and_a_decimal_comma() -> None:
    assert sv_number(1234567) == "1\u00a0234\u00a0567"
    assert sv_number(Decimal("1234.5"), 2) == "1\u00a0234,50"
    assert sv_number(None) == "–"
    assert sv_bytes(512) == "512 byte"
    assert sv_bytes(1536) == "1,5 kB"


def test_a_danish_desk_writes_dates_times_and_numbers_the_danish_way() -> None:
    assert sv_date(date(2026, 12, 7), "da") == "7. december 2026"
    assert sv_datetime(datetime(2027, 1, 15, 9, 0, tzinfo=UTC), STOCKHOLM, "da") == (
        "15. januar 2027 kl. 10.00"
    )
    assert sv_number(Decimal("1234.5"), 1, "da") == "1.234,5"
    assert sv_number(Decimal("1234.5"), 1) == "1\u00a0234,5"
