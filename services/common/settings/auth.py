"""Who may call what: user tokens (HS256 or RS256), telemetry session tokens, and each gRPC caller's service key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, Mapping

from pydantic_settings import SettingsConfigDict

from services.common.settings import local_secrets
from services.common.settings.addresses import CALLERS
from services.common.settings.environment import Problem, Section
from services.common.settings.values import MIN_SECRET_BYTES, PositiveSeconds, SecretText, ServiceKey, TelemetryKeys


@dataclass(frozen=True)
class AuthSettings:
    jwt_algorithm: str = "HS256"
    jwt_secret: str = local_secrets.JWT_SECRET
    jwks_path: str | None = None
    jwt_audience: str = "momentum"
    jwt_issuer: str = "momentum-local"
    telemetry_token_keys: Mapping[str, bytes] = field(
        default_factory=lambda: dict(local_secrets.TELEMETRY_TOKEN_KEYS)
    )
    telemetry_token_active_key: str = "local-1"
    telemetry_token_ttl: timedelta = timedelta(hours=2)
    # HMAC keys of every gRPC caller (services.common.service_auth): a caller signs with its own key,
    # a server verifies with the caller's. Local defaults are public; production refuses them.
    service_keys: Mapping[str, bytes] = field(
        default_factory=lambda: dict(local_secrets.SERVICE_KEYS)
    )


LOCAL = AuthSettings()


class TokenEnvironment(Section):
    model_config = SettingsConfigDict(env_prefix="MOMENTUM_")

    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: SecretText = LOCAL.jwt_secret
    jwks_path: str | None = None
    jwt_audience: str = LOCAL.jwt_audience
    jwt_issuer: str = LOCAL.jwt_issuer
    telemetry_token_keys: TelemetryKeys = dict(LOCAL.telemetry_token_keys)
    telemetry_token_active_key: str = LOCAL.telemetry_token_active_key
    telemetry_token_ttl: PositiveSeconds = LOCAL.telemetry_token_ttl


class ServiceKeyEnvironment(Section):
    """MOMENTUM_SERVICE_KEY_<CALLER>, each also as MOMENTUM_SERVICE_KEY_<CALLER>_FILE."""

    model_config = SettingsConfigDict(env_prefix="MOMENTUM_SERVICE_KEY_")

    gateway: ServiceKey = LOCAL.service_keys["gateway"]
    plans: ServiceKey = LOCAL.service_keys["plans"]
    streaks: ServiceKey = LOCAL.service_keys["streaks"]
    entrances: ServiceKey = LOCAL.service_keys["entrances"]
    telemetry: ServiceKey = LOCAL.service_keys["telemetry"]


def auth_settings(tokens: TokenEnvironment, keys: ServiceKeyEnvironment) -> AuthSettings:
    return AuthSettings(
        jwt_algorithm=tokens.jwt_algorithm, jwt_secret=tokens.jwt_secret, jwks_path=tokens.jwks_path or None,
        jwt_audience=tokens.jwt_audience, jwt_issuer=tokens.jwt_issuer,
        telemetry_token_keys=tokens.telemetry_token_keys, telemetry_token_active_key=tokens.telemetry_token_active_key,
        telemetry_token_ttl=tokens.telemetry_token_ttl, service_keys={caller: getattr(keys, caller) for caller in CALLERS},
    )


def token_problems(tokens: TokenEnvironment) -> list[Problem]:
    problems = []
    if tokens.jwt_algorithm == "RS256" and not tokens.jwks_path:
        problems.append(Problem(("MOMENTUM_JWKS_PATH",), "is required when MOMENTUM_JWT_ALGORITHM=RS256"))
    # HS256 signs and verifies with the secret itself (RFC 7518 3.2: a key of at least 256 bits); RS256 never reads it.
    if tokens.jwt_algorithm == "HS256" and len(tokens.jwt_secret.encode()) < MIN_SECRET_BYTES:
        problems.append(Problem(
            ("MOMENTUM_JWT_SECRET",),
            f"an HS256 secret needs at least {MIN_SECRET_BYTES} bytes, this one has {len(tokens.jwt_secret.encode())}",
        ))
    if tokens.telemetry_token_active_key not in tokens.telemetry_token_keys:
        problems.append(Problem(
            ("MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY",),
            f"names key id {tokens.telemetry_token_active_key!r}, missing from MOMENTUM_TELEMETRY_TOKEN_KEYS",
        ))
    return problems
