"""The gateway's edge on its own (no services behind it): poison inputs are answered at the edge and never reach a
service, the document types every id as a UUID and bounds every string, and every route parses standard JSON."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator

import httpx
import pytest
from fastapi.routing import APIRoute

from services.common.settings import load_settings
from services.gateway.app import create_app
from services.gateway.auth import issue_local_token
from services.gateway.errors import ApiError
from services.gateway.standard_json import StandardJsonRoute
from tests.support.identities import resolver_for

TENANT, PATIENT, THERAPIST, ADMIN = (uuid.uuid4() for _ in range(4))
SETTINGS = load_settings({"MOMENTUM_ENV": "test"})


class _Stub:
    """Any rpc of a service stub: its name, which FakeServices.call records."""

    def __init__(self, service: str) -> None:
        self._service = service

    def __getattr__(self, rpc: str) -> str:
        return f"{self._service}.{rpc}"


class _Channel:
    def unary_unary(self, path: str, *args: Any, **kwargs: Any) -> str:
        return path


class FakeServices:
    """Stands in for ServiceClients and the telemetry ring: whatever reaches a service is recorded, answered 503."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.plans, self.streaks, self.entrances = _Stub("plans"), _Stub("streaks"), _Stub("entrances")
        self.channels = {"plans": _Channel()}

    async def call(self, method: Any, request: Any, *args: Any) -> Any:
        self.calls.append(str(method))
        raise ApiError(503, "unavailable", "no service in this test")


class FakeRing(FakeServices):
    async def call(self, rpc: str, request: Any, *args: Any) -> Any:  # type: ignore[override]
        return await super().call(rpc, request)

    async def ingest(self, session_key: str, token: str, body: bytes, request_id: str) -> Any:
        return await super().call("telemetry.StreamPoseBatches", body)


GATEWAY = create_app(SETTINGS)  # one app for the module: building it is the slow part
ROLE_OF = {PATIENT: "patient", THERAPIST: "therapist", ADMIN: "admin"}


@pytest.fixture
async def edge() -> AsyncIterator[tuple[httpx.AsyncClient, FakeServices]]:
    gateway = GATEWAY
    services = FakeServices()
    gateway.app.state.clients = services
    gateway.app.state.identities = resolver_for(TENANT, ROLE_OF, SETTINGS.auth.telemetry_token_keys)
    gateway.app.state.telemetry_ring = gateway.app.state.pose_streams = ring = FakeRing()
    ring.calls = services.calls
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gateway") as http:
        yield http, services


def as_(role: str) -> dict[str, str]:
    user = {"patient": PATIENT, "therapist": THERAPIST, "admin": ADMIN}[role]
    return {"Authorization": f"Bearer {issue_local_token(SETTINGS.auth, TENANT, user, role)}"}


def _completion(start: str, end: str) -> dict[str, Any]:
    return {"timeWorkoutStart": start, "timeWorkoutEnd": end, "painBefore": 3, "painAfter": 2, "perceivedDifficulty": 4}


def _soon(hours: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).isoformat()


@pytest.mark.parametrize("start, end, field", [
    ("1970-01-01T00:10:00+01:00", "1970-01-01T00:30:00+01:00", "timeWorkoutStart"),  # a phone clock reset, east of UTC
    ("0001-01-01T00:00:00Z", "0001-01-01T00:30:00Z", "timeWorkoutStart"),
    ("9999-12-31T23:29:59-12:00", "9999-12-31T23:59:59-12:00", "timeWorkoutStart"),  # past what a Timestamp holds
    ("2026-01-01T10:00:00Z", "9999-12-31T23:59:59-12:00", "timeWorkoutEnd"),
    ("1999-12-31T23:59:59Z", "2000-01-01T00:20:00Z", "timeWorkoutStart"),
    (_soon(24.5), _soon(25), "timeWorkoutStart"),
], ids=["1970 at +01:00", "year 1", "year 9999 at -12:00", "end in year 9999", "just before 2000", "a day ahead"])
async def test_completion_times_outside_the_window_never_reach_a_service(edge, start, end, field):
    http, services = edge
    reply = await http.post(f"/v2/workouts/{uuid.uuid4()}/complete", json=_completion(start, end), headers=as_("patient"))
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"] == "invalid_argument" and reply.json()["errors"][0]["field"] == field
    assert reply.json()["detail"].startswith(f"{field}: must lie between 2000-01-01T00:00:00Z and 24 h from now")
    assert services.calls == []


