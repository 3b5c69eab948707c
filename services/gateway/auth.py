"""Bearer tokens: HS256 with a local secret, RS256 against a JWKS file in production."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.identity import ROLES, Identity
from services.common.settings import AuthSettings
from services.gateway.errors import ApiError


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._jwks: jwt.PyJWKSet | None = None
        if settings.jwt_algorithm == "RS256":
            with open(settings.jwks_path or "", encoding="utf-8") as handle:
                self._jwks = jwt.PyJWKSet.from_dict(json.load(handle))

    def _key_for(self, token: str) -> object:
        if self._jwks is None:
            return self._settings.jwt_secret
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._jwks.keys:
            if key.key_id == kid:
                return key.key
        raise jwt.InvalidTokenError(f"no key {kid!r} in the JWKS")

    def verify(self, token: str, request_id: str) -> Identity:
        try:
            claims = jwt.decode(
                token,
                self._key_for(token),
                algorithms=[self._settings.jwt_algorithm],
                audience=self._settings.jwt_audience,
                issuer=self._settings.jwt_issuer,
                options={"require": ["exp", "sub", "tenant", "role"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise ApiError(401, "unauthenticated", "token expired") from exc
        except jwt.InvalidTokenError as exc:
            raise ApiError(401, "unauthenticated", f"invalid token: {exc}") from exc
        role = claims.get("role")
        if role not in ROLES:
            raise ApiError(401, "unauthenticated", f"token role {role!r} is not one of {', '.join(ROLES)}")
        try:
            return Identity(uuid.UUID(str(claims["tenant"])), uuid.UUID(str(claims["sub"])), role, request_id)
        except ValueError as exc:
            raise ApiError(401, "unauthenticated", "token tenant and sub must be UUIDs") from exc


def issue_local_token(
    settings: AuthSettings, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str, ttl: timedelta = timedelta(hours=12)
) -> str:
    """A token signed with the local HS256 secret: for `momentum token` and tests, never production."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    now = datetime.now(timezone.utc)
    claims = {
        "sub": str(user_id),
        "tenant": str(tenant_id),
        "role": role,
        "iat": now,
        "exp": now + ttl,
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


bearer = HTTPBearer(auto_error=False, description="JWT from your identity provider; locally: `momentum token`")


async def authenticated(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Identity:
    # A live browser session (browser_session.py put it in the request's state; no client can) stands in for a token.
    session = getattr(request.state, "browser_session", None) if credentials is None else None
    if session is not None:
        # The session is a claim too; plans' stored clinic and user decide (services.gateway.identity_check).
        return await request.app.state.identities.resolve(session.claimed(request.state.request_id))
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthenticated", MISSING_BEARER)
    return await verified_caller(request.app.state, credentials.credentials, request.state.request_id)


MISSING_BEARER = "missing bearer token (Authorization: Bearer <token>)"


async def verified_caller(state: Any, token: str, request_id: str) -> Identity:
    """The caller a bearer token names. The token is a claim; plans' stored clinic and user decide
    (services.gateway.identity_check). Shared by the dependency above and the gateway's fast paths."""
    verifier: TokenVerifier = state.verifier
    return await state.identities.resolve(verifier.verify(token, request_id))


def require_one_of(caller: Identity, roles: tuple[str, ...]) -> Identity:
    if caller.role not in roles:
        raise ApiError(403, "permission_denied", f"role {caller.role!r} may not call this; needs {' or '.join(roles)}")
    return caller


def require_role(*roles: str) -> Callable[..., object]:
    async def dependency(caller: Identity = Depends(authenticated)) -> Identity:
        return require_one_of(caller, roles)

    return dependency
