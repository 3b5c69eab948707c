"""Test harness: settings for the session's test database and vhost, and the services started
in-process through their own composition roots, talking real gRPC and HTTP over loopback."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from services.common.clock import Clock
from services.common.runtime import ServiceRuntime
from services.common.settings import SERVICES, Settings, load_settings
from tests.support.fresh import rabbitmqctl
from tests.support.ports import free_port

# Overridable so two test runs on one machine never share a database or a vhost.
TEST_DB = os.environ.get("MOMENTUM_TEST_DB", "momentum_test")
TEST_VHOST = os.environ.get("MOMENTUM_TEST_VHOST", "momentum_test")


def services_with_bootstrap() -> tuple[str, ...]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "services"
    return tuple(name for name in SERVICES if (root / name / "bootstrap.py").is_file())


def settings_for_tests(**overrides: str) -> Settings:
    env = dict(os.environ)
    env.update(
        {
            "MOMENTUM_ENV": "test",
            "MOMENTUM_DB_NAME": TEST_DB,
            "MOMENTUM_AMQP_VHOST": TEST_VHOST,
            "MOMENTUM_S3_REPLAY_BUCKET": f"replays-{TEST_DB.replace('_', '-')}",
            "MOMENTUM_OUTBOX_POLL_SECONDS": "0.2",
            "MOMENTUM_DB_POOL_SIZE": os.environ.get("MOMENTUM_DB_POOL_SIZE", "4"),
            "MOMENTUM_LOG_LEVEL": os.environ.get("MOMENTUM_LOG_LEVEL", "WARNING"),
            "MOMENTUM_GATEWAY_PORT": str(free_port()),
        }
    )
    for service in SERVICES:
        env[f"MOMENTUM_{service.upper()}_GRPC_PORT"] = str(free_port())
    env.update(overrides)
    return load_settings(env)


async def restart_broker() -> None:
    """Stops and starts the RabbitMQ application: durable queues and persistent messages survive."""
    await asyncio.to_thread(rabbitmqctl, "stop_app")
    await asyncio.to_thread(rabbitmqctl, "start_app")
    await asyncio.to_thread(rabbitmqctl, "await_startup")


@dataclass
class RunningStack:
    settings: Settings
    runtimes: dict[str, ServiceRuntime] = field(default_factory=dict)
    gateway: uvicorn.Server | None = None
    _gateway_task: asyncio.Task[Any] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.gateway_port}"

    async def start_service(self, name: str, clock: Clock | None = None) -> ServiceRuntime:
        from importlib import import_module

        build = import_module(f"services.{name}.bootstrap").build
        runtime = await build(self.settings, clock=clock)
        await runtime.start()
        self.runtimes[name] = runtime
        return runtime

    async def stop_service(self, name: str) -> None:
        runtime = self.runtimes.pop(name, None)
        if runtime is not None:
            await runtime.stop(grace=1)

    async def start_gateway(self) -> None:
        from services.gateway.app import create_app

        config = uvicorn.Config(
            create_app(self.settings), host="127.0.0.1", port=self.settings.gateway_port,
            log_level="warning", access_log=False, lifespan="on",
        )
        self.gateway = uvicorn.Server(config)
        self._gateway_task = asyncio.create_task(self.gateway.serve())
        for _ in range(200):
            if self.gateway.started:
                return
            await asyncio.sleep(0.02)
        raise RuntimeError("gateway did not start")

    async def stop(self) -> None:
        if self.gateway is not None and self._gateway_task is not None:
            self.gateway.should_exit = True
            await self._gateway_task
            self.gateway = None
        for name in reversed(list(self.runtimes)):
            await self.stop_service(name)
