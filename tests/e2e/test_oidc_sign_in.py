"""Signing in through the clinic's OpenID Connect provider (a local issuer the test starts) and browser sessions
that every gateway honours: the authorization code flow with PKCE end to end over real HTTP, each way it must
refuse (a code bound to another PKCE challenge, a state that is not this browser's, a replayed code, an ID token
expired or for another audience, the provider away) with nothing signed in, and a session that works on a second
gateway process and after a restart, ended on both by one sign-out."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.clinic import Clinic, new_clinic
from tests.support.gateways import base_url, free_port, gateway_in_process, gateway_process, settings_beside
from tests.support.oidc_issuer import CLIENT_ID, Issuer, s256
from tests.support.waiting import eventually

pytestmark = pytest.mark.stack
CALLBACK = "/v1/session/oidc/callback"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Issuer]:
    started = Issuer().start(Path(tmp_path_factory.mktemp("oidc")))
    yield started
    started.stop()


@pytest.fixture(scope="module")
async def clinic(stack) -> Clinic:  # type: ignore[no-untyped-def]
    return await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1)


@pytest.fixture(scope="module")
async def oidc_gateway(stack, issuer: Issuer) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    port = free_port()
    env = issuer.gateway_env(f"http://127.0.0.1:{port}{CALLBACK}")
    async with gateway_in_process(settings_beside(stack, port, **env)) as url:
        yield url


@pytest.fixture(autouse=True)
def behaving(issuer: Issuer):  # type: ignore[no-untyped-def]
    yield
    issuer.id_token_overrides.clear()
    issuer.token_endpoint_down = False


def browser(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, timeout=10)


async def begin(http: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """The gateway's start: where it sends the browser (the provider's authorize URL) and that URL's query."""
    started = await http.get("/v1/session/oidc/start")
    assert started.status_code == 303, started.text
    http.last_flow_cookie = started.headers["set-cookie"]  # type: ignore[attr-defined]
    location = started.headers["location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def authorize(location: str) -> dict[str, str]:
    """The provider's authorize step, as the browser follows it: the code and state it redirects back with."""
    async with httpx.AsyncClient(timeout=10) as provider:
        approved = await provider.get(location)
    assert approved.status_code == 302, approved.text
    return {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["location"]).query).items()}


async def sign_in(http: httpx.AsyncClient) -> httpx.Response:
    location, _ = await begin(http)
    return await http.get(CALLBACK, params=await authorize(location))


def signed_out_of_nothing(answer: httpx.Response) -> None:
    assert "momentum_session=" not in " ".join(answer.headers.get_list("set-cookie")).replace("momentum_session=;", "")


async def test_the_clinic_provider_signs_a_therapist_in_with_pkce(oidc_gateway, issuer, clinic):
    issuer.user = (clinic.tenant_id, clinic.therapist_id, "therapist")
    async with browser(oidc_gateway) as http:
        assert (await http.get("/v1/session/config")).json() == {"clinicProvider": True, "signInLinks": False}
        location, query = await begin(http)
        assert location.startswith(f"{issuer.url}/authorize?")
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
        assert query["client_id"] == CLIENT_ID and query["redirect_uri"] == f"{oidc_gateway}{CALLBACK}"
        assert {"state", "nonce"} <= set(query) and "openid" in query["scope"].split()
        flow_cookie = http.last_flow_cookie
        assert "HttpOnly" in flow_cookie and f"Path={CALLBACK}" in flow_cookie
        # The verifier never appears in what the browser sees: only its S256 challenge does.
        assert query["code_challenge"] not in flow_cookie

        back = await http.get(CALLBACK, params=await authorize(location))
        assert back.status_code == 303 and back.headers["location"] == "/", back.text
        cookies = {c.split("=", 1)[0]: c for c in back.headers.get_list("set-cookie")}
        assert "HttpOnly" in cookies["momentum_session"] and "SameSite=Strict" in cookies["momentum_session"]
        assert cookies["momentum_oidc_flow"].startswith("momentum_oidc_flow=;")  # the flow is over
        # The token exchange sent the verifier whose S256 is the challenge the browser carried.
        assert s256(issuer.token_requests[-1]["code_verifier"]) == query["code_challenge"]
        me = await http.get("/v1/session")
        assert me.json() == {"tenantId": str(clinic.tenant_id), "userId": str(clinic.therapist_id), "role": "therapist"}
        assert (await http.get("/v1/patients")).status_code == 200


