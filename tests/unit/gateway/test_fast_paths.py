"""The hot routes answered in front of FastAPI (pose frames, the entrance log): the same replies, errors, request id and metrics as the routes they stand for."""

from __future__ import annotations

import time
import uuid
from typing import Any, AsyncIterator

import httpx
import pytest
from prometheus_client import REGISTRY

from google.protobuf.timestamp_pb2 import Timestamp

from momentum.entrances.v1 import entrances_pb2
from momentum.telemetry.v1 import telemetry_pb2
from services.common.settings import load_settings
from services.gateway.app import create_app
from services.gateway.auth import issue_local_token
from services.common.session_token import SessionClaims, issue_session_token
from services.gateway.errors import ApiError
from services.gateway.identity_check import IdentityResolver, StoredIdentity
from services.gateway.middleware import GatewayMiddleware

SETTINGS = load_settings({"MOMENTUM_ENV": "test"})
GATEWAY = create_app(SETTINGS)
BINARY = {"Authorization": "Bearer the.session.token", "Content-Type": "application/octet-stream"}


class FakeStreams:
    """The gateway's pose streams to telemetry: records each batch, acks it like telemetry (or fails as told)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, bytes, str]] = []
        self.failure: ApiError | None = None

    async def ingest(self, session_key: str, token: str, body: bytes, request_id: str) -> Any:
        self.calls.append((session_key, token, body, request_id))
        if self.failure is not None:
            raise self.failure
        return telemetry_pb2.IngestPoseBatchReply(
            session_id="s-1", frames_received=30, frames_accepted=29, duplicate_frames=1, last_timestamp_ms=990,
            session_frames=59,
        )


class FakePlans:
    """plans' ResolveIdentity: every patient is active unless listed as deactivated; counts the questions."""

    def __init__(self) -> None:
        self.deactivated: set[uuid.UUID] = set()
        self.asked = 0

    async def __call__(self, tenant_id: uuid.UUID, user_id: uuid.UUID, request_id: str) -> StoredIdentity:
        self.asked += 1
        return StoredIdentity(True, True, True, "patient", user_id not in self.deactivated)


PLANS = FakePlans()


CLINIC = uuid.uuid4()


def genuine_session_token(patient_id: uuid.UUID) -> str:
    now = int(time.time())
    claims = SessionClaims(
        tenant_id=str(CLINIC), patient_id=str(patient_id), session_id=str(uuid.uuid4()), workout_id=str(uuid.uuid4()),
        exercise_id=str(uuid.uuid4()), purposes=("analytics",), issued_at=now, expires_at=now + 600,
    )
    return issue_session_token(SETTINGS.auth.telemetry_token_keys, SETTINGS.auth.telemetry_token_active_key, claims)


@pytest.fixture
async def pose() -> AsyncIterator[tuple[httpx.AsyncClient, FakeStreams]]:
    ring = FakeStreams()
    GATEWAY.app.state.pose_streams = ring
    GATEWAY.app.state.identities = IdentityResolver(PLANS, 30, SETTINGS.auth.telemetry_token_keys)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=GATEWAY), base_url="http://gateway") as http:
        yield http, ring


def _counted(status: str) -> float:
    labels = {"method": "POST", "route": "/v1/pose/frames", "status": status}
    return REGISTRY.get_sample_value("momentum_http_requests_total", labels) or 0.0


async def test_a_batch_reaches_telemetry_as_sent_and_the_reply_is_the_route_s_json(pose):
    http, ring = pose
    before = _counted("200")
    reply = await http.post("/v1/pose/frames", content=b"\x1f\x8b gzip bytes", headers={**BINARY, "x-request-id": "req-7"})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/json" and reply.headers["x-request-id"] == "req-7"
    assert reply.json() == {"sessionId": "s-1", "framesReceived": 30, "framesAccepted": 29, "duplicateFrames": 1,
                            "lastTimestampMs": 990, "sessionFrames": 59}
    assert ring.calls == [("the.session.token", "the.session.token", b"\x1f\x8b gzip bytes", "req-7")]
    assert _counted("200") == before + 1  # labelled with its route, as FastAPI's routing would


@pytest.mark.parametrize("headers, status, error", [
    ({"Authorization": "Bearer t", "Content-Type": "application/json"}, 415, "unsupported_media_type"),
    ({"Content-Type": "application/octet-stream"}, 401, "unauthenticated"),
    ({"Authorization": "Basic dTpw", "Content-Type": "application/octet-stream"}, 401, "unauthenticated"),
], ids=["json body", "no token", "not a bearer token"])
async def test_refused_batches_never_reach_telemetry(pose, headers, status, error):
    http, ring = pose
    reply = await http.post("/v1/pose/frames", content=b"{}", headers=headers)
    assert reply.status_code == status and reply.json()["error"] == error and reply.json()["detail"]
    assert ring.calls == []


async def test_an_answer_of_telemetry_s_is_mapped_like_every_route_s_with_its_headers(pose):
    http, ring = pose
    ring.failure = ApiError(503, "unavailable", "telemetry restarting; retry")
    ring.failure.headers = {"Retry-After": "3"}
    reply = await http.post("/v1/pose/frames", content=b"x", headers=BINARY)
    assert reply.status_code == 503 and reply.headers["retry-after"] == "3"
    assert reply.json() == {"error": "unavailable", "detail": "telemetry restarting; retry", "errors": []}


