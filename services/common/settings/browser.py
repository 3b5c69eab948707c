"""Settings of browser sign-in: the sealed session cookies every gateway shares and the clinic's OpenID Connect provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from pydantic_settings import SettingsConfigDict

from services.common.settings import local_secrets
from services.common.settings.environment import Problem, Section
from services.common.settings.values import HttpUrl, OptionalSecretText, PositiveSeconds, Scopes, SessionKey

# The one path the gateway answers the provider's redirect on: a redirect URL elsewhere never comes back to it.
OIDC_CALLBACK_PATH = "/v1/session/oidc/callback"


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
    key: str = local_secrets.SESSION_KEY
    ttl: timedelta = timedelta(hours=12)
    # How often a gateway reads the sign-outs every gateway recorded in plans: the bound on "signed out everywhere".
    sync_interval: timedelta = timedelta(seconds=5)
    oidc: OidcSettings | None = None


LOCAL = BrowserSessionSettings()


class BrowserEnvironment(Section):
    model_config = SettingsConfigDict(env_prefix="MOMENTUM_")

    session_key: SessionKey = LOCAL.key
    session_ttl_seconds: PositiveSeconds = LOCAL.ttl
    session_sync_seconds: PositiveSeconds = LOCAL.sync_interval
    oidc_issuer: HttpUrl | None = None
    oidc_client_id: str | None = None
    oidc_redirect_url: HttpUrl | None = None
    oidc_client_secret: OptionalSecretText = None
    oidc_scopes: Scopes = ("openid", "profile")


def browser_settings(env: BrowserEnvironment) -> BrowserSessionSettings:
    oidc = None
    if env.oidc_issuer and env.oidc_client_id and env.oidc_redirect_url:
        oidc = OidcSettings(
            issuer=env.oidc_issuer, client_id=env.oidc_client_id, redirect_url=env.oidc_redirect_url,
            client_secret=env.oidc_client_secret or None, scopes=env.oidc_scopes,
        )
    return BrowserSessionSettings(key=env.session_key, ttl=env.session_ttl_seconds, sync_interval=env.session_sync_seconds, oidc=oidc)


def browser_problems(env: BrowserEnvironment) -> list[Problem]:
    if env.oidc_issuer is None:
        return []
    problems = [
        Problem((name,), "must be set too: MOMENTUM_OIDC_ISSUER is set")
        for name, value in (("MOMENTUM_OIDC_CLIENT_ID", env.oidc_client_id), ("MOMENTUM_OIDC_REDIRECT_URL", env.oidc_redirect_url))
        if not value
    ]
    if env.oidc_redirect_url and urlsplit(env.oidc_redirect_url).path != OIDC_CALLBACK_PATH:
        problems.append(Problem(
            ("MOMENTUM_OIDC_REDIRECT_URL",),
            f"must be the gateway's callback, https://<gateway>{OIDC_CALLBACK_PATH}: the provider sends the browser there",
        ))
    return problems
