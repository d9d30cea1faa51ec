"""The `lov` command lines the tests type most, filled with valid values a test may override.

One place for them, so that a new required option changes one line here, not every test."""

from __future__ import annotations

from datetime import date

PROVIDER_NAME = "Omsorg i Norr AB"


def contract_start_args(
    org_nr: str,
    start: date,
    *,
    name: str = PROVIDER_NAME,
    email: str = "kontakt@omsorg.example",
) -> list[str]:
    """`lov contract start ORGNR …` for a contract starting on `start`."""
    return [
        "contract",
        "start",
        org_nr,
        "--name",
        name,
        "--email",
        email,
        "--start",
        start.isoformat(),
    ]


def application_submit_args(
    org_nr: str, *, name: str = PROVIDER_NAME, email: str = "ansokan@omsorg.example"
) -> list[str]:
    """`lov application submit ORGNR …`: one service in one area, registered by an admin."""
    return [
        "application",
        "submit",
        org_nr,
        "--name",
        name,
        "--email",
        email,
        "--service",
        "omvårdnad",
        "--area",
        "Centrum",
        "--actor",
        "Anna Admin",
    ]


def placement_start_args(customer: str = "DNR-2031-0042", **options: str) -> list[str]:
    """`lov placement start …`; `options` by option name (`**{"--hours": "10"}`) replace the
    defaults, `--customer` too."""
    values = {
        "--customer": customer,
        "--area": "Centrum",
        "--service": "omvårdnad",
        "--hours": "22,5",
        "--decision-date": "2031-03-01",
        "--start": "2031-03-04",
        "--actor": "Handläggare",
    } | options
    return ["placement", "start", *[f"{k}={v}" for k, v in values.items()]]
