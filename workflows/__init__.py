"""Deterministic orchestration: one module per workflow type."""

from __future__ import annotations

from typing import Any

ALL_WORKFLOWS: list[type[Any]] = []
