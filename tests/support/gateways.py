"""More gateways beside the stack's: in this process (uvicorn on a free port) or as `python -m services.gateway`
processes, each reaching the stack's services, with settings of their own (an OpenID Connect provider, say)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

import uvicorn

from services.common.settings import SERVICES, Settings
from tests.support.ports import free_port
from tests.support.processes import ROOT, ServiceProcess
from tests.support.stack import TEST_DB, TEST_VHOST, RunningStack, settings_for_tests


def beside(stack: RunningStack, port: int, **overrides: str) -> dict[str, str]:
    """The environment of one more gateway on `port` in front of the stack's services."""
    env = {f"MOMENTUM_{s.upper()}_GRPC_PORT": str(stack.settings.grpc_ports[s]) for s in SERVICES}
    env.update({"MOMENTUM_GATEWAY_PORT": str(port), **overrides})
    return env


def settings_beside(stack: RunningStack, port: int, **overrides: str) -> Settings:
    return settings_for_tests(**beside(stack, port, **overrides))


@asynccontextmanager
async def gateway_in_process(settings: Settings) -> AsyncIterator[str]:
    """A gateway in this process; yields its base URL."""
    from services.gateway.app import create_app

    server = uvicorn.Server(uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=settings.gateway_port, log_level="warning", access_log=False,
        lifespan="on",
    ))
    task = asyncio.create_task(server.serve())
    for _ in range(300):
        if server.started:
            break
        await asyncio.sleep(0.02)
    else:
        raise RuntimeError("gateway did not start")
    try:
        yield f"http://127.0.0.1:{settings.gateway_port}"
    finally:
        server.should_exit = True
        await task


def gateway_process(stack: RunningStack, label: str, port: int, **overrides: str) -> ServiceProcess:
    """A `python -m services.gateway` process (not started: `launch()` then `await wait_ready()`)."""
    env = dict(os.environ)
    env.update({
        "MOMENTUM_ENV": "test", "MOMENTUM_DB_NAME": TEST_DB, "MOMENTUM_AMQP_VHOST": TEST_VHOST,
        "PYTHONPATH": f"{ROOT}:{ROOT / 'protos'}", "PYTHONUNBUFFERED": "1", "MOMENTUM_LOG_LEVEL": "WARNING",
        **beside(stack, port, **overrides),
    })
    log = Path(tempfile.mkdtemp(prefix="momentum-gateway-")) / f"{label}.log"
    return ServiceProcess("gateway", label, port, env, log)


def base_url(process: Any) -> str:
    return f"http://127.0.0.1:{process.port}"


__all__ = ["beside", "settings_beside", "gateway_in_process", "gateway_process", "base_url", "free_port"]
