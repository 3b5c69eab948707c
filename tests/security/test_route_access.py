"""Every route against hostile callers: no token, an expired token, a token signed with another key, the
wrong role, another patient's ids, another clinic's ids, forged and foreign session tokens. Each must get
401/403/404 with the error body and no byte of clinic A's data; the rightful caller must get a 2xx, so no
case here passes merely because its request was wrong."""

from __future__ import annotations

import pytest

from tests.support.route_table import MUTATING, PUBLIC, ROLES, ROUTES, Call, RouteCase, fastapi_app, operations
from tests.support.security_world import World, forged_jwt, forged_session_token, user_of

REFUSED = (401, 403, 404)


def test_every_route_of_the_app_has_a_case(settings):
    served = set(operations(fastapi_app(settings)))
    missing = served - set(ROUTES) - PUBLIC
    assert not missing, f"routes with no security case in tests/support/route_table.py: {sorted(missing)}"
    stale = (set(ROUTES) | PUBLIC) - served
    assert not stale, f"cases for routes the app no longer serves: {sorted(stale)}"
    assert all(case.auth in ("jwt", "session") and set(case.roles) <= set(ROLES) for case in ROUTES.values())


async def test_public_routes_carry_no_clinic_data(stack, world):
    markers = world.a_markers()
    for method, path in sorted(PUBLIC):
        reply = await world.http.request(method, path)
        assert reply.status_code == 200, (path, reply.status_code)
        assert not [m for m in markers if m in reply.text], path


def _hostile_jwt_callers(world: World, case: RouteCase) -> list[tuple[str, dict[str, str]]]:
    a, b, s = world.a, world.b, world.settings
    role = case.roles[0]
    callers = [
        ("no token", {}),
        ("expired token", forged_jwt(s, a, role, expired=True)),
        ("token signed with another key", forged_jwt(s, a, role, secret="another-key-of-a-good-length-0123456789")),
        ("token that is not a JWT", {"Authorization": "Bearer " + "x" * 40}),
    ]
    callers += [(f"{r} of clinic A", a.headers(user_of(a, r), r)) for r in ROLES if r not in case.roles]
    if case.scope in ("patient", "clinic"):
        if "patient" in case.roles:
            callers.append(("another patient of clinic A", a.as_patient(1)))
        callers += [(f"{r} of clinic B with A's ids", b.headers(user_of(b, r), r)) for r in case.roles]
    return callers


async def _hostile_session_callers(world: World, call: Call) -> list[tuple[str, dict[str, str]]]:
    s, a = world.settings, world.a
    session_id = world.sessions[-1].session_id  # the session this call was built for
    kind = {k: v for k, v in call.headers.items() if k.lower() == "content-type"}

    def token(value: str) -> dict[str, str]:
        return {**kind, "Authorization": f"Bearer {value}"}

    callers = [
        ("no token", kind),
        ("expired session token", token(forged_session_token(s, a, session_id, expired=True))),
        ("session token signed with another key", token(forged_session_token(s, a, session_id, other_key=True))),
        ("a user JWT instead of the session token", {**kind, **a.as_patient()}),
        ("a tampered session token", token(world.sessions[-1].token[:-2] + ("AA" if not world.sessions[-1].token.endswith("AA") else "BB"))),
    ]
    if call.path.endswith("/end"):
        other = await world.new_session()
        callers.append(("another session's token", token(other.token)))
    return callers


def _assert_refused(name: str, reply, markers: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert reply.status_code in REFUSED, f"{name}: {reply.status_code} {reply.text[:300]}"
    body = reply.json()
    assert set(body) == {"error", "detail", "errors"} and body["detail"], f"{name}: {body}"
    leaked = [m for m in markers if m in reply.text]
    assert not leaked, f"{name}: clinic A's data in the reply: {leaked}"


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
async def test_hostile_callers_get_nothing(stack, world, route):
    case = ROUTES[route]
    call = await case.build(world)
    http = world.http
    if case.auth == "session":
        callers = await _hostile_session_callers(world, call)
        replace_headers = True
    else:
        callers = _hostile_jwt_callers(world, case)
        replace_headers = False
    markers = {m for m in world.a_markers() if m not in call.sent_text()}
    for name, headers in callers:
        sent = Call(call.method, call.path, call.params, call.json, call.content, {} if replace_headers else call.headers)
        _assert_refused(name, await sent.send(http, headers), markers)

    if case.auth == "jwt" and case.scope == "self":
        # Routes on the caller's own account or clinic: clinic B's staff and patients get their own, never A's.
        for role in case.roles:
            reply = await call.send(http, world.b.headers(user_of(world.b, role), role))
            leaked = [m for m in markers if m in reply.text]
            assert reply.status_code < 500 and not leaked, f"{role} of clinic B: {reply.status_code} {leaked}"

    # The rightful caller succeeds with the very same request (once, for a mutation).
    rightful = case.roles[:1] if call.method in MUTATING else case.roles
    for role in rightful:
        headers = {} if case.auth == "session" else world.a.headers(user_of(world.a, role), role)
        reply = await call.send(http, headers)
        assert 200 <= reply.status_code < 300, f"{role} of clinic A: {reply.status_code} {reply.text[:300]}"
