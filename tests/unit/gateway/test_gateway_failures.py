"""How the gateway fails: a bug is one 500, counted in /metrics and logged once with its traceback; an outage is a
503 with Retry-After, one warning line; liveness asks nothing, readiness asks every service."""

from __future__ import annotations

import logging
import traceback
import uuid
from typing import Any, AsyncIterator

import grpc
import httpx
import pytest
from prometheus_client import REGISTRY

from services.common.settings import load_settings
from services.gateway.app import create_app
from services.gateway.auth import issue_local_token
from services.gateway.errors import ApiError, from_grpc
from tests.support.identities import resolver_for

SETTINGS = load_settings({"MOMENTUM_ENV": "test"})
TENANT, PATIENT = uuid.uuid4(), uuid.uuid4()
GATEWAY = create_app(SETTINGS)
ME = "/v2/user/me"


class _Stub:
    def __getattr__(self, rpc: str) -> str:
        return rpc


class FakeClients:
    """Stands in for ServiceClients: each call does what the test says; health answers what the test says."""

    def __init__(self) -> None:
        self.plans = self.streaks = self.entrances = _Stub()
        self.failure: BaseException = RuntimeError("a bug in a route")
        self.statuses = {"plans": "serving", "streaks": "serving"}
        self.health_asked = 0

    async def call(self, method: Any, request: Any, caller: Any) -> Any:
        raise self.failure

    async def health(self) -> dict[str, str]:
        self.health_asked += 1
        return dict(self.statuses)


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[httpx.AsyncClient, FakeClients]]:
    clients = FakeClients()
    GATEWAY.app.state.clients = clients
    GATEWAY.app.state.identities = resolver_for(TENANT, {PATIENT: "patient"}, SETTINGS.auth.telemetry_token_keys)
    # raise_app_exceptions: an exception escaping the gateway reaches the server (uvicorn), which logs its
    # traceback a second time; here it would fail the test instead.
    transport = httpx.ASGITransport(app=GATEWAY, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http, clients


def patient() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_local_token(SETTINGS.auth, TENANT, PATIENT, 'patient')}"}


def counted(route: str, status: int) -> float:
    return REGISTRY.get_sample_value(
        "momentum_http_requests_total", {"method": "GET", "route": route, "status": str(status)}
    ) or 0.0


async def test_an_unhandled_error_is_one_counted_500_logged_once_with_its_traceback(gateway, caplog):
    http, _ = gateway
    before = counted(ME, 500)
    with caplog.at_level(logging.INFO):
        reply = await http.get(ME, headers=patient())
    assert reply.status_code == 500
    assert reply.json()["error"] == "internal" and reply.headers["x-request-id"] in reply.json()["detail"]
    assert counted(ME, 500) == before + 1
    tracebacks = [r for r in caplog.records if _traceback(r)]
    assert len(tracebacks) == 1, [r.getMessage()[:120] for r in caplog.records]
    assert "a bug in a route" in _traceback(tracebacks[0])
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == tracebacks  # no second line about it


async def test_a_service_outage_is_a_503_with_retry_after_counted_and_one_warning_without_traceback(gateway, caplog):
    http, clients = gateway
    clients.failure = from_grpc(_rpc_error(grpc.StatusCode.UNAVAILABLE, "database unavailable; retry", retry_after="2"))
    before = counted(ME, 503)
    with caplog.at_level(logging.INFO):
        reply = await http.get(ME, headers=patient())
    assert reply.status_code == 503
    assert reply.headers["retry-after"] == "2"
    assert reply.json() == {"error": "unavailable", "detail": "database unavailable; retry", "errors": []}
    assert counted(ME, 503) == before + 1
    assert [r for r in caplog.records if _traceback(r)] == []
    assert [r.levelno for r in caplog.records if r.levelno >= logging.WARNING] == [logging.WARNING]


def test_every_503_carries_retry_after():
    # A service that is unreachable gives no hint: the default.
    assert from_grpc(_rpc_error(grpc.StatusCode.UNAVAILABLE, "failed to connect")).headers == {"Retry-After": "1"}
    assert from_grpc(_rpc_error(grpc.StatusCode.CANCELLED, "")).headers == {"Retry-After": "1"}
    assert ApiError(503, "unavailable", "x").headers == {"Retry-After": "1"}
    # A nonsense hint is ignored; other statuses get none.
    assert from_grpc(_rpc_error(grpc.StatusCode.UNAVAILABLE, "x", retry_after="99999")).headers == {"Retry-After": "1"}
    assert from_grpc(_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, "painAfter: 0 to 10")).headers == {}


async def test_liveness_asks_nothing_and_readiness_asks_every_service(gateway, caplog):
    http, clients = gateway
    clients.statuses["streaks"] = "not_serving"
    before = counted("/readyz", 503)
    live = await http.get("/livez")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert clients.health_asked == 0
    for path in ("/readyz", "/healthz"):
        ready = await http.get(path)
        assert ready.status_code == 503, path
        assert ready.json() == {"status": "degraded", "dependencies": {"plans": "serving", "streaks": "not_serving"}}
        assert ready.headers["retry-after"]
    # A probe's "not ready" is counted, but not a warning line each time it is asked.
    assert counted("/readyz", 503) == before + 1
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    clients.statuses["streaks"] = "serving"
    assert (await http.get("/readyz")).status_code == 200


def _traceback(record: logging.LogRecord) -> str:
    """The traceback a record will render ('' for none): structlog carries exc_info in its event dict."""
    exc_info = record.exc_info or (record.msg.get("exc_info") if isinstance(record.msg, dict) else None)
    if not exc_info:
        return ""
    if isinstance(exc_info, BaseException):
        return "".join(traceback.format_exception(exc_info))
    return "".join(traceback.format_exception(*exc_info)) if isinstance(exc_info, tuple) else "a traceback"


def _rpc_error(code: grpc.StatusCode, details: str, retry_after: str | None = None) -> grpc.aio.AioRpcError:
    trailing = grpc.aio.Metadata(("retry-after-seconds", retry_after)) if retry_after else grpc.aio.Metadata()
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), trailing, details)