async def test_the_edges_of_the_window_are_inside_it(edge):
    http, services = edge
    for start, end in (("2000-01-01T00:00:00Z", "2000-01-01T00:30:00Z"), (_soon(23.5), _soon(23.9))):
        reply = await http.post(f"/v2/workouts/{uuid.uuid4()}/complete", json=_completion(start, end), headers=as_("patient"))
        assert reply.status_code == 503, reply.text  # it reached plans (the fake), which decides on the rest
    assert services.calls == ["plans.CompleteWorkout", "plans.CompleteWorkout"]


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
async def test_dates_outside_the_window_never_reach_a_service(edge, day):
    http, services = edge
    entry = {"minutes": 10, "activityType": "data_review", "interactive": False, "occurredOn": day}
    reply = await http.post(f"/v1/patients/{PATIENT}/time-entries", json=entry, headers=as_("therapist"))
    assert reply.status_code == 422 and reply.json()["detail"].startswith("occurredOn: must lie between"), reply.text
    plan = {"patientId": str(PATIENT), "title": "Knee", "startDate": day, "durationWeeks": 4, "frequencyPerWeek": 3,
            "exercises": [{"exerciseId": str(uuid.uuid4()), "sets": 3, "reps": 10}]}
    reply = await http.post("/v1/patient-treatment-plans", json=plan, headers=as_("therapist"))
    assert reply.status_code == 422 and reply.json()["detail"].startswith("startDate: must lie between"), reply.text
    for name, value in (("from", day), ("to", day)):
        query = {"from": "2026-01-01", "to": "2026-01-02", name: value}
        reply = await http.get("/api/daily-activity", params=query, headers=as_("patient"))
        assert reply.status_code == 422 and reply.json()["detail"].startswith(f"{name}: must lie between"), reply.text
    assert services.calls == []


POISON_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 5000]