async def test_a_code_bound_to_another_pkce_challenge_is_refused(oidc_gateway, issuer, clinic):
    issuer.user = (clinic.tenant_id, clinic.therapist_id, "therapist")
    async with browser(oidc_gateway) as http:
        _, query = await begin(http)
        # An attacker's code (its own challenge) injected into this browser's callback: our verifier does not fit it.
        injected = issuer.grant(CLIENT_ID, query["redirect_uri"], s256("attacker-" + "v" * 50), query["nonce"])
        answer = await http.get(CALLBACK, params={"code": injected, "state": query["state"]})
        assert answer.status_code == 401 and "code_verifier does not match" in answer.text
        signed_out_of_nothing(answer)
        assert (await http.get("/v1/session")).status_code == 401


async def test_a_state_that_is_not_this_browsers_is_refused(oidc_gateway, issuer, clinic):
    issuer.user = (clinic.tenant_id, clinic.therapist_id, "therapist")
    async with browser(oidc_gateway) as http:
        location, _ = await begin(http)
        returned = await authorize(location)
        answer = await http.get(CALLBACK, params={**returned, "state": returned["state"][:-2] + "xx"})
        assert answer.status_code == 400 and "state" in answer.text
        signed_out_of_nothing(answer)
        assert (await http.get("/v1/session")).status_code == 401
    # A callback in a browser that started nothing (a link sent to someone) signs nobody in either.
    async with browser(oidc_gateway) as stranger:
        answer = await stranger.get(CALLBACK, params=returned)
        assert answer.status_code == 400 and "started no sign-in" in answer.text
        assert (await stranger.get("/v1/session")).status_code == 401


async def test_a_replayed_code_is_refused(oidc_gateway, issuer, clinic):
    issuer.user = (clinic.tenant_id, clinic.patient_ids[0], "patient")
    async with browser(oidc_gateway) as http:
        location, _ = await begin(http)
        flow = http.cookies["momentum_oidc_flow"]
        returned = await authorize(location)
        assert (await http.get(CALLBACK, params=returned)).status_code == 303
    # The same callback again, flow cookie and all (copied off the first browser): the provider spent the code.
    async with browser(oidc_gateway) as replay:
        replay.cookies.set("momentum_oidc_flow", flow, path=CALLBACK)
        answer = await replay.get(CALLBACK, params=returned)
        assert answer.status_code == 401 and "already used" in answer.text
        assert (await replay.get("/v1/session")).status_code == 401


@pytest.mark.parametrize("override, problem", [
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}, "expired"),
    ({"aud": "another-clinic-app"}, "not for this client"),
    ({"nonce": "not-the-one-we-sent"}, "nonce"),
])
async def test_an_id_token_expired_for_another_audience_or_nonce_is_refused(oidc_gateway, issuer, clinic, override, problem):
    issuer.user = (clinic.tenant_id, clinic.therapist_id, "therapist")
    issuer.id_token_overrides.update(override)
    async with browser(oidc_gateway) as http:
        answer = await sign_in(http)
        assert answer.status_code == 401 and problem in answer.text, answer.text
        signed_out_of_nothing(answer)
        assert (await http.get("/v1/session")).status_code == 401


async def test_a_user_the_clinic_does_not_know_is_refused(oidc_gateway, issuer, clinic):
    issuer.user = (clinic.tenant_id, uuid.uuid4(), "therapist")
    async with browser(oidc_gateway) as http:
        answer = await sign_in(http)
        assert answer.status_code == 401 and "not known" in answer.text
        assert (await http.get("/v1/session")).status_code == 401


