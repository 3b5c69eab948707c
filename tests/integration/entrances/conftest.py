"""A stack of its own for entrance tests: a 2 s finalization window and a sweep every second.

It shares the session's freshly migrated test database and vhost (fresh_stack); its services
listen on their own ports."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from tests.support.entrances import start_short_window_stack
from tests.support.stack import RunningStack


@pytest.fixture(scope="module")
async def estack(fresh_stack) -> AsyncIterator[RunningStack]:
    running = await start_short_window_stack()
    yield running
    await running.stop()