async def test_an_oversized_batch_is_refused_by_the_edge_before_the_fast_path(pose):
    http, ring = pose
    reply = await http.post("/v1/pose/frames", content=b"x" * (SETTINGS.gateway_max_body_bytes + 1), headers=BINARY)
    assert reply.status_code == 413 and ring.calls == []


async def test_other_methods_and_paths_still_go_through_fastapi(pose):
    http, ring = pose
    assert (await http.get("/v1/pose/frames")).status_code == 405
    assert (await http.post("/v1/pose/frames/", content=b"x", headers=BINARY)).status_code in (307, 404)
    assert ring.calls == []


async def test_the_fastapi_route_gives_the_same_answers_to_an_app_mounted_without_the_fast_path(pose):
    fast, ring = pose
    plain = GatewayMiddleware(GATEWAY.app.app, SETTINGS.gateway_max_body_bytes)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://gateway") as http:
        for headers in (BINARY, {**BINARY, "Content-Type": "text/plain"}, {"Content-Type": "application/octet-stream"}):
            slow_reply = await http.post("/v1/pose/frames", content=b"x", headers=headers)
            fast_reply = await fast.post("/v1/pose/frames", content=b"x", headers=headers)
            assert (slow_reply.status_code, slow_reply.json()) == (fast_reply.status_code, fast_reply.json())
    assert len(ring.calls) == 2  # the valid batch, once by each path


async def test_a_deactivated_patient_s_batches_are_refused_and_an_active_one_asks_plans_once(pose):
    http, ring = pose
    active, gone = uuid.uuid4(), uuid.uuid4()
    PLANS.deactivated.add(gone)
    asked = PLANS.asked
    for _ in range(5):  # one patient's session: a batch a second, plans asked for the first only
        reply = await http.post("/v1/pose/frames", content=b"x", headers={**BINARY, "Authorization": f"Bearer {genuine_session_token(active)}"})
        assert reply.status_code == 200, reply.text
    assert PLANS.asked == asked + 1 and len(ring.calls) == 5
    refused = await http.post("/v1/pose/frames", content=b"x", headers={**BINARY, "Authorization": f"Bearer {genuine_session_token(gone)}"})
    assert refused.status_code == 401 and "deactivated" in refused.json()["detail"]
    assert len(ring.calls) == 5  # the refused batch never reached telemetry


# ------------------------------------------------------------------ the entrance log


class FakeClients:
    """The gateway's gRPC clients as the log route uses them: entrances' LogEntrance, recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any]] = []
        self.entrances = self

    async def LogEntrance(self, request: Any, **_: Any) -> Any:  # noqa: N802 (the stub's name)
        raise AssertionError("reached only through call()")

    async def call(self, method: Any, request: Any, caller: Any) -> Any:
        self.calls.append((request, caller))
        finalize_after = Timestamp(seconds=1_770_000_000)
        return entrances_pb2.LogEntranceReply(
            status="PENDING", action="created", entrance_id=str(ENTRANCE), local_date="2026-03-02",
            finalize_after=finalize_after,
        )


ENTRANCE = uuid.uuid4()


@pytest.fixture
async def gateway(pose) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, FakeClients]]:
    fast, _ = pose
    clients = FakeClients()
    GATEWAY.app.state.clients = clients
    plain = GatewayMiddleware(GATEWAY.app.app, SETTINGS.gateway_max_body_bytes)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://gateway") as slow:
        yield fast, slow, clients


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_local_token(SETTINGS.auth, CLINIC, uuid.uuid4(), role)}"}


async def test_a_log_is_answered_by_the_fast_path_exactly_as_the_fastapi_route_answers_it(gateway):
    fast, slow, clients = gateway
    headers = bearer("patient")
    for body in ({}, {"json": {}}):  # no body at all, or the web app's `{}`
        fast_reply = await fast.post("/v2/app-entrances/log", headers=headers, **body)
        slow_reply = await slow.post("/v2/app-entrances/log", headers=headers, **body)
        assert fast_reply.status_code == slow_reply.status_code == 202
        assert fast_reply.content == slow_reply.content
        assert fast_reply.json() == {"status": "PENDING", "entranceId": str(ENTRANCE),
                                     "finalizeAfter": "2026-02-02T02:40:00Z", "localDate": "2026-03-02"}
    assert len(clients.calls) == 4 and {caller.role for _, caller in clients.calls} == {"patient"}


@pytest.mark.parametrize("headers, body, status", [
    ({}, {}, 401),
    ({"Authorization": "Basic dTpw"}, {}, 401),
    ("therapist", {}, 403),
    ("patient", {"json": {"patientId": str(uuid.uuid4())}}, 422),
    ("patient", {"content": b"not json", "headers": {"Content-Type": "text/plain"}}, 422),
], ids=["no token", "not a bearer token", "not a patient", "a field", "not json"])
async def test_refused_logs_never_reach_entrances_and_are_refused_as_fastapi_refuses_them(gateway, headers, body, status):
    fast, slow, clients = gateway
    headers = bearer(headers) if isinstance(headers, str) else headers
    body = dict(body)
    extra = body.pop("headers", {})
    fast_reply = await fast.post("/v2/app-entrances/log", headers={**headers, **extra}, **body)
    slow_reply = await slow.post("/v2/app-entrances/log", headers={**headers, **extra}, **body)
    assert (fast_reply.status_code, fast_reply.json()) == (slow_reply.status_code, slow_reply.json())
    assert fast_reply.status_code == status and fast_reply.json()["detail"]
    assert clients.calls == []
