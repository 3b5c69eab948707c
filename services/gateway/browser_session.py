"""Browser sign-in: one-time links and the clinic's OpenID Connect provider, sealed cookie sessions every gateway
honours, a double-submit CSRF token, sign-out everywhere.

A session is a sealed cookie (sealed_cookie.py, the gateways' shared MOMENTUM_SESSION_KEY): HttpOnly,
SameSite=Strict, holding the session id, the clinic, user and role, the CSRF token and the expiry. Any gateway
opens it, so a session works behind a load balancer and survives a restart. What a cookie cannot carry is
"signed out": the session ledger (session_ledger.py) records sign-outs in plans, ended here at once and on every
gateway within MOMENTUM_SESSION_SYNC_SECONDS; the same ledger makes a `momentum login` link work once whichever
gateway opens it. The `BrowserSessionLayer` hands a live session to the routes as request state (auth.py's
`authenticated` reads it when no bearer token came), and plans' stored user still decides every request
(identity_check.py). An unsafe method carried by the cookie must echo the CSRF cookie in `X-CSRF-Token`.
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
from typing import Any, Callable
from urllib.parse import parse_qs

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, Field

from services.common.identity import ROLES, Identity
from services.common.settings import OIDC_CALLBACK_PATH, AuthSettings, BrowserSessionSettings
from services.gateway.auth import authenticated
from services.gateway.errors import ApiError
from services.gateway.oidc import FLOW_TTL_SECONDS, Flow, OidcClient
from services.gateway.signin_page import failure_page
from services.gateway.routing import api_router
from services.gateway.sealed_cookie import Sealer
from services.gateway.session_ledger import SessionLedger

SIGNIN_AUDIENCE = "momentum-web-signin"
SIGNIN_PATH = "/v1/session/signin"
SIGNOUT_PATH = "/v1/session/signout"
OIDC_START_PATH = "/v1/session/oidc/start"
LINK_TTL = timedelta(minutes=10)
SESSION_COOKIE = "momentum_session"
CSRF_COOKIE = "momentum_csrf"
FLOW_COOKIE = "momentum_oidc_flow"
CSRF_HEADER = b"x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_PURPOSE = "session"
FLOW_PURPOSE = "oidc-flow"


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
    session_id: str
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    csrf: str
    expires_at: float

    def claimed(self, request_id: str) -> Identity:
        return Identity(self.tenant_id, self.user_id, self.role, request_id)


class SessionsUnavailable(ApiError):
    def __init__(self) -> None:
        super().__init__(503, "unavailable", "browser sessions cannot be checked: this gateway has not heard the "
                         "recorded sign-outs from plans lately; try again shortly")


class BrowserSessions:
    """Making, opening and ending sealed sessions; redeeming sign-in links once for every gateway."""

    def __init__(self, auth: AuthSettings, settings: BrowserSessionSettings, ledger: SessionLedger) -> None:
        self._auth = auth
        self._ttl = settings.ttl.total_seconds()
        self.sealer = Sealer(settings.key)
        self.ledger = ledger

    def start(self, caller: Identity) -> tuple[str, BrowserSession]:
        """A new session for an admitted caller: the cookie value and what it holds."""
        session = BrowserSession(secrets.token_urlsafe(24), caller.tenant_id, caller.user_id, caller.role,
                                 secrets.token_urlsafe(32), float(int(time.time() + self._ttl)))
        payload = {"sid": session.session_id, "t": str(session.tenant_id), "u": str(session.user_id),
                   "r": session.role, "c": session.csrf}
        return self.sealer.seal(SESSION_PURPOSE, payload, session.expires_at), session

    def open(self, cookie: str, trusting: bool = True) -> BrowserSession | None:
        """The live session the cookie names; None for no cookie, a forged or expired one, or one signed out.
        SessionsUnavailable when this gateway cannot tell whether it was signed out (unless not `trusting`)."""
        payload = self.sealer.open(SESSION_PURPOSE, cookie)
        if payload is None:
            return None
        try:
            session = BrowserSession(str(payload["sid"]), uuid.UUID(str(payload["t"])), uuid.UUID(str(payload["u"])),
                                     str(payload["r"]), str(payload["c"]), float(payload["exp"]))
        except (KeyError, ValueError):
            return None
        if self.ledger.is_ended(session.session_id):
            return None
        if trusting and not self.ledger.trusted:
            raise SessionsUnavailable()
        return session

    async def end(self, session: BrowserSession) -> None:
        await self.ledger.end(session.session_id, session.expires_at)

    async def redeem(self, link_token: str, request_id: str) -> Identity:
        """The caller a sign-in link names, spending the link (once across every gateway)."""
        if self._auth.jwt_algorithm != "HS256":
            raise ApiError(400, "invalid_argument", "sign-in links are local (HS256); this gateway signs in through OpenID Connect")
        try:
            claims = jwt.decode(
                link_token, self._auth.jwt_secret, algorithms=["HS256"], audience=SIGNIN_AUDIENCE,
                issuer=self._auth.jwt_issuer, options={"require": ["exp", "sub", "tenant", "role", "jti"]},
            )
            tenant_id, user_id = uuid.UUID(str(claims["tenant"])), uuid.UUID(str(claims["sub"]))
        except jwt.ExpiredSignatureError as exc:
            raise ApiError(401, "unauthenticated", "sign-in link expired; run `momentum login` again") from exc
        except (jwt.InvalidTokenError, ValueError) as exc:
            raise ApiError(401, "unauthenticated", f"invalid sign-in link: {exc}") from exc
        if claims["role"] not in ROLES:
            raise ApiError(401, "unauthenticated", "invalid sign-in link: unknown role")
        if not await self.ledger.spend_link(str(claims["jti"]), float(claims["exp"])):
            raise ApiError(401, "unauthenticated", "sign-in link already used; run `momentum login` again")
        return Identity(tenant_id, user_id, str(claims["role"]), request_id)


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
    """Pure ASGI, in front of the app. It answers signing in (a link, or the provider's start and callback) and
    out itself: they are redirects and cookies, no JSON API. A request carrying a live session cookie and no
    Authorization header reaches the routes with the session in its state; an unsafe one must also carry the
    CSRF token, else 403 before any route runs."""

    def __init__(
        self, app: Any, sessions: BrowserSessions, oidc: OidcClient | None, admit: Callable[[Identity], Any],
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.oidc = oidc
        self._admit = admit

    def __getattr__(self, name: str) -> Any:
        # Transparent to whoever reaches the app through the middleware (its state, routes, openapi).
        return getattr(self.app, name)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        try:
            if method == "GET" and path == SIGNIN_PATH:
                await self._sign_in_by_link(scope, send)
                return
            if method == "GET" and path == OIDC_START_PATH:
                await self._oidc_start(scope, send)
                return
            if method == "GET" and path == OIDC_CALLBACK_PATH:
                await self._oidc_callback(scope, send)
                return
            headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or [])
            cookies = _cookies(headers)
            bearer = any(name == b"authorization" for name, _ in headers)
            cookie = cookies.get(SESSION_COOKIE, "")
            if path == SIGNOUT_PATH and method == "POST":
                await self._sign_out(scope, send, headers, cookies)
                return
            if cookie and not bearer:
                await self.sessions.ledger.first_read()
            session = self.sessions.open(cookie) if cookie and not bearer else None
        except ApiError as exc:
            await _json(send, scope, exc.status, exc.error, exc.detail, exc.headers)
            return
        if session is None:
            await self.app(scope, receive, send)
            return
        if method not in SAFE_METHODS and not _csrf_ok(headers, cookies, session):
            await _json(send, scope, 403, "permission_denied", CSRF_PROBLEM)
            return
        scope = dict(scope, state={**scope.get("state", {}), "browser_session": session})
        await self.app(scope, receive, send)

    async def _sign_out(self, scope: dict[str, Any], send: Any, headers: list[tuple[bytes, bytes]], cookies: dict[str, str]) -> None:
        clear = [_expired(SESSION_COOKIE, True), _expired(CSRF_COOKIE, False)]
        # Signing out needs no fresh list of sign-outs: ending a session twice is harmless.
        session = self.sessions.open(cookies.get(SESSION_COOKIE, ""), trusting=False)
        if session is not None:
            if not _csrf_ok(headers, cookies, session):
                await _json(send, scope, 403, "permission_denied", CSRF_PROBLEM)
                return
            try:
                await self.sessions.end(session)
            except ApiError as exc:
                # Ended on this gateway and in this browser; the others could not be told. Say so.
                body = json.dumps({"error": exc.error, "errors": [], "detail": "signed out on this gateway, but the "
                                   f"sign-out could not be recorded for the others: {exc.detail}"}).encode()
                await _respond(send, scope, exc.status, body, [(b"content-type", b"application/json"), *clear,
                                                               *((k.lower().encode(), v.encode()) for k, v in exc.headers.items())])
                return
        await _respond(send, scope, 204, b"", clear)

    async def _sign_in_by_link(self, scope: dict[str, Any], send: Any) -> None:
        token = _query(scope, "token")
        if not token or len(token) > 4096:
            await _json(send, scope, 400, "invalid_argument", "token: the sign-in link's token is missing")
            return
        caller = await self.sessions.redeem(token, _request_id(scope))
        await self._signed_in(scope, send, caller, [])

    async def _oidc_start(self, scope: dict[str, Any], send: Any) -> None:
        if self.oidc is None:
            await _page(send, scope, 404, "This gateway has no OpenID Connect provider configured (MOMENTUM_OIDC_ISSUER).")
            return
        try:
            url, flow = await self.oidc.start()
        except ApiError as exc:
            await _page(send, scope, exc.status, exc.detail, exc.headers)
            return
        sealed = self.sessions.sealer.seal(FLOW_PURPOSE, flow.as_payload(), time.time() + FLOW_TTL_SECONDS)
        # Lax, not Strict: the provider's redirect back to us is a cross-site navigation that must carry it.
        await _respond(send, scope, 303, b"", [
            (b"location", url.encode()),
            _cookie(FLOW_COOKIE, sealed, FLOW_TTL_SECONDS, http_only=True, secure=_secure(scope), same_site="Lax",
                    path=OIDC_CALLBACK_PATH),
        ])

    async def _oidc_callback(self, scope: dict[str, Any], send: Any) -> None:
        # Whatever happens, the flow is over: its cookie goes with this answer.
        clear = [_expired(FLOW_COOKIE, True, path=OIDC_CALLBACK_PATH, same_site="Lax")]
        if self.oidc is None:
            await _page(send, scope, 404, "This gateway has no OpenID Connect provider configured (MOMENTUM_OIDC_ISSUER).")
            return
        error = _query(scope, "error")
        if error:
            described = _query(scope, "error_description")
            await _page(send, scope, 401, f"The sign-in provider refused: {error}{': ' + described if described else ''}.", clear=clear)
            return
        code, state = _query(scope, "code"), _query(scope, "state")
        if not code or not state or len(code) > 4096 or len(state) > 512:
            await _page(send, scope, 400, "code and state: the provider's answer lacks them; start signing in again.", clear=clear)
            return
        payload = self.sessions.sealer.open(FLOW_PURPOSE, _cookies(list(scope.get("headers") or [])).get(FLOW_COOKIE, ""))
        flow = Flow.from_payload(payload) if payload is not None else None
        if flow is None:
            await _page(send, scope, 400, "state: this browser started no sign-in, or it took longer than 10 minutes; "
                        "start signing in again.", clear=clear)
            return
        try:
            claimed = await self.oidc.finish(flow, state, code, _request_id(scope))
            admitted = await self._admit(claimed)
        except ApiError as exc:
            await _page(send, scope, exc.status, exc.detail, exc.headers, clear=clear)
            return
        await self._signed_in(scope, send, admitted, clear)

    async def _signed_in(self, scope: dict[str, Any], send: Any, caller: Identity, extra: list[tuple[bytes, bytes]]) -> None:
        cookie, session = self.sessions.start(caller)
        secure, ttl = _secure(scope), int(session.expires_at - time.time())
        await _respond(send, scope, 303, b"", [
            (b"location", b"/"),
            _cookie(SESSION_COOKIE, cookie, ttl, http_only=True, secure=secure),
            # Readable by the app's script on purpose: it echoes it in X-CSRF-Token (double submit).
            _cookie(CSRF_COOKIE, session.csrf, ttl, http_only=False, secure=secure),
            *extra,
        ])


CSRF_PROBLEM = "X-CSRF-Token header missing or not this session's"


def _csrf_ok(headers: list[tuple[bytes, bytes]], cookies: dict[str, str], session: BrowserSession) -> bool:
    sent = next((value.decode("latin-1") for name, value in headers if name == CSRF_HEADER), "")
    # Double submit: the header must equal the cookie (which only our origin can read) and the session's token.
    return bool(sent) and hmac.compare_digest(sent, cookies.get(CSRF_COOKIE, "")) and hmac.compare_digest(sent, session.csrf)


def _query(scope: dict[str, Any], name: str) -> str:
    return parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name, [""])[0]


def _request_id(scope: dict[str, Any]) -> str:
    return str(scope.get("state", {}).get("request_id", "")) or uuid.uuid4().hex


def _secure(scope: dict[str, Any]) -> bool:
    return scope.get("scheme") == "https"


def _cookie(name: str, value: str, max_age: int, http_only: bool, secure: bool, same_site: str = "Strict",
            path: str = "/") -> tuple[bytes, bytes]:
    parts = [f"{name}={value}", f"Path={path}", f"Max-Age={max(max_age, 0)}", f"SameSite={same_site}"]
    parts += (["HttpOnly"] if http_only else []) + (["Secure"] if secure else [])
    return b"set-cookie", "; ".join(parts).encode()


def _expired(name: str, http_only: bool, path: str = "/", same_site: str = "Strict") -> tuple[bytes, bytes]:
    parts = [f"{name}=", f"Path={path}", "Max-Age=0", f"SameSite={same_site}"] + (["HttpOnly"] if http_only else [])
    return b"set-cookie", "; ".join(parts).encode()


async def _json(send: Any, scope: dict[str, Any], status: int, error: str, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"error": error, "detail": detail, "errors": []}).encode()
    extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await _respond(send, scope, status, body, [(b"content-type", b"application/json"), *extra])


async def _page(send: Any, scope: dict[str, Any], status: int, detail: str, headers: dict[str, str] | None = None,
                clear: list[tuple[bytes, bytes]] | None = None) -> None:
    """A sign-in failure as the browser shows it: what to do in the browser's language, the problem named exactly."""
    accept = next((v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"accept-language"), "")
    body = failure_page(status, detail, accept)
    extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await _respond(send, scope, status, body, [(b"content-type", b"text/html; charset=utf-8"), *extra, *(clear or [])])


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


class SignInOptionsReply(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"clinicProvider": True, "signInLinks": False}]}}

    clinicProvider: bool = Field(description="the clinic's OpenID Connect provider signs browsers in: "
                                 "GET /v1/session/oidc/start begins it")
    signInLinks: bool = Field(description="`momentum login` links work on this gateway (local HS256 tokens)")


router = api_router("browser session")


@router.get("/v1/session", response_model=SessionReply, operation_id="getBrowserSession")
async def current_session(caller: Identity = Depends(authenticated)) -> SessionReply:
    """Who the caller is (cookie session or bearer token): the web app asks this first. Signing in
    (`GET /v1/session/signin?token=`, the link `momentum login` prints, or `GET /v1/session/oidc/start` through the
    clinic's OpenID Connect provider) and out (`POST /v1/session/signout`, with X-CSRF-Token) are answered in
    front of the app by the browser session layer."""
    return SessionReply(tenantId=caller.tenant_id, userId=caller.user_id, role=caller.role)


@router.get("/v1/session/config", response_model=SignInOptionsReply, operation_id="getSignInOptions")
async def sign_in_options(request: Request) -> SignInOptionsReply:
    """How a browser can sign in on this gateway, for the sign-in page; public (nothing about anyone)."""
    settings = request.app.state.settings
    return SignInOptionsReply(
        clinicProvider=settings.browser_sessions.oidc is not None, signInLinks=settings.auth.jwt_algorithm == "HS256",
    )
