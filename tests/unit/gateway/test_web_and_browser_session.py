"""The web app's file serving and the browser session layer in front of a stand-in app: which paths fall back to
index.html, which caching header each file gets, single-use links, sealed sessions, and when a cookie becomes the caller."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.identity import Identity
from services.common.settings import AuthSettings, BrowserSessionSettings
from services.gateway.browser_session import (
    CSRF_COOKIE, SESSION_COOKIE, BrowserSessionLayer, BrowserSessions, sign_in_link,
)
from services.gateway.errors import ApiError
from services.gateway.oidc import code_challenge
from services.gateway.session_ledger import SessionLedger
from services.gateway.web import WebApp, is_api_path

AUTH = AuthSettings()
SESSIONS = BrowserSessionSettings()
TENANT, USER = uuid.uuid4(), uuid.uuid4()


class Recorder:
    """The app behind the layers: answers 404 JSON and remembers the headers it was given."""

    def __init__(self) -> None:
        self.seen: list[dict[bytes, bytes]] = []
        self.sessions: list[Any] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.seen.append(dict(scope["headers"]))
        self.sessions.append(scope.get("state", {}).get("browser_session"))
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


class FakeStore:
    """plans' spent browser credentials, in memory (the real one is tests/e2e/test_oidc_sign_in.py's)."""

    def __init__(self) -> None:
        self.spent: dict[tuple[str, str], datetime] = {}

    async def spend_browser_credential(self, kind: str, credential_id: str, expires_at: datetime) -> bool:
        first = (kind, credential_id) not in self.spent
        self.spent.setdefault((kind, credential_id), expires_at)
        return first

    async def ended_browser_sessions(self, within_seconds: int) -> list[tuple[str, datetime]]:
        return [(cid, at) for (kind, cid), at in self.spent.items() if kind == "session"]


def _sessions(store: FakeStore | None = None, key: str = SESSIONS.key) -> BrowserSessions:
    store = store or FakeStore()
    return BrowserSessions(AUTH, replace(SESSIONS, key=key), SessionLedger(lambda: store, 5))


async def test_a_link_signs_in_once():
    sessions = _sessions()
    await sessions.ledger.sync()
    token = sign_in_link(AUTH, "http://g", TENANT, USER, "therapist").split("token=")[1]
    caller = await sessions.redeem(token, "r1")
    assert (caller.tenant_id, caller.user_id, caller.role) == (TENANT, USER, "therapist")
    with pytest.raises(ApiError) as again:
        await sessions.redeem(token, "r2")
    assert again.value.status == 401 and "already used" in again.value.detail


async def test_an_api_token_is_no_sign_in_link():
    from services.gateway.auth import issue_local_token

    with pytest.raises(ApiError) as refused:
        await _sessions().redeem(issue_local_token(AUTH, TENANT, USER, "admin"), "r")
    assert refused.value.status == 401


async def test_a_sealed_session_opens_on_any_gateway_with_the_key_and_only_there():
    store = FakeStore()
    one, other, stranger = _sessions(store), _sessions(store), _sessions(store, key="another-gateway-fleet-key-0123456789")
    for sessions in (one, other, stranger):
        await sessions.ledger.sync()
    cookie, session = one.start(Identity(TENANT, USER, "admin", "r"))
    assert other.open(cookie) == session
    assert stranger.open(cookie) is None  # sealed with another key
    tampered = cookie[:-4] + ("AAAA" if not cookie.endswith("AAAA") else "BBBB")
    assert other.open(tampered) is None
    # A flow cookie (another purpose, same key) never opens as a session.
    assert other.open(one.sealer.seal("oidc-flow", {"sid": "x"}, time.time() + 60)) is None
    await one.end(session)
    assert one.open(cookie) is None  # at once where it was signed out
    assert other.open(cookie) == session  # the other gateway, until its next read
    await other.ledger.sync()
    assert other.open(cookie) is None


async def test_a_gateway_that_cannot_read_the_sign_outs_refuses_cookies_with_503():
    clock = [1000.0]
    store = FakeStore()
    sessions = BrowserSessions(AUTH, SESSIONS, SessionLedger(lambda: store, 5, clock=lambda: clock[0]))
    cookie, _ = sessions.start(Identity(TENANT, USER, "admin", "r"))
    with pytest.raises(ApiError) as unheard:
        sessions.open(cookie)  # never synced
    assert unheard.value.status == 503
    await sessions.ledger.sync()
    assert sessions.open(cookie) is not None
    clock[0] += sessions.ledger.stale_after + 1
    with pytest.raises(ApiError):
        sessions.open(cookie)


def test_the_pkce_challenge_is_rfc_7636s():
    # RFC 7636 Appendix B.
    assert code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def test_the_cookie_becomes_the_session_and_unsafe_methods_need_csrf():
    inner = Recorder()
    sessions = _sessions()
    await sessions.ledger.sync()

    async def admit(caller: Identity) -> Identity:
        return caller

    layer = BrowserSessionLayer(inner, sessions, None, admit)
    token = sign_in_link(AUTH, "http://g", TENANT, USER, "admin").split("token=")[1]
    async with _http(layer) as http:
        signed_in = await http.get("/v1/session/signin", params={"token": token})
        assert signed_in.status_code == 303
        csrf = http.cookies[CSRF_COOKIE]
        session = sessions.open(http.cookies[SESSION_COOKIE])
        assert session is not None and session.role == "admin"

        await http.get("/v1/admin/feature-flags")
        assert inner.sessions[-1] == session
        refused = await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True})
        assert refused.status_code == 403 and len(inner.seen) == 1  # never reached the app
        await http.put("/v1/admin/feature-flags/rtmBilling", json={"enabled": True}, headers={"X-CSRF-Token": csrf})
        assert len(inner.seen) == 2

        # A caller's own Authorization header wins: the cookie adds nothing.
        await http.get("/v1/session", headers={"Authorization": "Bearer theirs"})
        assert inner.seen[-1][b"authorization"] == b"Bearer theirs" and inner.sessions[-1] is None

        assert (await http.post("/v1/session/signout", headers={"X-CSRF-Token": csrf})).status_code == 204
        await http.get("/v1/session")
        assert inner.sessions[-1] is None
        # No provider configured: the clinic sign-in is a page saying so.
        assert (await http.get("/v1/session/oidc/start")).status_code == 404
