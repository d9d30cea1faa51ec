"""Applications on the time-skipping server: a standard application and one submitted."""

from __future__ import annotations

from datetime import date, time

from models.messages.application import (
    ApplicationInput,
)
from models.messages.obligation import DocumentRef
from services import applications as apps
from tests.support.harness import PROVIDER, Stack, local


def application() -> ApplicationInput:
    return ApplicationInput(
        provider=PROVIDER,
        service_types=["omvårdnad", "service"],
        areas=["Centrum", "Alnö"],
        documents=[
            DocumentRef(key="f-skatt", filename="/docs/f-skatt.pdf", sha256="b" * 64, size=3)
        ],
        plan_id="sundsvall",
        actor="sokande.webb",
        search_attributes=False,
    )


async def submitted(stack: Stack) -> str:
    await stack.sleep_until(local(date(2031, 2, 3), time(9, 30)))
    wid = await apps.submit_application(
        stack.client, stack.settings.temporal_task_queue, application()
    )
    await stack.sleep_until(local(date(2031, 2, 3), time(10, 0)))
    return wid