def _json_routes(app: Any) -> list[tuple[str, str]]:
    spec = app.openapi()
    return [
        (method.upper(), path)
        for path, methods in spec["paths"].items() for method, operation in methods.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


async def test_every_json_route_refuses_bodies_that_are_not_standard_json(edge):
    http, services = edge
    routes = _json_routes(GATEWAY.app)
    assert len(routes) >= 15
    for method, template in routes:
        path = template
        for name in ("patient_id", "plan_id", "workout_id", "record_id", "session_id", "patientId"):
            path = path.replace("{" + name + "}", str(uuid.uuid4()))
        path = path.replace("{flag}", "rtmBilling").replace("{purpose}", "analytics")
        for number in POISON_NUMBERS:
            body = '{"events": [{"position_seconds": %s}], "name": "n", "poseProfile": {"a": %s}}' % (number, number)
            reply = await http.request(method, path, content=body, headers={**as_("admin"), "content-type": "application/json"})
            assert reply.status_code == 400, (method, path, number, reply.text)
            assert reply.json()["error"] == "invalid_argument" and reply.json()["detail"].startswith("body: "), reply.text
            assert len(reply.json()["detail"]) < 120
    assert services.calls == []


async def test_the_issues_own_example_is_a_400_naming_nan(edge):
    http, services = edge
    reply = await http.post("/v1/exercises", content='{"name":"n","poseProfile":{"a":NaN}}',
                            headers={**as_("therapist"), "content-type": "application/json"})
    assert reply.status_code == 400
    assert reply.json() == {"error": "invalid_argument", "detail": "body: NaN is not a JSON number (JSON has no NaN or Infinity)",
                            "errors": []}
    malformed = await http.post("/v1/exercises", content='{"name": "n",', headers={**as_("therapist"), "content-type": "application/json"})
    assert malformed.status_code == 400, malformed.text  # a body that is not JSON at all: 400 like NaN (README)
    assert malformed.json()["detail"] == "body: malformed JSON at character 13"
    assert services.calls == []


def _api_routes(routes: Any) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if hasattr(route, "effective_candidates"):  # an included router (FastAPI >= 0.16x)
            found += _api_routes(route.effective_candidates())
        route = getattr(route, "original_route", route)  # a route of an included router, in its context
        if isinstance(route, APIRoute):
            found.append(route)
    return found


async def test_every_route_is_a_standard_json_route():
    routes = _api_routes(GATEWAY.app.routes)
    assert len(routes) >= 40
    assert [r.path for r in routes if not isinstance(r, StandardJsonRoute) and r.path not in ("/healthz", "/livez", "/readyz", "/metrics")] == []


LONG = "x" * 100_000


@pytest.mark.parametrize("method, path, role, body", [
    ("PUT", f"/v1/patients/{PATIENT}/therapist", "therapist", {"therapistId": LONG}),
    ("POST", "/v2/user/auto-update-timezone", "patient", {"timezone": LONG}),
    ("POST", "/v2/user/auto-update-timezone", "patient", {"timezone": "UTC", LONG: 1}),
    ("POST", "/v1/exercises", "therapist", {"name": "n", "poseProfile": {LONG: 1}}),
    ("POST", "/v1/exercises", "therapist", {"name": "n", "poseProfile": {"joint": LONG}}),
    ("POST", "/v1/exercises", "therapist", {"name": LONG}),
    ("POST", f"/v1/workouts/{uuid.uuid4()}/form-responses", "patient",
     {"templateKey": "post_session", "templateVersion": 1, "answers": {LONG: "same"}}),
    ("POST", "/v1/media/events", "patient", {"events": [{LONG: 1}]}),
    ("POST", "/api/xp/award", "therapist", {"patientId": LONG, "amount": 1, "reason": "r", "idempotencyKey": "k"}),
    ("PUT", f"/v1/admin/feature-flags/{'x' * 5000}", "admin", {"enabled": True}),
    ("GET", f"/v1/patient-treatment-plans/{'x' * 5000}", "therapist", None),
    ("GET", f"/v2/streaks?patientId={'x' * 5000}", "therapist", None),
])
async def test_a_long_input_is_refused_without_being_echoed(edge, method, path, role, body):
    http, services = edge
    reply = await http.request(method, path, json=body, headers=as_(role))
    assert 400 <= reply.status_code < 500 and reply.status_code != 429, reply.text[:300]
    detail = reply.json()["detail"]
    assert len(detail) < 300 and "x" * 50 not in detail, detail[:300]
    assert services.calls == []


async def test_free_form_json_nested_past_any_real_body_is_refused(edge):
    http, services = edge
    deep: Any = 1
    for _ in range(200):
        deep = {"a": deep}
    reply = await http.post("/v1/exercises", json={"name": "n", "poseProfile": deep}, headers=as_("therapist"))
    assert reply.status_code == 422 and "nested deeper" in reply.json()["detail"], reply.text[:300]
    tower = "[" * 100_000 + "]" * 100_000
    reply = await http.post("/v1/exercises", content=tower, headers={**as_("therapist"), "content-type": "application/json"})
    assert reply.status_code == 400, reply.text[:300]
    assert services.calls == []


def _strings(schema: dict[str, Any], spec: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """(where, schema) of every string a request may carry, following $refs, anyOf and arrays."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    found: list[tuple[str, dict[str, Any]]] = []
    for option in schema.get("anyOf", []):
        found += _strings(option, spec, where)
    if schema.get("type") == "string":
        found.append((where, schema))
    if schema.get("type") == "array":
        found += _strings(schema.get("items", {}), spec, f"{where}[]")
    for name, prop in schema.get("properties", {}).items():
        found += _strings(prop, spec, f"{where}.{name}")
    return found


def test_the_document_types_every_id_as_a_uuid_and_bounds_every_string():
    spec = GATEWAY.app.openapi()
    strings: list[tuple[str, dict[str, Any]]] = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                strings += _strings(parameter["schema"], spec, f"{method} {path} {parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                strings += _strings(body["schema"], spec, f"{method} {path} body")
    ids = [(where, s) for where, s in strings if where.lower().endswith(("id", "_id"))]
    assert len(ids) >= 25
    assert [where for where, s in ids if s.get("format") != "uuid"] == []
    bounded = ("maxLength" in s or s.get("format") in ("uuid", "date", "date-time") or "enum" in s for _, s in strings)
    assert [where for (where, _), ok in zip(strings, bounded) if not ok] == []
