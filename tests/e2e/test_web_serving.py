"""The gateway serving the web app and the browser sign-in, over real HTTP: caching headers, the SPA fallback that
never swallows an API 404, local docs assets, one-time sign-in links, cookie sessions, CSRF and sign-out."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from services.gateway.browser_session import SIGNIN_AUDIENCE, sign_in_link
from tests.support.cli import momentum
from tests.support.clinic import client, new_clinic
from tests.support.web import ensure_web_build

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def dist():  # type: ignore[no-untyped-def]
    return ensure_web_build()


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_index_assets_and_spa_fallback(stack, dist):
    async with client(stack.base_url) as http:
        index = await http.get("/")
        assert index.status_code == 200 and index.headers["cache-control"] == "no-cache"
        assert index.headers["content-type"].startswith("text/html")
        asset = re.search(r'src="(/assets/[^"]+\.js)"', index.text)
        assert asset, index.text
        script = await http.get(asset.group(1))
        assert script.status_code == 200
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "javascript" in script.headers["content-type"]

        deep = await http.get("/patients/c773b51c-b00a-5871-bd4c-e43b55323a87")
        assert deep.status_code == 200 and deep.text == index.text and deep.headers["cache-control"] == "no-cache"

        # API paths keep their JSON errors: no index.html for a mistyped route or a wrong method.
        missing = await http.get("/v1/no-such-route")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        wrong_method = await http.get("/v2/app-entrances/log")
        assert wrong_method.status_code == 405
        assert (await http.get("/api/nothing-here")).json()["error"] == "not_found"
        # A path that climbs out of dist is the app's index, never a file of the server.
        escape = await http.get("/assets/..%2f..%2fpyproject.toml")
        assert "setuptools" not in escape.text


async def test_docs_load_their_assets_locally(stack, dist):
    async with client(stack.base_url) as http:
        for page in ("/docs", "/redoc"):
            html = (await http.get(page)).text
            urls = re.findall(r'(?:src|href)="([^"]+)"', html)
            assert urls and all(url.startswith("/") for url in urls), (page, urls)
            for url in urls:
                served = await http.get(url)
                assert served.status_code == 200, url
                assert not served.headers["content-type"].startswith("text/html"), url  # the file, not the SPA


async def test_sign_in_link_sets_a_strict_http_only_session_once(stack, dist):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    link = sign_in_link(stack.settings.auth, stack.base_url, clinic.tenant_id, clinic.therapist_id, "therapist")
    async with client(stack.base_url) as http:
        opened = await http.get(link)
        assert opened.status_code == 303 and opened.headers["location"] == "/"
        cookies = {c.split("=", 1)[0]: c for c in opened.headers.get_list("set-cookie")}
        assert "HttpOnly" in cookies["momentum_session"] and "SameSite=Strict" in cookies["momentum_session"]
        assert "HttpOnly" not in cookies["momentum_csrf"] and "SameSite=Strict" in cookies["momentum_csrf"]
        me = await http.get("/v1/session")
        assert me.status_code == 200
        assert me.json() == {"tenantId": str(clinic.tenant_id), "userId": str(clinic.therapist_id), "role": "therapist"}
        assert (await http.get("/v1/patients")).status_code == 200

    async with client(stack.base_url) as other:
        again = await other.get(link)
        assert again.status_code == 401 and "already used" in again.json()["detail"]
        assert "set-cookie" not in again.headers


async def test_bad_links_are_refused_and_never_act_as_bearer_tokens(stack, dist):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings)
    auth = stack.settings.auth
    link = sign_in_link(auth, stack.base_url, clinic.tenant_id, clinic.admin_id, "admin")
    past = datetime.now(timezone.utc) - timedelta(minutes=30)
    expired = jwt.encode({
        "sub": str(clinic.admin_id), "tenant": str(clinic.tenant_id), "role": "admin", "jti": uuid.uuid4().hex,
        "iat": past, "exp": past + timedelta(minutes=10), "aud": SIGNIN_AUDIENCE, "iss": auth.jwt_issuer,
    }, auth.jwt_secret, algorithm="HS256")
    forged = jwt.encode(jwt.decode(_token(link), options={"verify_signature": False}), "not-the-secret-of-this-gateway-at-all", algorithm="HS256")
    async with client(stack.base_url) as http:
        answer = await http.get("/v1/session/signin", params={"token": expired})
        assert answer.status_code == 401 and "expired" in answer.json()["detail"]
        assert (await http.get("/v1/session/signin", params={"token": forged})).status_code == 401
        assert (await http.get("/v1/session/signin")).status_code == 400
        # The link's token is for signing in only: as a bearer token it is refused.
        bearer = await http.get("/v1/admin/feature-flags", headers={"Authorization": f"Bearer {_token(link)}"})
        assert bearer.status_code == 401
        assert "set-cookie" not in answer.headers


async def test_unsafe_methods_need_the_csrf_header_and_sign_out_ends_the_session(stack, dist):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, flags={"rtmBilling": False})
    link = sign_in_link(stack.settings.auth, stack.base_url, clinic.tenant_id, clinic.admin_id, "admin")
    async with client(stack.base_url) as http:
        await http.get(link)
        csrf = http.cookies["momentum_csrf"]
        refused = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True})
        assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
        wrong = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True}, headers={"X-CSRF-Token": "x" + csrf})
        assert wrong.status_code == 403
        assert (await http.get("/v1/admin/feature-flags")).json()["flags"]["rtmBilling"] is False  # nothing written

        switched = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True}, headers={"X-CSRF-Token": csrf})
        assert switched.status_code == 200 and switched.json()["flags"]["rtmBilling"] is True

        assert (await http.post("/v1/session/signout")).status_code == 403  # sign-out is an unsafe method too
        stolen = http.cookies["momentum_session"]
        out = await http.post("/v1/session/signout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
        assert "momentum_session" not in http.cookies
        assert (await http.get("/v1/session")).status_code == 401
    # The session is gone on the server too: a copy of the old cookie signs nobody in.
    async with client(stack.base_url) as replay:
        replay.cookies.set("momentum_session", stolen)
        assert (await replay.get("/v1/session")).status_code == 401

    # The bearer path is unchanged beside the cookies.
    async with client(stack.base_url) as http:
        reply = await http.get("/v1/session", headers=clinic.as_admin())
        assert reply.status_code == 200 and reply.json()["role"] == "admin"


async def test_momentum_login_prints_a_link_for_the_users_own_role(stack, dist):
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1)
    code, out = await momentum(stack, "login", "--tenant", str(clinic.tenant_id), "--user", str(clinic.patient_id), "--base-url", stack.base_url)
    assert code == 0, out
    link = out.strip().splitlines()[-1]
    assert link.startswith(f"{stack.base_url}/v1/session/signin?token=")
    async with client(stack.base_url) as http:
        await http.get(link)
        assert (await http.get("/v1/session")).json()["role"] == "patient"

    code, out = await momentum(stack, "login", "--tenant", str(clinic.tenant_id), "--user", str(uuid.uuid4()))
    assert code == 2 and "no user" in out
