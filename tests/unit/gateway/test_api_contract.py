"""The contract a typed client is generated from: every operation named, described and typed, errors per route."""

from __future__ import annotations

import pkgutil
import re
from importlib import import_module
from typing import Any, Iterator

import pytest

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from services.common.settings import load_settings
from services.gateway import routes
from services.gateway.app import create_app
from services.gateway.routing import refuses_unknown_query, staff

APP = create_app(load_settings({"MOMENTUM_ENV": "test"})).app
SPEC: dict[str, Any] = APP.openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in SPEC["paths"].items() for method, operation in methods.items()
]
CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]+$")

# Properties whose names look like an id, a date or an instant but are not one, each for a reason a client can see.
NOT_A_UUID = {
    "XpAwardBody.idempotencyKey",  # chosen by the client: any short text, not necessarily a UUID
    "XpAwardReply.idempotencyKey",
    "ErrorBody.requestId",
}
NOT_AN_INSTANT: set[str] = set()
NOT_A_DATE = {
    "StreakReply.lastWorkoutDate",  # an instant (date-time) under a name clients read before this contract
}
FREE_TEXT_CODES: set[str] = set()


def _schemas() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(model, property, schema) of every property of every component, arrays and nullables unwrapped."""
    for model, schema in SPEC["components"]["schemas"].items():
        for name, prop in schema.get("properties", {}).items():
            yield model, name, prop


def _variants(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a property, items of arrays followed, $refs resolved."""
    found: list[dict[str, Any]] = []
    for variant in prop.get("anyOf", prop.get("oneOf", [prop])):
        if variant.get("type") == "null":
            continue
        if variant.get("type") == "array" and "items" in variant:
            found += _variants(variant["items"])
            continue
        if variant.get("type") == "object" and isinstance(variant.get("additionalProperties"), dict):
            found += _variants(variant["additionalProperties"])  # a map keyed by purpose, day, ...: its values
            continue
        if "$ref" in variant:
            variant = SPEC["components"]["schemas"][variant["$ref"].rsplit("/", 1)[1]]
        found.append(variant)
    return found


def test_every_operation_has_a_unique_camel_case_id_and_a_description():
    ids = [operation.get("operationId", "") for _, _, operation in OPERATIONS]
    unnamed = [f"{m} {p}" for m, p, o in OPERATIONS if not CAMEL.match(o.get("operationId", ""))]
    assert unnamed == [], f"operations without a camelCase operationId: {unnamed}"
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    undescribed = [f"{m} {p}" for m, p, o in OPERATIONS if not o.get("description", "").strip()]
    assert undescribed == [], f"operations without a description (the route's docstring): {undescribed}"


def test_the_operation_ids_clients_already_use_stay():
    named = {(m, p): o["operationId"] for m, p, o in OPERATIONS}
    assert named[("GET", "/v1/patients")] == "listPatients"
    assert named[("GET", "/v1/patients/{patient_id}/summary")] == "getPatientSummary"
    assert named[("GET", "/v1/billing/records")] == "listBillingRecords"
    assert named[("POST", "/v2/workouts/{workout_id}/complete")] == "completeWorkout"


def test_every_json_body_carries_an_example():
    missing = []
    for method, path, operation in OPERATIONS:
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            continue
        schema = content.get("schema", {})
        if "$ref" in schema:
            schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if not (content.get("example") or content.get("examples") or schema.get("examples") or schema.get("example")):
            missing.append(f"{method} {path}")
    assert missing == []


@pytest.mark.parametrize("rule", ["id", "at", "date", "enum"])
def test_every_property_is_typed_by_its_name(rule):
    wrong = []
    for model, name, prop in _schemas():
        where = f"{model}.{name}"
        variants = _variants(prop)
        if rule == "id" and (name == "id" or name.endswith("Id")) and where not in NOT_A_UUID:
            if not all(v.get("format") == "uuid" for v in variants):
                wrong.append(where)
        elif rule == "at" and name.endswith("At") and where not in NOT_AN_INSTANT:
            if not all(v.get("format") == "date-time" for v in variants):
                wrong.append(where)
        elif rule == "date" and (name == "date" or name.endswith("Date")) and where not in NOT_A_DATE:
            if not all(v.get("format") == "date" for v in variants):
                wrong.append(where)
        elif rule == "enum" and name in ("status", "code", "kind") and where not in FREE_TEXT_CODES:
            if not all("enum" in v or "const" in v for v in variants):
                wrong.append(where)
    assert wrong == [], f"properties not typed as their name says ({rule}): {wrong}"


def _authenticated(operation: dict[str, Any]) -> bool:
    return bool(operation.get("security")) or "401" in operation["responses"]


def test_each_route_lists_the_errors_it_can_return():
    for method, path, operation in OPERATIONS:
        responses = operation["responses"]
        where = f"{method} {path}"
        if path in ("/livez", "/openapi.json"):
            continue
        assert "503" in responses, where
        has_input = bool(operation.get("parameters")) or "requestBody" in operation
        if has_input:
            assert "422" in responses, where
        else:
            assert "422" not in responses, where
        if "{" in path and not path.startswith("/v1/admin/feature-flags"):
            assert "404" in responses, where
        if path.startswith(("/v1/", "/v2/", "/api/")) and not path.startswith("/v1/session/"):
            assert "401" in responses and "403" in responses, where
        for status, answer in responses.items():
            if status.startswith(("4", "5")) and status not in ("503",) or status == "503" and path not in ("/readyz", "/healthz"):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (where, status)


def test_the_error_body_names_fields():
    body = SPEC["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) >= {"error", "detail"}
    field = SPEC["components"]["schemas"]["FieldError"]
    assert set(field["required"]) == {"field", "message"}


def test_routes_refusing_unknown_query_parameters_document_the_400():
    routers = [import_module(f"services.gateway.routes.{m.name}").router for m in pkgutil.iter_modules(routes.__path__)]
    refusing = [
        (method, route.path) for router in routers for route in router.routes
        if isinstance(route, APIRoute) and refuses_unknown_query(route) for method in route.methods
    ]
    assert ("GET", "/v1/patients") in refusing and ("GET", "/v1/exercise-videos/quality") in refusing
    for method, path in refusing:
        answer = SPEC["paths"][path][method.lower()]["responses"].get("400")
        assert answer is not None and "unknown_query_parameter" in answer["description"], f"{method} {path}"


def test_unknown_query_parameters_are_400_naming_each_and_bad_values_stay_422():
    http = TestClient(APP)
    # The token is looked at first: a stranger hears 401, whatever the query.
    assert http.get("/v1/exercise-videos/quality?form=2026-01-01T00:00:00Z").status_code == 401
    app = create_app(load_settings({"MOMENTUM_ENV": "test"})).app
    app.dependency_overrides[staff] = lambda: None
    http = TestClient(app)
    reply = http.get("/v1/exercise-videos/quality?form=2026-01-01T00:00:00Z&tto=x")
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"] == "unknown_query_parameter"
    assert reply.json()["errors"] == [
        {"field": "form", "message": "not a parameter of this route"}, {"field": "tto", "message": "not a parameter of this route"},
    ]
    bad = http.get("/v1/exercise-videos/quality?from=yesterday")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "from", bad.text