async def test_the_provider_away_is_a_503(stack, oidc_gateway, issuer, clinic):
    issuer.user = (clinic.tenant_id, clinic.therapist_id, "therapist")
    issuer.token_endpoint_down = True
    async with browser(oidc_gateway) as http:
        answer = await sign_in(http)
        assert answer.status_code == 503 and "Retry-After" in answer.headers and "provider" in answer.text
        assert (await http.get("/v1/session")).status_code == 401
    # Nobody listening where the provider should be: starting is a 503 too, naming it.
    port = free_port()
    away = {**issuer.gateway_env(f"http://127.0.0.1:{port}{CALLBACK}"), "MOMENTUM_OIDC_ISSUER": f"http://127.0.0.1:{free_port()}"}
    async with gateway_in_process(settings_beside(stack, port, **away)) as url, browser(url) as http:
        answer = await http.get("/v1/session/oidc/start")
        assert answer.status_code == 503 and "discovery document" in answer.text
        assert "set-cookie" not in answer.headers


async def test_a_session_works_on_a_second_gateway_and_after_a_restart_and_one_sign_out_ends_it_on_both(stack, issuer, clinic):
    issuer.user = (clinic.tenant_id, clinic.admin_id, "admin")
    ports = free_port(), free_port()
    # The provider redirects back to the first gateway; both share the session key (the test default) and plans.
    env = {**issuer.gateway_env(f"http://127.0.0.1:{ports[0]}{CALLBACK}"), "MOMENTUM_SESSION_SYNC_SECONDS": "1"}
    first, second = (gateway_process(stack, f"gateway-{i}", port, **env) for i, port in enumerate(ports))
    for gateway in (first, second):
        gateway.launch()
    try:
        await first.wait_ready()
        await second.wait_ready()
        async with browser(base_url(first)) as http:
            assert (await sign_in(http)).status_code == 303
            session, csrf = http.cookies["momentum_session"], http.cookies["momentum_csrf"]
        cookies = {"momentum_session": session, "momentum_csrf": csrf}
        async with browser(base_url(second)) as other:
            other.cookies.update(cookies)
            assert (await other.get("/v1/session")).json()["userId"] == str(clinic.admin_id)
            # An unsafe call on the other gateway: CSRF checked there too.
            assert (await other.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True})).status_code == 403
            flipped = await other.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True}, headers={"X-CSRF-Token": csrf})
            assert flipped.status_code == 200, flipped.text

        # A graceful stop: uvicorn shuts down, then re-raises the SIGTERM it caught (so -15, not 0).
        assert await first.terminate() in (0, -15)
        first.launch()
        await first.wait_ready()
        async with browser(base_url(first)) as http:
            http.cookies.update(cookies)
            assert (await http.get("/v1/session")).status_code == 200  # the restart signed nobody out

        async with browser(base_url(second)) as other:
            other.cookies.update(cookies)
            out = await other.post("/v1/session/signout", headers={"X-CSRF-Token": csrf})
            assert out.status_code == 204
        signed_out_at = time.monotonic()
        async with browser(base_url(second)) as copy:
            copy.cookies.update(cookies)
            assert (await copy.get("/v1/session")).status_code == 401  # at once where it was done

        async def first_refuses() -> int:
            async with browser(base_url(first)) as copy:
                copy.cookies.update(cookies)
                return (await copy.get("/v1/session")).status_code

        assert await eventually(first_refuses, lambda status: status == 401, timeout=15) == 401
        # Within the sync interval (1 s here) plus a read and a request on a busy machine.
        elapsed = time.monotonic() - signed_out_at
        print(f"sign-out reached the other gateway after {elapsed:.2f} s (sync interval 1 s)")
        assert elapsed < 10
    finally:
        for gateway in (first, second):
            if gateway.alive:
                await gateway.kill()


async def test_a_sign_in_link_works_once_whichever_gateway_opens_it(stack, clinic):
    from services.gateway.browser_session import sign_in_link

    link = sign_in_link(stack.settings.auth, stack.base_url, clinic.tenant_id, clinic.therapist_id, "therapist")
    port = free_port()
    async with gateway_in_process(settings_beside(stack, port)) as other_url:
        async with browser(other_url) as http:
            opened = await http.get(link.replace(stack.base_url, other_url))
            assert opened.status_code == 303
            assert (await http.get("/v1/session")).json()["userId"] == str(clinic.therapist_id)
        async with browser(stack.base_url) as http:
            again = await http.get(link)
            assert again.status_code == 401 and "already used" in again.json()["detail"]
            assert "set-cookie" not in again.headers
