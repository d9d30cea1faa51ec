"""What every request of the desk shares: the settings, one records store for the process, the
provider-id key and the Temporal client (connected at the first action, not at start-up, so
the pages that only read the records work while Temporal is down)."""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import Request
from temporalio.client import Client

from models.domain.provider_id import ProviderIds
from models.plans.loader import PlanError, load_plan
from models.runtime.settings import Settings
from models.runtime.temporal import connect
from services.record_reads import RecordStore
from services.reports import ComplianceCache
from web.oidc import SingleSignOn

DEFAULT_ZONE = "Europe/Stockholm"
DEFAULT_LANGUAGE = "sv"


@dataclass
class Desk:
    settings: Settings
    store: RecordStore
    ids: ProviderIds
    client: Client | None = None
    # The municipality's single sign-on, when configured (web/oidc.py).
    sso: SingleSignOn | None = None
    # The compliance matrices shown, kept while the records stay the same (services/reports.py).
    compliance: ComplianceCache = field(default_factory=ComplianceCache)
    _connecting: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def temporal(self) -> Client:
        async with self._connecting:
            if self.client is None:
                identity = f"lov-web {socket.gethostname()} pid {os.getpid()}"
                self.client = await connect(self.settings, identity=identity)
            return self.client

    def zone(self, plan_id: str | None = None) -> ZoneInfo:
        """The plan's time zone (the default plan's when none is named)."""
        return ZoneInfo(_plan_zone(plan_id or self.settings.default_plan, self.settings.plans_dir))

    def language(self, plan_id: str | None = None) -> str:
        """The plan's language ("sv", "da"); the desk speaks its default plan's language."""
        return _plan_language(plan_id or self.settings.default_plan, self.settings.plans_dir)

    def titles(self, plan_id: str | None = None) -> dict[str, str]:
        """Obligation key → title in the plan (the default plan's when none is named)."""
        return dict(_plan_titles(plan_id or self.settings.default_plan, self.settings.plans_dir))


# Plan files change only with a new version (a deployment), so a process reads each once.
@lru_cache(maxsize=64)
def _plan_zone(plan_id: str, plans_dir: Path) -> str:
    try:
        return load_plan(plan_id, plans_dir).time_zone
    except PlanError:
        return DEFAULT_ZONE


@lru_cache(maxsize=64)
def _plan_language(plan_id: str, plans_dir: Path) -> str:
    try:
        return load_plan(plan_id, plans_dir).language
    except PlanError:
        return DEFAULT_LANGUAGE


@lru_cache(maxsize=64)
def _plan_titles(plan_id: str, plans_dir: Path) -> tuple[tuple[str, str], ...]:
    try:
        return tuple((o.key, o.title) for o in load_plan(plan_id, plans_dir).known_obligations)
    except PlanError:
        return ()


def desk(request: Request) -> Desk:
    found: Desk = request.app.state.desk
    return found
