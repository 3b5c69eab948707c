"""Schemathesis against the gateway's own /openapi.json over real HTTP: every operation, as a patient, a
therapist and an admin of a seeded clinic (and with a live session token for telemetry ingest), with
schema-valid and schema-breaking inputs. No 5xx; every 4xx is the {"error","detail"} body; every status,
content type and body matches the document.

Generated path and query ids are random, so half the cases swap them for the seeded clinic's real ids:
otherwise nearly everything would stop at a 404 and the service code behind it would go untried.
The fuzzing runs in a worker thread: the stack serves from this test's event loop."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from tests.support.route_table import ROUTES
from tests.support.security_world import World, user_of
from tests.support.telemetry import Exercise

MAX_EXAMPLES = int(os.environ.get("MOMENTUM_SCHEMATHESIS_EXAMPLES", "20"))
# Unset: the same examples every run (CI stays deterministic). Set: a fresh exploration, for hunting.
SEED = os.environ.get("MOMENTUM_SCHEMATHESIS_SEED")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SESSION_ROUTES = ("/v1/pose/frames", "/v1/media/events", "/v1/sessions/{session_id}/end")


@dataclass
class Findings:
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    successes: dict[str, int] = field(default_factory=dict)  # "METHOD path" -> 2xx replies
    tried: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


def _real_ids(world: World) -> dict[str, list[str]]:
    """Real values per parameter name: the seeded clinic's own patient, plan, workouts, records, session."""
    return {
        "patient_id": [str(world.p0)], "patientId": [str(world.p0)], "plan_id": [world.plan["planId"]],
        "workout_id": [w["workoutId"] for w in world.plan_workouts], "record_id": [world.ready_record, world.billed_record],
        "session_id": [world.replay_session, *(s.session_id for s in world.sessions)],
        "flag": ["appEntranceTracking", "rtmBilling"], "purpose": ["analytics", "biometric"],
    }


def _error_body_problem(response: requests.Response) -> str | None:
    if not 400 <= response.status_code < 600:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} without a JSON body: {response.text[:200]!r}"
    if (not isinstance(body, dict) or set(body) != {"error", "detail", "errors"}
            or not all(isinstance(body[k], str) for k in ("error", "detail")) or not isinstance(body["errors"], list)):
        return f"{response.status_code} body is not {{error, detail}}: {response.text[:200]!r}"
    return None


