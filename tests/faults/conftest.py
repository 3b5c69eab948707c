"""Fault tests run the services as real processes (tests/support/processes.py) on a database and vhost
of their own (PROCESS_DB, PROCESS_VHOST), rebuilt once per session; each test starts the processes it
needs and stops them all at the end, so the next test finds a whole stack again. A failing test
prints where the process logs are."""

from __future__ import annotations

import warnings
from typing import AsyncIterator, Callable

import httpx
import pytest

from services.common.settings import Settings, load_settings
from tests.support.broker_probe import repair_dead_letter_supervisor
from tests.support.db_probe import Probe
from tests.support.population import Population
from tests.support.fresh import fresh_storage, fresh_vhost
from tests.support.processes import ProcessStack, process_env

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a fault test that takes more than ~30 s (still part of `make test`)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def whole_broker() -> None:
    """Fault tests restart the broker and every run on the machine resets its vhost: see
    repair_dead_letter_supervisor for the RabbitMQ 3.10 failure this heals before each test."""
    if repair_dead_letter_supervisor():
        warnings.warn("RabbitMQ had lost rabbit_fifo_dlx_sup; restarted it before this test")


@pytest.fixture(scope="session")
async def process_storage() -> Settings:
    """PROCESS_DB migrated from scratch and an empty PROCESS_VHOST, once per session."""
    settings = load_settings(process_env())
    await fresh_storage(settings)
    repair_dead_letter_supervisor()
    return settings


@pytest.fixture(autouse=True)
async def empty_queues(process_storage) -> None:
    """Each fault test starts on a vhost with no queue left: a message an earlier test left in a retry or
    delay queue (the ladder waits up to 10 minutes) would otherwise come back into this test's work queues,
    and a killed instance's own queue would count as work nobody does."""
    await fresh_vhost(process_storage.broker)


@pytest.fixture
async def probe(process_storage) -> AsyncIterator[Probe]:
    connected = await Probe.connect()
    yield connected
    await connected.close()


@pytest.fixture
async def population(process_storage) -> AsyncIterator[Population]:
    seeded = Population(process_storage)
    yield seeded
    await seeded.close()


@pytest.fixture
async def processes(process_storage, request, tmp_path) -> AsyncIterator[Callable[..., ProcessStack]]:
    """`processes(**env_overrides)` gives a ProcessStack (nothing started yet); every process any of
    them started is stopped when the test ends, whatever happened."""
    stacks: list[ProcessStack] = []

    def make(**overrides: str) -> ProcessStack:
        stack = ProcessStack.create(tmp_path / f"logs-{len(stacks)}", **overrides)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        await stack.stop_all()
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        for stack in stacks:
            print(f"\nprocess logs of {request.node.name}: {stack.log_dir}")
            for proc in stack.processes:
                print(f"--- {proc.label} (exit {proc.returncode}) ---\n{proc.log_tail(15)}")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=15) as client:
        yield client

