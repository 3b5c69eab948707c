"""Browser sign-in: one-time sign-in links, HttpOnly cookie sessions with a double-submit CSRF token, sign-out.

`momentum login` signs a short-lived, single-use link (a JWT whose audience is only good for signing in, so
it can never be used as a bearer token). Opening it creates a session held by this gateway process: the
browser gets an HttpOnly, SameSite=Strict cookie naming the session and a readable CSRF cookie. The
`BrowserSessionLayer` turns a session cookie into the session's bearer token before the app sees the
request, so every route's `authenticated` dependency (auth.py) is unchanged and the bearer path keeps
working as it did. An unsafe method carried by the cookie must echo the CSRF cookie in `X-CSRF-Token`.

Sessions and spent links live in this process's memory: a gateway restart signs everyone out, and two
gateway processes would not share them. That is the local sign-in; production signs in through the clinic's
OpenID Connect provider (a later step).
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import jwt
from fastapi import Depends
from pydantic import BaseModel

from services.common.identity import ROLES, Identity
from services.common.settings import AuthSettings
from services.gateway.auth import authenticated, issue_local_token
from services.gateway.errors import ApiError
from services.gateway.routing import api_router

SIGNIN_AUDIENCE = "momentum-web-signin"
SIGNIN_PATH = "/v1/session/signin"
SIGNOUT_PATH = "/v1/session/signout"
LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
SESSION_COOKIE = "momentum_session"
CSRF_COOKIE = "momentum_csrf"
CSRF_HEADER = b"x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A bound on the memory a flood of sign-ins could take; the oldest sessions go first.
MAX_SESSIONS = 10_000


def sign_in_link(settings: AuthSettings, base_url: str, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str) -> str:
    """The one-time link `momentum login` prints: valid LINK_TTL, once."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    now = datetime.now(timezone.utc)
    claims = {
        "sub": str(user_id), "tenant": str(tenant_id), "role": role, "jti": secrets.token_urlsafe(16),
        "iat": now, "exp": now + LINK_TTL, "aud": SIGNIN_AUDIENCE, "iss": settings.jwt_issuer,
    }
    token = jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
    return f"{base_url.rstrip('/')}{SIGNIN_PATH}?token={token}"


@dataclass(frozen=True)
class BrowserSession:
    bearer: str
    csrf: str
    expires_at: float


