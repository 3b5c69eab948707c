"""Settings of browser sign-in: the sealed session cookies every gateway shares and the clinic's OpenID Connect provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping

from services.common.setting_values import MIN_SERVICE_KEY_CHARS, SettingsError, _read, _seconds, _secret


@dataclass(frozen=True)
class OidcSettings:
    """The clinic's OpenID Connect provider, for browser sign-in (authorization code with PKCE)."""

    issuer: str
    client_id: str
    redirect_url: str
    client_secret: str | None = None
    scopes: tuple[str, ...] = ("openid", "profile")


@dataclass(frozen=True)
class BrowserSessionSettings:
    # Seals (encrypts and authenticates) the session and sign-in cookies: every gateway needs the same key.
    key: str = "momentum-local-browser-session-key-change-me"
    ttl: timedelta = timedelta(hours=12)
    # How often a gateway reads the sign-outs every gateway recorded in plans: the bound on "signed out everywhere".
    sync_interval: timedelta = timedelta(seconds=5)
    oidc: OidcSettings | None = None


def _session_key(raw: str) -> str:
    if len(raw) < MIN_SERVICE_KEY_CHARS:
        raise ValueError(f"a session key needs at least {MIN_SERVICE_KEY_CHARS} characters")
    return raw


def _url(raw: str) -> str:
    if not raw.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return raw.rstrip("/")


def _browser_sessions(env: Mapping[str, str], base: BrowserSessionSettings) -> BrowserSessionSettings:
    key = _secret(env, "MOMENTUM_SESSION_KEY", base.key)
    oidc = None
    issuer = _read(env, "MOMENTUM_OIDC_ISSUER", None, _url)
    if issuer is not None:
        missing = [n for n in ("MOMENTUM_OIDC_CLIENT_ID", "MOMENTUM_OIDC_REDIRECT_URL") if not env.get(n)]
        if missing:
            raise SettingsError(f"MOMENTUM_OIDC_ISSUER is set: {' and '.join(missing)} must be set too")
        scopes = tuple(_read(env, "MOMENTUM_OIDC_SCOPES", "openid profile", str).split())
        if "openid" not in scopes:
            raise SettingsError("MOMENTUM_OIDC_SCOPES must include openid")
        oidc = OidcSettings(
            issuer=issuer, client_id=env["MOMENTUM_OIDC_CLIENT_ID"],
            redirect_url=_read(env, "MOMENTUM_OIDC_REDIRECT_URL", "", _url),
            client_secret=_secret(env, "MOMENTUM_OIDC_CLIENT_SECRET", None) or None, scopes=scopes,
        )
    return BrowserSessionSettings(
        key=_read({"MOMENTUM_SESSION_KEY": key or ""}, "MOMENTUM_SESSION_KEY", base.key, _session_key),
        ttl=_read(env, "MOMENTUM_SESSION_TTL_SECONDS", base.ttl, _seconds),
        sync_interval=_read(env, "MOMENTUM_SESSION_SYNC_SECONDS", base.sync_interval, _seconds),
        oidc=oidc,
    )
