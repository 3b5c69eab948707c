"""The web app's file serving and the browser session layer in front of a stand-in app: which paths fall back to
index.html, which caching header each file gets, single-use links, and when a cookie becomes a bearer token."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from services.common.settings import AuthSettings
from services.gateway.browser_session import (
    CSRF_COOKIE, SESSION_COOKIE, BrowserSessionLayer, BrowserSessions, sign_in_link,
)
from services.gateway.errors import ApiError
from services.gateway.web import WebApp, is_api_path

AUTH = AuthSettings()
TENANT, USER = uuid.uuid4(), uuid.uuid4()


class Recorder:
    """The app behind the layers: answers 404 JSON and remembers the headers it was given."""

    def __init__(self) -> None:
        self.seen: list[dict[bytes, bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.seen.append(dict(scope["headers"]))
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"error": "not_found", "detail": "no route"}'})


def _http(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<html>app</html>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def test_api_paths_are_told_apart_from_the_apps():
    for path in ("/v1/patients", "/v2/streaks", "/api/daily-activity", "/healthz", "/metrics", "/docs", "/redoc", "/openapi.json", "/v1", "/v9/nothing-here"):
        assert is_api_path(path), path
    for path in ("/", "/patients/1", "/assets/index.js", "/admin/billing-board", "/v1x", "/vip/list", "/favicon.svg"):
        assert not is_api_path(path), path


async def test_files_fallback_and_cache_headers(dist: Path):
    inner = Recorder()
    async with _http(WebApp(inner, dist)) as http:
        index = await http.get("/")
        assert index.text == "<html>app</html>" and index.headers["cache-control"] == "no-cache"
        asset = await http.get("/assets/index-abc123.js")
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert (await http.get("/favicon.svg")).headers["cache-control"] == "no-cache"
        deep = await http.get("/patients/42")
        assert deep.text == "<html>app</html>"
        head = await http.head("/patients/42")
        assert head.status_code == 200 and head.content == b""
        assert (await http.get("/assets/../../etc/passwd")).text == "<html>app</html>"
        api = await http.get("/v1/nothing")
        assert api.status_code == 404 and api.json()["error"] == "not_found"
        posted = await http.post("/patients/42")
        assert posted.status_code == 404  # only GET and HEAD are the app's
    assert len(inner.seen) == 2


async def test_without_a_build_every_path_is_the_apis(tmp_path: Path):
    async with _http(WebApp(Recorder(), tmp_path / "missing")) as http:
        assert (await http.get("/")).status_code == 404


def test_a_link_signs_in_once():
    sessions = BrowserSessions(AUTH)
    token = sign_in_link(AUTH, "http://g", TENANT, USER, "therapist").split("token=")[1]
    session_id, session = sessions.redeem(token)
    assert sessions.get(session_id) == session
    claims = jwt.decode(session.bearer, AUTH.jwt_secret, algorithms=["HS256"], audience=AUTH.jwt_audience)
    assert (claims["sub"], claims["tenant"], claims["role"]) == (str(USER), str(TENANT), "therapist")
    with pytest.raises(ApiError) as again:
        sessions.redeem(token)
    assert again.value.status == 401 and "already used" in again.value.detail
    sessions.end(session_id)
    assert sessions.get(session_id) is None


def test_an_api_token_is_no_sign_in_link():
    from services.gateway.auth import issue_local_token

    with pytest.raises(ApiError) as refused:
        BrowserSessions(AUTH).redeem(issue_local_token(AUTH, TENANT, USER, "admin"))
    assert refused.value.status == 401


async def test_the_cookie_becomes_a_bearer_token_and_unsafe_methods_need_csrf():
    inner = Recorder()
    sessions = BrowserSessions(AUTH)
    layer = BrowserSessionLayer(inner, sessions)
    token = sign_in_link(AUTH, "http://g", TENANT, USER, "admin").split("token=")[1]
    async with _http(layer) as http:
        signed_in = await http.get("/v1/session/signin", params={"token": token})
        assert signed_in.status_code == 303
        csrf = http.cookies[CSRF_COOKIE]
        session = sessions.get(http.cookies[SESSION_COOKIE])
        assert session is not None

        await http.get("/v1/admin/feature-flags")
        assert inner.seen[-1][b"authorization"] == f"Bearer {session.bearer}".encode()
        refused = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True})
        assert refused.status_code == 403 and len(inner.seen) == 1  # never reached the app
        await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True}, headers={"X-CSRF-Token": csrf})
        assert len(inner.seen) == 2

        # A caller's own Authorization header wins: the cookie adds nothing.
        await http.get("/v1/session", headers={"Authorization": "Bearer theirs"})
        assert inner.seen[-1][b"authorization"] == b"Bearer theirs"

        assert (await http.post("/v1/session/signout", headers={"X-CSRF-Token": csrf})).status_code == 204
        await http.get("/v1/session")
        assert b"authorization" not in inner.seen[-1]
