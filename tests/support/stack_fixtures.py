"""Pytest plugin with the session's stack fixtures: settings for the test database and vhost, that
storage made fresh, and every service running in this process.

Loaded only by the suites that use it (their conftest's pytest_configure), so that `pytest tests/unit`
never imports the harness, the database driver or the broker client."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from services.common.settings import Settings
from tests.support.fresh import fresh_storage
from tests.support.stack import RunningStack, services_with_bootstrap, settings_for_tests


@pytest.fixture(scope="session")
def settings() -> Settings:
    return settings_for_tests()


@pytest.fixture(scope="session")
async def fresh_stack(settings: Settings) -> Settings:
    """Database schemas rebuilt by the migrations and an empty vhost, once per session."""
    await fresh_storage(settings)
    return settings


@pytest.fixture(scope="session")
async def stack(fresh_stack: Settings) -> AsyncIterator[RunningStack]:
    """Every service and the gateway running in this process over real loopback gRPC and HTTP."""
    running = RunningStack(fresh_stack)
    for name in services_with_bootstrap():
        await running.start_service(name)
    await running.start_gateway()
    yield running
    await running.stop()
