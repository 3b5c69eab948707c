"""Error bodies a form can use: each field at fault named, one status for validation, specific codes from services, CORS."""

from __future__ import annotations

import uuid

import grpc
import httpx
import pytest

from services.common.errors import InvalidInput, RuleViolation
from services.common.grpc_server import error_metadata
from services.common.settings import SettingsError, load_settings
from services.gateway.app import create_app
from services.gateway.errors import from_grpc
from tests.unit.gateway.test_edge_bounds import PATIENT, as_, edge  # noqa: F401  (edge is a fixture)


async def test_a_schema_failure_lists_each_field_without_the_body_prefix(edge):  # noqa: F811
    http, services = edge
    body = {"timeWorkoutStart": "2026-01-01T10:00:00Z", "timeWorkoutEnd": "2026-01-01T10:30:00Z",
            "painBefore": 11, "painAfter": 2, "perceivedDifficulty": 4,
            "exercises": [{"exerciseId": "not-an-id", "actualSets": 1, "actualReps": 1}]}
    reply = await http.post(f"/v2/workouts/{uuid.uuid4()}/complete", json=body, headers=as_("patient"))
    assert reply.status_code == 422, reply.text
    answer = reply.json()
    assert answer["error"] == "invalid_argument" and "painBefore" in answer["detail"]
    fields = [e["field"] for e in answer["errors"]]
    assert fields == ["painBefore", "exercises.0.exerciseId"], answer
    assert all(e["message"] for e in answer["errors"])
    assert services.calls == []


async def test_a_gateway_domain_check_is_the_same_422_naming_its_field(edge):  # noqa: F811
    http, services = edge
    bad_id = await http.get("/v1/patient-treatment-plans/nope", headers=as_("therapist"))
    assert bad_id.status_code == 422 and bad_id.json()["errors"] == [{"field": "planId", "message": bad_id.json()["errors"][0]["message"]}]
    window = await http.post(f"/v2/workouts/{uuid.uuid4()}/complete", headers=as_("patient"), json={
        "timeWorkoutStart": "1999-01-01T10:00:00Z", "timeWorkoutEnd": "1999-01-01T10:30:00Z",
        "painBefore": 1, "painAfter": 1, "perceivedDifficulty": 1})
    assert window.status_code == 422 and [e["field"] for e in window.json()["errors"]] == ["timeWorkoutStart"]
    assert services.calls == []


async def test_an_unknown_query_parameter_is_a_400_naming_it(edge):  # noqa: F811
    http, services = edge
    unknown = await http.get("/v1/patients?serach=x", headers=as_("therapist"))
    assert unknown.status_code == 400 and unknown.json()["error"] == "unknown_query_parameter", unknown.text
    assert unknown.json()["errors"] == [{"field": "serach", "message": "not a parameter of this route"}]
    bad_value = await http.get("/v1/patients?limit=0", headers=as_("therapist"))
    assert bad_value.status_code == 422 and [e["field"] for e in bad_value.json()["errors"]] == ["limit"], bad_value.text
    assert services.calls == []


async def test_json_that_cannot_be_read_is_a_400_with_no_fields(edge):  # noqa: F811
    http, services = edge
    for content in ('{"name": "n",', '{"name": NaN}'):
        reply = await http.post("/v1/exercises", content=content, headers={**as_("therapist"), "content-type": "application/json"})
        assert reply.status_code == 400 and reply.json()["errors"] == [] and reply.json()["detail"].startswith("body: "), reply.text
    assert services.calls == []


async def test_every_error_body_has_the_errors_list(edge):  # noqa: F811
    http, _ = edge
    # An API path: elsewhere an unknown GET is the web app's page (services/gateway/web.py).
    for reply in (await http.get("/v2/user/me"), await http.get("/v1/nowhere/at/all", headers=as_("patient")),
                  await http.get("/v2/user/me", headers=as_("patient"))):
        assert set(reply.json()) == {"error", "detail", "errors"}, reply.text


def _rpc_error(code: grpc.StatusCode, detail: str, trailing: tuple[tuple[str, str], ...]) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailing), detail)


def test_a_services_invalid_input_crosses_grpc_with_its_field():
    refused = InvalidInput("exercises[0].exerciseId", "is not prescribed in this plan")
    answer = from_grpc(_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, refused.detail, error_metadata(refused)))
    assert answer.status == 422 and answer.error == "invalid_argument"
    assert answer.errors == [{"field": "exercises[0].exerciseId", "message": "is not prescribed in this plan"}]


def test_a_services_specific_code_replaces_the_status_name():
    refused = RuleViolation("RTM billing is not enabled for this clinic (feature flag rtmBilling)", code="rtm_billing_disabled")
    answer = from_grpc(_rpc_error(grpc.StatusCode.FAILED_PRECONDITION, refused.detail, error_metadata(refused)))
    assert (answer.status, answer.error, answer.errors) == (400, "rtm_billing_disabled", [])
    plain = from_grpc(_rpc_error(grpc.StatusCode.FAILED_PRECONDITION, "a completed plan cannot become active", ()))
    assert plain.error == "failed_precondition"


def _gateway(origins: str) -> httpx.AsyncClient:
    app = create_app(load_settings({"MOMENTUM_ENV": "test", "MOMENTUM_CORS_ALLOW_ORIGINS": origins}))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


async def test_cors_answers_an_allowed_origin_only():
    async with _gateway("https://clinic.example, http://localhost:5173") as http:
        allowed = await http.get("/livez", headers={"Origin": "https://clinic.example"})
        assert allowed.headers.get("access-control-allow-origin") == "https://clinic.example"
        other = await http.get("/livez", headers={"Origin": "https://evil.example"})
        assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
        preflight = await http.options("/v2/user/me", headers={
            "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
        refused = await http.options("/v2/user/me", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
        assert "access-control-allow-origin" not in refused.headers


async def test_no_cors_headers_by_default():
    async with _gateway("") as http:
        reply = await http.get("/livez", headers={"Origin": "https://clinic.example"})
        assert reply.status_code == 200 and "access-control-allow-origin" not in reply.headers


def test_a_malformed_origin_stops_the_process_naming_the_variable():
    with pytest.raises(SettingsError, match="MOMENTUM_CORS_ALLOW_ORIGINS"):
        load_settings({"MOMENTUM_CORS_ALLOW_ORIGINS": "clinic.example"})
