"""The gateway's edges: authentication, roles, unknown routes, body limits, health, metrics, docs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import jwt

from tests.support.clinic import client, new_clinic


def forged(settings, clinic, **changes):
    claims = {
        "sub": str(clinic.patient_id), "tenant": str(clinic.tenant_id), "role": "patient",
        "aud": settings.auth.jwt_audience, "iss": settings.auth.jwt_issuer,
        "exp": datetime.now(timezone.utc) + timedelta(hours=1),
    }
    secret = changes.pop("secret", settings.auth.jwt_secret)
    claims.update(changes)
    return {"Authorization": "Bearer " + jwt.encode(claims, secret, algorithm="HS256")}


async def test_tokens_that_must_not_pass(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    s = stack.settings
    cases = {
        "no token": {},
        "not bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
        "garbage": {"Authorization": "Bearer not-a-jwt"},
        "other key": forged(s, clinic, secret="another-secret-of-some-length-0123456789"),
        "expired": forged(s, clinic, exp=datetime.now(timezone.utc) - timedelta(seconds=5)),
        "wrong audience": forged(s, clinic, aud="someone-else"),
        "unknown role": forged(s, clinic, role="superuser"),
        "tenant not a uuid": forged(s, clinic, tenant="clinic-1"),
    }
    async with client(stack.base_url) as http:
        for name, headers in cases.items():
            reply = await http.get("/v2/user/me", headers=headers)
            assert reply.status_code == 401, name
            assert reply.json()["error"] == "unauthenticated", name
            assert reply.json()["detail"], name
        alg_none = jwt.encode({"sub": str(clinic.patient_id), "tenant": str(clinic.tenant_id), "role": "admin"}, None, algorithm="none")
        reply = await http.get("/v1/admin/feature-flags", headers={"Authorization": f"Bearer {alg_none}"})
        assert reply.status_code == 401


async def test_roles_are_enforced(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        for headers in (clinic.as_patient(), clinic.as_therapist()):
            reply = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True}, headers=headers)
            assert reply.status_code == 403
            assert reply.json()["error"] == "permission_denied"
        reply = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True}, headers=clinic.as_admin())
        assert reply.status_code == 200
        assert reply.json()["flags"]["rtmBilling"] is True
        unknown = await http.put("/v1/admin/feature-flags/rtmBiling", json={"enabled": True}, headers=clinic.as_admin())
        assert unknown.status_code == 422 and "rtmBiling" in unknown.json()["detail"]
        not_bool = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": "yes"}, headers=clinic.as_admin())
        assert not_bool.status_code == 422 and "enabled" in not_bool.json()["detail"]


async def test_a_token_for_a_user_that_does_not_exist_gets_401_not_data(stack):
    # The gateway resolves every token against plans' users (services.gateway.identity_check).
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        reply = await http.get("/v2/user/me", headers=clinic.headers(uuid.uuid4(), "patient"))
    assert reply.status_code == 401 and reply.json()["error"] == "unauthenticated"


async def test_unknown_route_is_json_404(stack):
    async with client(stack.base_url) as http:
        reply = await http.get("/v9/nothing-here")
    assert reply.status_code == 404
    assert reply.json() == {"error": "not_found", "detail": "Not Found", "errors": []}


async def test_oversized_body_is_413(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    big = b'{"timezone": "' + b"x" * (stack.settings.gateway_max_body_bytes + 10) + b'"}'
    async with client(stack.base_url) as http:
        declared = await http.post(
            "/v2/user/auto-update-timezone", content=big,
            headers={**clinic.as_patient(), "content-type": "application/json"},
        )
        assert declared.status_code == 413
        assert declared.json()["error"] == "payload_too_large"

        async def chunks():
            for _ in range(20):
                yield b"x" * 100_000

        streamed = await http.post(
            "/v2/user/auto-update-timezone", content=chunks(),
            headers={**clinic.as_patient(), "content-type": "application/json"},
        )
        assert streamed.status_code == 413


async def test_request_id_is_propagated_and_sanitised(stack):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    async with client(stack.base_url) as http:
        reply = await http.get("/v2/user/me", headers={**clinic.as_patient(), "x-request-id": "abc-123"})
        assert reply.headers["x-request-id"] == "abc-123"
        # A caller's id lands in our logs: anything but a short token of safe characters is replaced.
        hostile = await http.get("/v2/user/me", headers={**clinic.as_patient(), "x-request-id": "a b;c=<script>"})
        assert hostile.status_code == 200
        assert hostile.headers["x-request-id"] != "a b;c=<script>"
        assert hostile.headers["x-request-id"].isalnum()


async def test_health_metrics_and_docs(stack):
    async with client(stack.base_url) as http:
        health = await http.get("/healthz")
        assert health.status_code == 200
        assert health.json()["dependencies"]["plans"] == "serving"
        await http.get("/v2/user/me")
        metrics = await http.get("/metrics")
        assert "momentum_http_requests_total" in metrics.text
        spec = await http.get("/openapi.json")
        assert "/v2/user/auto-update-timezone" in spec.json()["paths"]
        docs = await http.get("/docs")
        assert docs.status_code == 200