@dataclass
class Target:
    """Who calls, where, with which real ids, recording what came back."""

    schema: Any
    base_url: str
    who: str
    headers: dict[str, str]
    real: dict[str, list[str]]
    found: Findings
    http: requests.Session = field(default_factory=requests.Session)

    def attempt(self, operation: Any, phase: str, case: Any, use_real: bool, pick: int) -> None:
        if use_real:
            for location in (case.path_parameters, case.query):
                for name in list(location or {}):
                    if name in self.real:
                        location[name] = self.real[name][pick % len(self.real[name])]
        response = case.call(base_url=self.base_url, session=self.http, headers=self.headers, timeout=15)
        found = self.found
        found.cases += 1
        found.statuses[response.status_code] = found.statuses.get(response.status_code, 0) + 1
        label = f"[{self.who}, {phase}] {case.method.upper()} {operation.path}"
        found.tried.add(f"{operation.method.upper()} {operation.path}")
        if 200 <= response.status_code < 300:
            key = f"{operation.method.upper()} {operation.path}"
            found.successes[key] = found.successes.get(key, 0) + 1
        problem = _error_body_problem(response)
        if problem:
            found.failures.append(f"{label}: {problem}\n  {case.as_curl_command()}")
        try:
            case.validate_response(response, checks=CHECKS, headers=self.headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                found.failures.append(f"{label}: {type(failure).__name__}: {str(failure)[:1200]}\n  {case.as_curl_command()}")


def _cover(target: Target, paths: set[str]) -> None:
    """Schemathesis' coverage phase: the boundary and just-outside values of every parameter and field."""
    schema = target.schema
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path not in paths:
            continue
        config = schema.config.generation_for(operation=operation)
        for index, case in enumerate(schema.iter_coverage_cases(operation, generation_modes=modes, generation_config=config)):
            target.attempt(operation, "coverage", case, use_real=index % 2 == 1, pick=index)


def _fuzz(target: Target, paths: set[str]) -> None:
    """Random schema-valid and schema-breaking cases, MAX_EXAMPLES of each per operation."""
    for result in target.schema.get_all_operations():
        operation = result.ok()
        if operation.path not in paths:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @hypothesis.settings(
                max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=SEED is None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
            )
            @hypothesis.given(case=strategy, use_real=st.booleans(), pick=st.integers(0, 1000))
            def run(case: Any, use_real: bool, pick: int) -> None:
                target.attempt(operation, mode.value, case, use_real, pick)

            if SEED is not None:
                run = hypothesis.seed(int(SEED))(run)
            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                # Nothing in the operation can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label


def _both(target: Target, paths: set[str]) -> None:
    _cover(target, paths)
    _fuzz(target, paths)


def _checked(schema: Any, base_url: str, method: str, path: str, headers: dict[str, str], **data: Any) -> requests.Response:
    """One hand-made request validated exactly like the generated ones."""
    case = schema[path][method].Case(**data)
    response = case.call(base_url=base_url, headers=headers, timeout=15)
    problem = _error_body_problem(response)
    assert problem is None, f"{method} {path}: {problem}"
    case.validate_response(response, checks=CHECKS, headers=headers)
    return response


async def test_replies_that_only_state_produces_match_the_document(stack, world):
    """Statuses random inputs rarely reach (a second submission, an ended session, a spent key, a wrong media
    type, an oversized body) are declared in the document too."""
    spec = (await asyncio.to_thread(requests.get, f"{stack.base_url}/openapi.json", timeout=10)).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"], "422 must be documented as ErrorBody"
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            # Each route lists only its own errors: a 422 wherever there is input to refuse, as the error body.
            if path not in ("/healthz", "/livez", "/readyz") and (operation.get("parameters") or "requestBody" in operation):
                assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    # A degraded /healthz answers 503 with the same body (a stopped service is the fault suite's business).
    for readiness in ("/healthz", "/readyz"):
        assert spec["paths"][readiness]["get"]["responses"]["503"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/HealthReply"
        }
    schema = schemathesis.openapi.from_dict(spec)
    a, base = world.a, stack.base_url

    async def expect(status: int, method: str, path: str, headers: dict[str, str], **data: Any) -> None:
        reply = await asyncio.to_thread(_checked, schema, base, method, path, headers, **data)
        assert reply.status_code == status, f"{method} {path}: {reply.status_code} {reply.text[:200]}"

    form = {"templateKey": "post_session", "templateVersion": 1, "answers": {"pain_now": 2, "effort": 4, "felt": "same"}}
    workout = world.take_completed()["workoutId"]
    for status in (201, 409):
        await expect(status, "POST", "/v1/workouts/{workout_id}/form-responses", a.as_patient(),
                     path_parameters={"workout_id": workout}, body=form, media_type="application/json")
    award = {"patientId": str(world.p0), "amount": 3, "reason": "kept going", "idempotencyKey": "one-key"}
    await expect(201, "POST", "/api/xp/award", a.as_therapist(), body=award, media_type="application/json")
    await expect(409, "POST", "/api/xp/award", a.as_therapist(), body={**award, "amount": 4}, media_type="application/json")
    skipped = world.take_pending()["workoutId"]
    await expect(200, "POST", "/v1/workouts/{workout_id}/skip", a.as_patient(), path_parameters={"workout_id": skipped},
                 body={"reason": "ill"}, media_type="application/json")
    await expect(400, "POST", "/v2/workouts/{workout_id}/complete", a.as_patient(), path_parameters={"workout_id": skipped},
                 body={"timeWorkoutStart": "2026-01-01T10:00:00Z", "timeWorkoutEnd": "2026-01-01T10:30:00Z", "painBefore": 3,
                       "painAfter": 2, "perceivedDifficulty": 4}, media_type="application/json")
    for status in (200, 400):
        await expect(status, "POST", "/v1/billing-records/{record_id}/mark-billed", a.as_admin(),
                     path_parameters={"record_id": world.ready_record})

    session = await world.new_session()
    frames = {"Authorization": f"Bearer {session.token}"}
    batch = Exercise.of(reps=1, seed=85).batches[0]
    await expect(200, "POST", "/v1/pose/frames", frames, body=batch, media_type="application/octet-stream")
    await expect(415, "POST", "/v1/pose/frames", frames, body={"frames": []}, media_type="application/json")
    await expect(413, "POST", "/v1/pose/frames", frames, body=b"\0" * (stack.settings.gateway_max_body_bytes + 1),
                 media_type="application/octet-stream")
    await expect(200, "POST", "/v1/sessions/{session_id}/end", frames, path_parameters={"session_id": session.session_id})
    await expect(409, "POST", "/v1/pose/frames", frames, body=batch, media_type="application/octet-stream")


HOSTILE_FRAGMENTS = ["%00", "a%00b", "%FF", "%ED%A0%80", "%C0%80", "%F0%9F%98%80", "..%2F..", "x" * 300, "%20", "null"]


async def test_hostile_characters_in_every_path_and_query_parameter(stack, world):
    """NUL, broken UTF-8, overlong encodings, traversal and oversized values in each path parameter and in
    patientId, sent by a caller the route admits: a clean 4xx with the error body, never a 5xx."""
    spec = (await asyncio.to_thread(requests.get, f"{stack.base_url}/openapi.json", timeout=10)).json()
    tried = 0
    for (method, template), case in sorted(ROUTES.items()):
        call = await case.build(world)
        names = [p["name"] for p in spec["paths"][template][method.lower()].get("parameters", []) if p["in"] in ("path", "query")]
        if case.auth == "session":
            headers = dict(call.headers)
        else:
            role = case.roles[0]
            headers = world.a.headers(user_of(world.a, role), role)
        for name in names:
            for fragment in HOSTILE_FRAGMENTS:
                if "{" + name + "}" in template:
                    filled = template
                    for other in names:
                        if other != name and "{" + other + "}" in filled:
                            filled = filled.replace("{" + other + "}", call.path.split("/")[template.split("/").index("{" + other + "}")])
                    url, params = filled.replace("{" + name + "}", fragment), call.params
                else:
                    url, params = call.path, None
                    url += "?" + "&".join(f"{k}={v}" for k, v in {**(call.params or {}), name: fragment}.items())
                reply = await world.http.request(method, url, params=params, json=call.json, content=call.content, headers=headers)
                tried += 1
                assert reply.status_code < 500, f"{method} {url}: {reply.status_code} {reply.text[:200]}"
                if reply.status_code >= 400:
                    assert set(reply.json()) == {"error", "detail", "errors"}, f"{method} {url}: {reply.text[:200]}"
    assert tried >= 200


async def test_the_openapi_document_holds_for_every_operation_and_role(stack, world):
    spec = (await asyncio.to_thread(requests.get, f"{stack.base_url}/openapi.json", timeout=10)).json()
    schema = schemathesis.openapi.from_dict(spec)
    real = _real_ids(world)
    session_token = (await world.new_session()).token
    every = set(spec["paths"])
    found = Findings()
    started = time.monotonic()
    for role in ("patient", "therapist", "admin"):
        headers = world.a.headers(user_of(world.a, role), role)
        target = Target(schema, stack.base_url, role, headers, real, found)
        await asyncio.to_thread(_both, target, every - set(SESSION_ROUTES))
    target = Target(schema, stack.base_url, "session", {"Authorization": f"Bearer {session_token}"}, real, found)
    await asyncio.to_thread(_both, target, set(SESSION_ROUTES))
    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {found.cases} cases over {len(every)} paths in {elapsed:.1f}s; statuses {sorted(found.statuses.items())}")
    # One example per operation and kind of problem is enough to act on.
    first = {}
    for failure in found.failures:
        first.setdefault(failure.split(":", 1)[0] + failure.split(":", 2)[1][:60], failure)
    assert not first, f"{len(found.failures)} problems, e.g.:\n" + "\n\n".join(list(first.values())[:40])
    assert 500 not in found.statuses
    operations = {f"{method.upper()} {path}" for path, methods in spec["paths"].items() for method in methods}
    assert found.tried == operations
    # The real ids make the fuzzing reach the services: most operations got past validation at least once.
    assert len(found.successes) >= 0.75 * len(operations), sorted(operations - set(found.successes))