class BrowserSessions:
    """The sessions and spent sign-in links of this gateway process."""

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._sessions: dict[str, BrowserSession] = {}
        self._spent: dict[str, float] = {}

    def redeem(self, link_token: str) -> tuple[str, BrowserSession]:
        if self._settings.jwt_algorithm != "HS256":
            raise ApiError(400, "invalid_argument", "sign-in links are local (HS256); this gateway signs in through OpenID Connect")
        try:
            claims = jwt.decode(
                link_token, self._settings.jwt_secret, algorithms=["HS256"], audience=SIGNIN_AUDIENCE,
                issuer=self._settings.jwt_issuer, options={"require": ["exp", "sub", "tenant", "role", "jti"]},
            )
            tenant_id, user_id = uuid.UUID(str(claims["tenant"])), uuid.UUID(str(claims["sub"]))
        except jwt.ExpiredSignatureError as exc:
            raise ApiError(401, "unauthenticated", "sign-in link expired; run `momentum login` again") from exc
        except (jwt.InvalidTokenError, ValueError) as exc:
            raise ApiError(401, "unauthenticated", f"invalid sign-in link: {exc}") from exc
        if claims["role"] not in ROLES:
            raise ApiError(401, "unauthenticated", "invalid sign-in link: unknown role")
        now = time.time()
        self._spent = {jti: exp for jti, exp in self._spent.items() if exp > now}
        if claims["jti"] in self._spent:
            raise ApiError(401, "unauthenticated", "sign-in link already used; run `momentum login` again")
        self._spent[claims["jti"]] = float(claims["exp"])
        bearer = issue_local_token(self._settings, tenant_id, user_id, str(claims["role"]), SESSION_TTL)
        session = BrowserSession(bearer, secrets.token_urlsafe(32), now + SESSION_TTL.total_seconds())
        self._prune(now)
        session_id = secrets.token_urlsafe(32)
        self._sessions[session_id] = session
        return session_id, session

    def get(self, session_id: str) -> BrowserSession | None:
        session = self._sessions.get(session_id)
        if session is None or session.expires_at <= time.time():
            return None
        return session

    def end(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def _prune(self, now: float) -> None:
        self._sessions = {sid: s for sid, s in self._sessions.items() if s.expires_at > now}
        while len(self._sessions) >= MAX_SESSIONS:
            self._sessions.pop(next(iter(self._sessions)))


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in headers:
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is no session, not an error
                continue
    return {key: morsel.value for key, morsel in jar.items()}


class BrowserSessionLayer:
    """Pure ASGI, in front of the app. It answers the sign-in link and sign-out itself (they touch no service:
    they are this layer's state, so they are no FastAPI routes). A request carrying a live session cookie and
    no Authorization header gets the session's bearer token; an unsafe one must also carry the CSRF token,
    else 403 before any route runs."""

    def __init__(self, app: Any, sessions: BrowserSessions) -> None:
        self.app = app
        self.sessions = sessions

    def __getattr__(self, name: str) -> Any:
        # Transparent to whoever reaches the app through the middleware (its state, routes, openapi).
        return getattr(self.app, name)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == SIGNIN_PATH and scope["method"] == "GET":
            await self._sign_in(scope, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or [])
        cookies = _cookies(headers)
        session_id = cookies.get(SESSION_COOKIE, "")
        session = self.sessions.get(session_id)
        if scope["path"] == SIGNOUT_PATH and scope["method"] == "POST":
            if session is not None and not _csrf_ok(headers, cookies, session):
                await _json(send, scope, 403, "permission_denied", CSRF_PROBLEM)
                return
            self.sessions.end(session_id)
            await _respond(send, scope, 204, b"", [_expired(SESSION_COOKIE, True), _expired(CSRF_COOKIE, False)])
            return
        if session is None or any(name == b"authorization" for name, _ in headers):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and not _csrf_ok(headers, cookies, session):
            await _json(send, scope, 403, "permission_denied", CSRF_PROBLEM)
            return
        scope = dict(scope, headers=headers + [(b"authorization", f"Bearer {session.bearer}".encode())])
        await self.app(scope, receive, send)

    async def _sign_in(self, scope: dict[str, Any], send: Any) -> None:
        token = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        if not token or len(token) > 4096:
            await _json(send, scope, 400, "invalid_argument", "token: the sign-in link's token is missing")
            return
        try:
            session_id, session = self.sessions.redeem(token)
        except ApiError as exc:
            await _json(send, scope, exc.status, exc.error, exc.detail)
            return
        secure = scope.get("scheme") == "https"
        await _respond(send, scope, 303, b"", [
            (b"location", b"/"),
            _cookie(SESSION_COOKIE, session_id, http_only=True, secure=secure),
            # Readable by the app's script on purpose: it echoes it in X-CSRF-Token (double submit).
            _cookie(CSRF_COOKIE, session.csrf, http_only=False, secure=secure),
        ])


CSRF_PROBLEM = "X-CSRF-Token header missing or not this session's"


def _csrf_ok(headers: list[tuple[bytes, bytes]], cookies: dict[str, str], session: BrowserSession) -> bool:
    sent = next((value.decode("latin-1") for name, value in headers if name == CSRF_HEADER), "")
    # Double submit: the header must equal the cookie (which only our origin can read) and the session's token.
    return bool(sent) and hmac.compare_digest(sent, cookies.get(CSRF_COOKIE, "")) and hmac.compare_digest(sent, session.csrf)


def _cookie(name: str, value: str, http_only: bool, secure: bool) -> tuple[bytes, bytes]:
    parts = [f"{name}={value}", "Path=/", f"Max-Age={int(SESSION_TTL.total_seconds())}", "SameSite=Strict"]
    parts += (["HttpOnly"] if http_only else []) + (["Secure"] if secure else [])
    return b"set-cookie", "; ".join(parts).encode()


def _expired(name: str, http_only: bool) -> tuple[bytes, bytes]:
    parts = [f"{name}=", "Path=/", "Max-Age=0", "SameSite=Strict"] + (["HttpOnly"] if http_only else [])
    return b"set-cookie", "; ".join(parts).encode()


async def _json(send: Any, scope: dict[str, Any], status: int, error: str, detail: str) -> None:
    body = json.dumps({"error": error, "detail": detail, "errors": []}).encode()
    await _respond(send, scope, status, body, [(b"content-type", b"application/json")])


async def _respond(send: Any, scope: dict[str, Any], status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    request_id = str(scope.get("state", {}).get("request_id", ""))
    await send({"type": "http.response.start", "status": status, "headers": headers + [
        (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store"), (b"x-request-id", request_id.encode()),
    ]})
    await send({"type": "http.response.body", "body": body})


class SessionReply(BaseModel):
    tenantId: uuid.UUID
    userId: uuid.UUID
    role: str


router = api_router("browser session")


@router.get("/v1/session", response_model=SessionReply, operation_id="getBrowserSession")
async def current_session(caller: Identity = Depends(authenticated)) -> SessionReply:
    """Who the caller is (cookie session or bearer token): the web app asks this first. Signing in
    (`GET /v1/session/signin?token=`, the link `momentum login` prints) and out (`POST /v1/session/signout`,
    with X-CSRF-Token) are answered in front of the app by the browser session layer."""
    return SessionReply(tenantId=caller.tenant_id, userId=caller.user_id, role=caller.role)
