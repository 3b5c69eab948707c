"""Shared helpers of the streak domain tests: wall-clock instants in a patient's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest


def _wall_clock(text: str, zone_name: str) -> datetime:
    """The instant a clock in `zone_name` shows as `text` ('2026-03-02 10:00')."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone_name))


@pytest.fixture
def wall() -> Callable[[str, str], datetime]:
    return _wall_clock
