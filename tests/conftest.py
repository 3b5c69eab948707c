"""Session fixtures: settings for the test database and vhost; the real stack on demand."""

from __future__ import annotations

import os
import uuid
from typing import AsyncIterator

import pytest

from tests.support.stack import RunningStack, reset_database, reset_vhost, services_with_bootstrap, settings_for_tests

os.environ.setdefault("MOMENTUM_LOG_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def settings():
    return settings_for_tests()


@pytest.fixture(scope="session")
async def fresh_stack(settings):
    """Database schemas rebuilt by the migrations and an empty vhost, once per session."""
    await reset_database(settings)
    reset_vhost()
    return settings


@pytest.fixture(scope="session")
async def stack(fresh_stack) -> AsyncIterator[RunningStack]:
    """Every service and the gateway running in this process over real loopback gRPC and HTTP."""
    running = RunningStack(fresh_stack)
    for name in services_with_bootstrap():
        await running.start_service(name)
    await running.start_gateway()
    yield running
    await running.stop()


@pytest.fixture
def new_id():
    return lambda: uuid.uuid4()
