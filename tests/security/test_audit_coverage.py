"""Every mutation route leaves an audit row in its service's audit_log, in the same transaction as the
change: the caller, the action and the request id the client sent. A mutation route with no expected
audit action in tests/support/route_table.py fails the enumeration."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.support.route_table import MUTATING, ROUTES, fastapi_app, operations
from tests.support.security_world import user_of

# The audit tables that exist, one per service schema.
AUDITED_SERVICES = ("plans", "streaks", "entrances", "telemetry")
MUTATION_ROUTES = sorted(route for route in ROUTES if route[0] in MUTATING)


def test_every_mutation_route_names_its_audit_row(settings):
    served = {op for op in operations(fastapi_app(settings)) if op[0] in MUTATING}
    unlisted = sorted(op for op in served if op not in ROUTES or ROUTES[op].audit is None)
    assert not unlisted, f"mutation routes without an expected audit row in tests/support/route_table.py: {unlisted}"
    assert {ROUTES[op].audit[0] for op in served} <= set(AUDITED_SERVICES)


async def _audit_rows(stack, tenant_id, schema: str, request_id: str) -> list:  # type: ignore[no-untyped-def]
    async with stack.runtimes[schema].database.unit_of_work(tenant_id) as uow:
        rows = await uow.execute(
            text(
                f"SELECT actor_user_id, actor_role, action, entity_id, request_id, occurred_at FROM {schema}.audit_log "
                "WHERE request_id = :rid ORDER BY audit_id"
            ),
            {"rid": request_id},
        )
        return list(rows)


@pytest.mark.parametrize("route", MUTATION_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
async def test_a_mutation_writes_its_audit_row(stack, world, route):
    case = ROUTES[route]
    service, action = case.audit
    call = await case.build(world)
    role = case.roles[0]
    caller = user_of(world.a, role)
    headers = {} if case.auth == "session" else world.a.headers(caller, role)
    request_id = f"audit-{uuid.uuid4().hex}"
    reply = await call.send(world.http, {**headers, "x-request-id": request_id})
    assert 200 <= reply.status_code < 300, f"{reply.status_code} {reply.text[:300]}"
    assert reply.headers["x-request-id"] == request_id

    rows = await _audit_rows(stack, world.a.tenant_id, service, request_id)
    mine = [r for r in rows if r.action == action]
    assert mine, f"no {service}.audit_log row {action!r} for request {request_id}; rows with that id: {rows}"
    assert [(r.actor_user_id, r.actor_role) for r in mine] == [(caller, role)] * len(mine)
    # Nothing of this request was audited in another service's table under a stray tenant.
    for other in AUDITED_SERVICES:
        if other != service:
            assert all(r.action != action for r in await _audit_rows(stack, world.a.tenant_id, other, request_id))
