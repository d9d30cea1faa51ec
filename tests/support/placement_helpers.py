"""Shared setup of the kundval tests (and the replay recorder): providers with contracts on the
rotation list of Centrum / omvårdnad, and placements for pseudonymous customers."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models.ids import rotation_workflow_id
from models.messages.common import Provider
from models.messages.placement import ChooseRequest, PlacementInput, PlacementStatus, RotationEntry
from services import placements as pa
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, local

A = PROVIDER
B = Provider(org_nr="559001-0004", name="Hemhjälpen Nord AB", email="info@hemhjalpen.example")
C = Provider(org_nr="559002-0003", name="Trygg Omsorg AB", email="post@trygg.example")
AREA, SERVICE = "Centrum", "omvårdnad"
ADMIN = "lov-admin@sundsvall.example"
MANAGEMENT = "forvaltningsledning@sundsvall.example"


def at(month: int, day: int, hour: int = 9, year: int = 2031) -> datetime:
    return datetime.combine(date(year, month, day), time(hour, 0), STOCKHOLM)


async def providers_on_list(stack: Stack, *providers: Provider) -> None:
    """Contracts since 2030 and a place on the list, in the order given, on 24 February 2031."""
    await stack.sleep_until(local(date(2031, 2, 24), time(8, 0)))
    for p in providers:
        await stack.start_contract(date(2030, 1, 1), provider=p)
    for p in providers:
        await pa.add_provider(
            stack.client,
            stack.settings.temporal_task_queue,
            "sundsvall",
            RotationEntry(org_nr=p.org_nr, area=AREA, service_type=SERVICE, actor="anna"),
            search_attributes=False,
        )
    await stack.sleep_until(local(date(2031, 2, 24), time(10, 0)))


async def new_placement(
    stack: Stack, customer: str = "DNR-2031-0042", start: date = date(2031, 3, 3)
) -> str:
    return await pa.start(
        stack.client,
        stack.settings.temporal_task_queue,
        PlacementInput(
            customer_ref=customer,
            area=AREA,
            service_type=SERVICE,
            granted_hours=Decimal("22.50"),
            decision_date=date(2031, 2, 20),
            start=start,
            plan_id="sundsvall",
            actor="handlaggare",
            search_attributes=False,
        ),
    )


async def registered(stack: Stack, placement_id: str) -> PlacementStatus:
    """Wait until the workflow has loaded its plan (the CLI's next command may then act)."""
    while True:
        s = await pa.status(stack.client, placement_id)
        if s.registered:
            return s
        await asyncio.sleep(0.05)


async def chosen(stack: Stack, provider: Provider | None, customer: str = "DNR-2031-0042") -> str:
    wid = await new_placement(stack, customer)
    await registered(stack, wid)
    await pa.choose(
        stack.client,
        wid,
        ChooseRequest(provider=provider.org_nr if provider else None, actor="handlaggare"),
    )
    return wid


def placement_mails(stack: Stack) -> list[tuple[Any, ...]]:
    """(local time, kind, recipients) of every e-mail a placement sent."""
    found = []
    for m in stack.mail.messages:
        if not str(m["X-Lov-Workflow"]).startswith("placement-"):
            continue
        sent = datetime.strptime(str(m["Date"]), "%a, %d %b %Y %H:%M:%S %z")
        found.append((sent.astimezone(STOCKHOLM), str(m["X-Lov-Kind"]), str(m["To"])))
    return found


async def fresh_rotation_list(client: Client, plan_id: str) -> None:
    """One rotation workflow serves a plan on the shared dev server; one started by an earlier
    test listens on a task queue no worker serves any more. Start from a fresh list."""
    try:
        await client.get_workflow_handle(rotation_workflow_id(plan_id)).terminate()
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
