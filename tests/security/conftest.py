"""Security suites: clinic A with data worth stealing and clinic B with the attackers, one world per module
(a module's mutating cases consume its world's resources), on the in-process stack."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from tests.support.clinic import client
from tests.support.security_world import World, build_world


def pytest_configure(config: pytest.Config) -> None:
    # Once per session whichever suite asks first, so one stack serves them all.
    config.pluginmanager.import_plugin("tests.support.stack_fixtures")


@pytest.fixture(scope="module")
async def world(stack) -> AsyncIterator[World]:
    async with client(stack.base_url) as http:
        yield await build_world(stack, http)
