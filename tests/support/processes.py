"""Service processes for fault tests, load runs and benchmarks: `python -m services.<name>` started
on a database and vhost of their own and free ports, logs in a temp dir, ready once gRPC health says
SERVING, and stopped with SIGTERM (graceful) or SIGKILL (a crash)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.settings import SERVICES, Settings, load_settings
from tests.support.ports import free_port
from tests.support.stack import TEST_DB, TEST_VHOST, services_with_bootstrap

ROOT = Path(__file__).resolve().parents[2]
# A database and vhost of their own, next to the session's: in one `make test` session the in-process
# stack of other tests declares the same queue names and would compete with these processes.
PROCESS_DB = os.environ.get("MOMENTUM_PROCESS_DB", f"{TEST_DB}_proc")
PROCESS_VHOST = os.environ.get("MOMENTUM_PROCESS_VHOST", f"{TEST_VHOST}_proc")


def stack_env(database: str, vhost: str | None = None, **overrides: str) -> dict[str, str]:
    """This process's environment for one stack of service processes, in test mode, on `database` and
    `vhost` (named as the database unless given), with a free port for each service and the gateway.
    `overrides` win. Fault tests, the load run and the benchmarks all start their processes with it."""
    env = dict(os.environ)
    env.update(
        {
            "MOMENTUM_ENV": "test",
            "MOMENTUM_DB_NAME": database,
            "MOMENTUM_AMQP_VHOST": vhost or database,
            "MOMENTUM_GATEWAY_PORT": str(free_port()),
            "PYTHONPATH": f"{ROOT}:{ROOT / 'protos'}",
        }
    )
    for service in SERVICES:
        env[f"MOMENTUM_{service.upper()}_GRPC_PORT"] = str(free_port())
    env.update(overrides)
    return env


def process_env(**overrides: str) -> dict[str, str]:
    """The environment every process of one stack shares: PROCESS_DB and PROCESS_VHOST, fast outbox
    polling, JSON logs, a free port per service. `overrides` win (e.g. a short entrance window)."""
    return stack_env(
        PROCESS_DB,
        PROCESS_VHOST,
        **{
            "MOMENTUM_S3_REPLAY_BUCKET": f"replays-{PROCESS_DB.replace('_', '-')}",
            "MOMENTUM_OUTBOX_POLL_SECONDS": "0.2",
            "MOMENTUM_LOG_FORMAT": "json",
            "MOMENTUM_LOG_LEVEL": os.environ.get("MOMENTUM_PROCESS_LOG_LEVEL", "INFO"),
            # Postgres' 100 connections are shared by every run on the machine: 5 (+5 overflow) a process.
            "MOMENTUM_DB_POOL_SIZE": os.environ.get("MOMENTUM_PROCESS_POOL_SIZE", "5"),
            "PYTHONUNBUFFERED": "1",
            **overrides,
        },
    )


@dataclass
class ServiceProcess:
    """One running (or stopped) process: a service instance or the gateway."""

    name: str
    label: str
    port: int
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.label} was never started"
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def launch(self) -> None:
        log = self.log_path.open("ab")
        log.write(f"\n=== {self.label} started at {time.strftime('%H:%M:%S')} ===\n".encode())
        log.flush()
        self.popen = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # a signal meant for the test runner never reaches the services
        )
        log.close()
        self.started_at = time.monotonic()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def rss_kib(self) -> int | None:
        """Resident memory from /proc (Linux); None once the process is gone."""
        if not self.alive:
            return None
        return rss_kib(self.pid)

    async def wait_ready(self, timeout: float = 30) -> None:
        if self.name == "gateway":
            await _wait_http(self, timeout)
        else:
            await _wait_serving(self, timeout)

    def send(self, sig: signal.Signals) -> None:
        if self.alive:
            os.kill(self.pid, sig)

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit code, or None if it is still running after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.alive and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.returncode

    async def terminate(self, timeout: float = 20) -> int:
        """SIGTERM and wait: the graceful stop (NOT_SERVING, drain gRPC, let consumers finish).
        Falls back to SIGKILL after `timeout` so a hung process never hangs the suite."""
        self.send(signal.SIGTERM)
        code = await self.wait_exit(timeout)
        if code is None:
            self.send(signal.SIGKILL)
            code = await self.wait_exit(5)
            raise AssertionError(f"{self.label} ignored SIGTERM for {timeout}s; killed. Log tail:\n{self.log_tail()}")
        return code

    async def kill(self) -> int | None:
        """SIGKILL: a crash. Nothing in the process runs after this."""
        self.send(signal.SIGKILL)
        return await self.wait_exit(10)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


async def _wait_serving(proc: ServiceProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with grpc.aio.insecure_channel(f"127.0.0.1:{proc.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while True:
            if not proc.alive:
                raise RuntimeError(f"{proc.label} exited with {proc.returncode} before serving:\n{proc.log_tail()}")
            try:
                reply = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            if time.monotonic() > deadline:
                proc.send(signal.SIGKILL)
                raise RuntimeError(f"{proc.label} not SERVING after {timeout}s:\n{proc.log_tail()}")
            await asyncio.sleep(0.1)


async def _wait_http(proc: ServiceProcess, timeout: float) -> None:
    # Any answer from /healthz means the gateway is up; its own status says which services it reaches.
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            if not proc.alive:
                raise RuntimeError(f"{proc.label} exited with {proc.returncode} before listening:\n{proc.log_tail()}")
            try:
                await client.get(f"http://127.0.0.1:{proc.port}/healthz")
                return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                proc.send(signal.SIGKILL)
                raise RuntimeError(f"{proc.label} not listening after {timeout}s:\n{proc.log_tail()}")
            await asyncio.sleep(0.1)


@dataclass
class ProcessStack:
    """The services of one stack as real processes. Instance 1 of each service listens on the port in
    `env`; instance n > 1 gets its own port and, by default, talks to the instance-n ports of the
    others (a second full "lane" sharing the database and the broker)."""

    env: dict[str, str]
    log_dir: Path
    processes: list[ServiceProcess] = field(default_factory=list)
    _lanes: dict[int, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def create(cls, log_dir: Path | None = None, **overrides: str) -> "ProcessStack":
        log_dir = log_dir or Path(tempfile.mkdtemp(prefix="momentum-processes-"))
        log_dir.mkdir(parents=True, exist_ok=True)
        return cls(process_env(**overrides), log_dir)

    @property
    def settings(self) -> Settings:
        """The same configuration, read the way the processes read it (for the test's own clients)."""
        return load_settings(self.env)

    @property
    def base_url(self) -> str:
        return self.lane_base_url(1)

    def lane_base_url(self, lane: int) -> str:
        return f"http://127.0.0.1:{self.lane_env(lane)['MOMENTUM_GATEWAY_PORT']}"

    def lane_env(self, lane: int) -> dict[str, str]:
        """Ports of lane `lane`: lane 1 is `env` itself; other lanes get fresh ports once."""
        if lane == 1:
            return self.env
        if lane not in self._lanes:
            ports = {f"MOMENTUM_{s.upper()}_GRPC_PORT": str(free_port()) for s in SERVICES}
            ports["MOMENTUM_GATEWAY_PORT"] = str(free_port())
            self._lanes[lane] = {**self.env, **ports}
        return self._lanes[lane]

    def grpc_port(self, service: str, lane: int = 1) -> int:
        return int(self.lane_env(lane)[f"MOMENTUM_{service.upper()}_GRPC_PORT"])

    def _new(self, name: str, lane: int, extra_env: Mapping[str, str] | None) -> ServiceProcess:
        env = {**self.lane_env(lane), **(extra_env or {})}
        port = int(env["MOMENTUM_GATEWAY_PORT"] if name == "gateway" else env[f"MOMENTUM_{name.upper()}_GRPC_PORT"])
        label = f"{name}-{lane}"
        proc = ServiceProcess(name, label, port, env, self.log_dir / f"{label}.log")
        self.processes.append(proc)
        return proc

    async def start(
        self, name: str, lane: int = 1, extra_env: Mapping[str, str] | None = None, wait: bool = True
    ) -> ServiceProcess:
        proc = self._new(name, lane, extra_env)
        proc.launch()
        if wait:
            await proc.wait_ready()
        return proc

    async def start_many(self, names: Iterable[str], lane: int = 1, extra_env: Mapping[str, str] | None = None) -> list[ServiceProcess]:
        """Launches all at once (Python start-up is the slow part), then waits for each."""
        procs = [self._new(name, lane, extra_env) for name in names]
        for proc in procs:
            proc.launch()
        await asyncio.gather(*(proc.wait_ready() for proc in procs))
        return procs

    async def start_all(
        self, services: Iterable[str] | None = None, lanes: int = 1, gateway: bool = True,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        names = list(services if services is not None else services_with_bootstrap())
        for lane in range(1, lanes + 1):
            await self.start_many(names, lane, extra_env)
        if gateway:
            for lane in range(1, lanes + 1):
                await self.start("gateway", lane, extra_env)

    async def restart(self, proc: ServiceProcess, wait: bool = True) -> ServiceProcess:
        """The same service instance again (same port, same environment), after it stopped or crashed."""
        if proc.alive:
            raise RuntimeError(f"{proc.label} is still running")
        proc.launch()
        if wait:
            await proc.wait_ready()
        return proc

    def running(self, name: str | None = None) -> list[ServiceProcess]:
        return [p for p in self.processes if p.alive and (name is None or p.name == name)]

    def get(self, label: str) -> ServiceProcess:
        for proc in self.processes:
            if proc.label == label:
                return proc
        raise KeyError(label)

    def pids(self) -> dict[str, int]:
        """The pid of each service's (and the gateway's) first instance, by name: what a one-lane run measures."""
        found: dict[str, int] = {}
        for proc in self.processes:
            if proc.popen is not None:
                found.setdefault(proc.name, proc.pid)
        return found

    def memory(self) -> dict[str, int | None]:
        return {p.label: p.rss_kib() for p in self.processes if p.alive}

    async def stop_all(self, timeout: float = 20) -> dict[str, int | None]:
        """Gateways first, then services, all with SIGTERM; SIGKILL for any that hang. Exit codes by label."""
        codes: dict[str, int | None] = {}
        order = [p for p in self.processes if p.name == "gateway"] + [p for p in self.processes if p.name != "gateway"]
        for proc in order:
            proc.send(signal.SIGTERM)
        for proc in order:
            code = await proc.wait_exit(timeout)
            if code is None:
                proc.send(signal.SIGKILL)
                code = await proc.wait_exit(5)
            codes[proc.label] = code
        return codes
