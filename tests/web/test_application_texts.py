"""The application page's words (web.application_texts): every Swedish text has its Danish
one, and dates are written each language's way."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from web.application_texts import DA, SV, texts, time_writer, words_for
from web.words import APPLICATION_SV


def test_danish_has_every_text_and_the_same_placeholders() -> None:
    assert set(DA) == set(SV)
    for key, swedish in SV.items():
        assert set(re.findall(r"\{\w+\}", DA[key])) == set(re.findall(r"\{\w+\}", swedish)), key
    # Every application state has its word in both.
    assert {f"state_{s}" for s in APPLICATION_SV} <= set(DA)


def test_dates_and_times_in_each_language() -> None:
    assert words_for("da").day(date(2027, 2, 1)) == "1. februar 2027"
    assert words_for("sv").day(date(2027, 2, 1)) == "1 februari 2027"
    assert words_for("sv").day(None) == "–"
    winter = datetime(2027, 1, 10, 9, 5, tzinfo=UTC)
    assert time_writer("da", ZoneInfo("Europe/Copenhagen"))(winter) == "10. januar 2027 kl. 10.05"
    # An unknown language falls back to Swedish.
    assert texts("fi") is SV
