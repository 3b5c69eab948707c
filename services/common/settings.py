"""Configuration read once from environment variables, with the local defaults `make up` uses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Mapping, TypeVar
from urllib.parse import quote

from services.common.session_token import MIN_KEY_BYTES

T = TypeVar("T")

SERVICES = ("plans", "streaks", "entrances", "telemetry")
# Who may call a gRPC port: the gateway (on behalf of users) and the services themselves.
CALLERS = ("gateway", *SERVICES)
MIN_SERVICE_KEY_CHARS = 32
DEFAULT_GRPC_PORTS = {"plans": 50051, "streaks": 50052, "entrances": 50053, "telemetry": 50054}


class SettingsError(ValueError):
    """A configuration variable is missing or malformed; the message names it."""


def _read(env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T]) -> T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"environment variable {name}={raw!r} is invalid: {exc}") from exc


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be a whole number of at least 0")
    return value


def _seconds(raw: str) -> timedelta:
    value = float(raw)
    if value < 0:
        raise ValueError("must be a non-negative number of seconds")
    return timedelta(seconds=value)


def _ladder(raw: str) -> tuple[timedelta, ...]:
    # "1,5,30,120,600": seconds of each retry step; the last one repeats.
    steps = tuple(_seconds(part.strip()) for part in raw.split(",") if part.strip())
    if not steps or any(step <= timedelta(0) for step in steps):
        raise ValueError("expected positive seconds separated by commas, e.g. 1,5,30,120,600")
    return steps


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return raw

    return parse


@dataclass(frozen=True)
class DatabaseSettings:
    host: str = "127.0.0.1"
    port: int = 5432
    name: str = "momentum"
    owner_password: str = "momentum-local-owner"
    app_password: str = "momentum-local-app"
    pool_size: int = 10
    # MOMENTUM_DB_<SERVICE>_PASSWORD per role; a service missing here uses app_password (old env files).
    service_passwords: Mapping[str, str] = field(default_factory=dict)

    def password_for(self, service: str) -> str:
        return self.service_passwords.get(service) or self.app_password

    def app_url(self, service: str) -> str:
        """The service's own role: owns nothing, cannot bypass row-level security."""
        return self._url(f"momentum_{service}", self.password_for(service))

    def owner_url(self) -> str:
        """The schema owner, used only by migrations."""
        return self._url("momentum_owner", self.owner_password)

    def _url(self, user: str, password: str) -> str:
        return f"postgresql+asyncpg://{user}:{quote(password, safe='')}@{self.host}:{self.port}/{self.name}"


@dataclass(frozen=True)
class BrokerSettings:
    host: str = "127.0.0.1"
    port: int = 5672
    user: str = "guest"
    password: str = "guest"
    vhost: str = "momentum"
    prefetch: int = 50
    # Backstop only: a consumer that dies mid-message gets this many deliveries. Handled failures go
    # through the retry ladder instead and never count here.
    delivery_limit: int = 5
    # A transiently failing message waits in one delay queue per step, then the last step repeats.
    retry_ladder: tuple[timedelta, ...] = tuple(timedelta(seconds=s) for s in (1, 5, 30, 120, 600))
    # Parked in `<queue>.dead` only after failing transiently for at least this long.
    retry_park_after: timedelta = timedelta(minutes=15)

    @property
    def url(self) -> str:
        return (
            f"amqp://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(self.vhost, safe='')}"
        )


@dataclass(frozen=True)
class S3Settings:
    endpoint: str | None = "http://127.0.0.1:9000"
    region: str = "us-east-1"
    access_key: str = "momentum-local"
    secret_key: str = "momentum-local-secret"
    replay_bucket: str = "momentum-replays"


@dataclass(frozen=True)
class AuthSettings:
    jwt_algorithm: str = "HS256"
    jwt_secret: str = "momentum-local-jwt-secret-change-me"
    jwks_path: str | None = None
    jwt_audience: str = "momentum"
    jwt_issuer: str = "momentum-local"
    telemetry_token_keys: Mapping[str, bytes] = field(
        default_factory=lambda: {"local-1": b"momentum-local-telemetry-key-change-me"}
    )
    telemetry_token_active_key: str = "local-1"
    telemetry_token_ttl: timedelta = timedelta(hours=2)
    # HMAC keys of every gRPC caller (services.common.service_auth): a caller signs with its own key,
    # a server verifies with the caller's. Local defaults are public; production refuses them.
    service_keys: Mapping[str, bytes] = field(
        default_factory=lambda: {name: f"momentum-local-service-key-{name}-change-me".encode() for name in CALLERS}
    )


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


@dataclass(frozen=True)
class Settings:
    environment: str = "local"
    log_format: str = "console"
    log_level: str = "INFO"
    # None: log to stderr (a supervisor collects it). A path: a size-capped file rotated into `log_backups` copies.
    log_file: str | None = None
    log_max_bytes: int = 20 * 1024 * 1024
    log_backups: int = 5
    database: DatabaseSettings = DatabaseSettings()
    broker: BrokerSettings = BrokerSettings()
    s3: S3Settings = S3Settings()
    auth: AuthSettings = AuthSettings()
    browser_sessions: BrowserSessionSettings = BrowserSessionSettings()
    grpc_host: str = "127.0.0.1"
    grpc_ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_GRPC_PORTS))
    # Prometheus port of each service process (dead letters, retries, quarantined outbox rows); 0: none.
    metrics_ports: Mapping[str, int] = field(default_factory=lambda: {s: 0 for s in SERVICES})
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    gateway_max_body_bytes: int = 1_048_576
    # Browser origins allowed to call the API cross-origin (CORS); empty: no CORS headers at all.
    cors_allow_origins: tuple[str, ...] = ()
    grpc_deadline: timedelta = timedelta(seconds=5)
    outbox_poll_interval: timedelta = timedelta(seconds=1)
    flag_cache_ttl: timedelta = timedelta(seconds=5)
    entrance_finalize_delay: timedelta = timedelta(hours=2)
    entrance_sweep_interval: timedelta = timedelta(minutes=15)
    entrance_sweep_grace: timedelta = timedelta(minutes=5)
    entrance_finalizer_concurrency: int = 3
    # XP is awarded by the server: per real workout, per exercise in it, and by therapists up to a cap.
    xp_per_workout: int = 10
    xp_per_exercise: int = 2
    xp_award_cap: int = 500
    xp_goal_bonus: int = 5
    daily_xp_goal: int = 30
    daily_exercises_goal: int = 0
    # Telemetry: an exercise session with no data for this long is finalized as incomplete.
    telemetry_silence_timeout: timedelta = timedelta(minutes=10)
    # How long the gateway trusts plans' answer about a token's clinic and user (role, active).
    identity_cache_ttl: timedelta = timedelta(seconds=30)
    # gRPC targets of the telemetry instances the gateway spreads sessions over; empty: grpc_target("telemetry").
    telemetry_targets: tuple[str, ...] = ()

    def grpc_target(self, service: str) -> str:
        return f"{self.grpc_host}:{self.grpc_ports[service]}"


def _origins(raw: str) -> tuple[str, ...]:
    # "https://clinic.example,http://localhost:5173": exact origins, scheme and host (and port), no path.
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")) or origin.count("/") > 2:
            raise ValueError(f"{origin!r} is not an origin like https://clinic.example")
    return origins


def _targets(raw: str) -> tuple[str, ...]:
    # "host:port,host:port" — order does not matter: the gateway hashes sessions over the set.
    targets = tuple(sorted({t.strip() for t in raw.split(",") if t.strip()}))
    for target in targets:
        host, sep, port = target.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"{target!r} is not host:port")
    return targets


def _telemetry_keys(raw: str) -> dict[str, bytes]:
    # "kid1:secret1,kid2:secret2" — several keys so a rotation never invalidates live sessions.
    keys: dict[str, bytes] = {}
    for pair in raw.split(","):
        kid, sep, secret = pair.partition(":")
        if not sep or not kid.strip():
            raise ValueError("expected kid:secret pairs separated by commas")
        # The length signing checks (session_token.MIN_KEY_BYTES), so a key that loads can sign.
        if len(secret.encode()) < MIN_KEY_BYTES:
            raise ValueError(f"the secret of key {kid.strip()!r} has {len(secret.encode())} bytes; signing needs {MIN_KEY_BYTES}+")
        keys[kid.strip()] = secret.encode()
    return keys


def _service_key(raw: str) -> bytes:
    if len(raw) < MIN_SERVICE_KEY_CHARS:
        raise ValueError(f"a service key needs at least {MIN_SERVICE_KEY_CHARS} characters")
    return raw.encode()


def _secret(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    """NAME, or NAME_FILE naming a file that holds it (a mounted secret)."""
    path = env.get(f"{name}_FILE")
    if not path:
        return _read(env, name, default, str)
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or default
    except OSError as exc:
        raise SettingsError(f"environment variable {name}_FILE={path!r} cannot be read: {exc}") from exc


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


def _service_keys(env: Mapping[str, str], defaults: Mapping[str, bytes]) -> dict[str, bytes]:
    """MOMENTUM_SERVICE_KEY_<CALLER>, or MOMENTUM_SERVICE_KEY_<CALLER>_FILE naming a file that holds it."""
    keys = dict(defaults)
    for caller in CALLERS:
        name = f"MOMENTUM_SERVICE_KEY_{caller.upper()}"
        path = env.get(f"{name}_FILE")
        if path:
            try:
                with open(path, encoding="utf-8") as handle:
                    raw = handle.read().strip()
            except OSError as exc:
                raise SettingsError(f"environment variable {name}_FILE={path!r} cannot be read: {exc}") from exc
            keys[caller] = _read({name: raw}, name, keys[caller], _service_key)
        else:
            keys[caller] = _read(env, name, keys[caller], _service_key)
    return keys


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Reads every variable once; a malformed one raises SettingsError naming it."""
    env = os.environ if env is None else env
    base = Settings()
    db, broker, s3, auth = base.database, base.broker, base.s3, base.auth
    ports = dict(DEFAULT_GRPC_PORTS)
    for service in SERVICES:
        ports[service] = _read(env, f"MOMENTUM_{service.upper()}_GRPC_PORT", ports[service], _positive_int)
    metrics_ports = {
        service: _read(env, f"MOMENTUM_{service.upper()}_METRICS_PORT", 0, _non_negative_int) for service in SERVICES
    }
    auth_algorithm = _read(env, "MOMENTUM_JWT_ALGORITHM", auth.jwt_algorithm, _choice("HS256", "RS256"))
    auth_settings = AuthSettings(
        jwt_algorithm=auth_algorithm,
        jwt_secret=_read(env, "MOMENTUM_JWT_SECRET", auth.jwt_secret, str),
        jwks_path=_read(env, "MOMENTUM_JWKS_PATH", auth.jwks_path, str),
        jwt_audience=_read(env, "MOMENTUM_JWT_AUDIENCE", auth.jwt_audience, str),
        jwt_issuer=_read(env, "MOMENTUM_JWT_ISSUER", auth.jwt_issuer, str),
        telemetry_token_keys=_read(env, "MOMENTUM_TELEMETRY_TOKEN_KEYS", auth.telemetry_token_keys, _telemetry_keys),
        telemetry_token_active_key=_read(
            env, "MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY", auth.telemetry_token_active_key, str
        ),
        telemetry_token_ttl=_read(env, "MOMENTUM_TELEMETRY_TOKEN_TTL", auth.telemetry_token_ttl, _seconds),
        service_keys=_service_keys(env, auth.service_keys),
    )
    if auth_settings.jwt_algorithm == "RS256" and not auth_settings.jwks_path:
        raise SettingsError("MOMENTUM_JWKS_PATH is required when MOMENTUM_JWT_ALGORITHM=RS256")
    if auth_settings.telemetry_token_active_key not in auth_settings.telemetry_token_keys:
        raise SettingsError("MOMENTUM_TELEMETRY_TOKEN_ACTIVE_KEY names a key id missing from MOMENTUM_TELEMETRY_TOKEN_KEYS")
    environment = _read(env, "MOMENTUM_ENV", base.environment, _choice("local", "test", "production"))
    settings = Settings(
        environment=environment,
        log_format=_read(
            env, "MOMENTUM_LOG_FORMAT", "json" if environment == "production" else "console", _choice("json", "console")
        ),
        log_level=_read(env, "MOMENTUM_LOG_LEVEL", base.log_level, _choice("DEBUG", "INFO", "WARNING", "ERROR")),
        log_file=_read(env, "MOMENTUM_LOG_FILE", base.log_file, str) or None,
        log_max_bytes=_read(env, "MOMENTUM_LOG_MAX_BYTES", base.log_max_bytes, _positive_int),
        log_backups=_read(env, "MOMENTUM_LOG_BACKUPS", base.log_backups, _non_negative_int),
        database=DatabaseSettings(
            host=_read(env, "MOMENTUM_DB_HOST", db.host, str),
            port=_read(env, "MOMENTUM_DB_PORT", db.port, _positive_int),
            name=_read(env, "MOMENTUM_DB_NAME", db.name, str),
            owner_password=_read(env, "MOMENTUM_DB_OWNER_PASSWORD", db.owner_password, str),
            app_password=_read(env, "MOMENTUM_DB_APP_PASSWORD", db.app_password, str),
            pool_size=_read(env, "MOMENTUM_DB_POOL_SIZE", db.pool_size, _positive_int),
            service_passwords={
                service: env[f"MOMENTUM_DB_{service.upper()}_PASSWORD"]
                for service in SERVICES
                if env.get(f"MOMENTUM_DB_{service.upper()}_PASSWORD")
            },
        ),
        broker=BrokerSettings(
            host=_read(env, "MOMENTUM_AMQP_HOST", broker.host, str),
            port=_read(env, "MOMENTUM_AMQP_PORT", broker.port, _positive_int),
            user=_read(env, "MOMENTUM_AMQP_USER", broker.user, str),
            password=_read(env, "MOMENTUM_AMQP_PASSWORD", broker.password, str),
            vhost=_read(env, "MOMENTUM_AMQP_VHOST", broker.vhost, str),
            prefetch=_read(env, "MOMENTUM_AMQP_PREFETCH", broker.prefetch, _positive_int),
            delivery_limit=_read(env, "MOMENTUM_AMQP_DELIVERY_LIMIT", broker.delivery_limit, _positive_int),
            retry_ladder=_read(env, "MOMENTUM_AMQP_RETRY_LADDER", broker.retry_ladder, _ladder),
            retry_park_after=_read(env, "MOMENTUM_AMQP_RETRY_PARK_AFTER", broker.retry_park_after, _seconds),
        ),
        s3=S3Settings(
            endpoint=_read(env, "MOMENTUM_S3_ENDPOINT", s3.endpoint, str),
            region=_read(env, "MOMENTUM_S3_REGION", s3.region, str),
            access_key=_read(env, "MOMENTUM_S3_ACCESS_KEY", s3.access_key, str),
            secret_key=_read(env, "MOMENTUM_S3_SECRET_KEY", s3.secret_key, str),
            replay_bucket=_read(env, "MOMENTUM_S3_REPLAY_BUCKET", s3.replay_bucket, str),
        ),
        auth=auth_settings,
        browser_sessions=_browser_sessions(env, base.browser_sessions),
        grpc_host=_read(env, "MOMENTUM_GRPC_HOST", base.grpc_host, str),
        grpc_ports=ports,
        metrics_ports=metrics_ports,
        gateway_host=_read(env, "MOMENTUM_GATEWAY_HOST", base.gateway_host, str),
        gateway_port=_read(env, "MOMENTUM_GATEWAY_PORT", base.gateway_port, _positive_int),
        gateway_max_body_bytes=_read(env, "MOMENTUM_GATEWAY_MAX_BODY_BYTES", base.gateway_max_body_bytes, _positive_int),
        cors_allow_origins=_read(env, "MOMENTUM_CORS_ALLOW_ORIGINS", base.cors_allow_origins, _origins),
        grpc_deadline=_read(env, "MOMENTUM_GRPC_DEADLINE_SECONDS", base.grpc_deadline, _seconds),
        outbox_poll_interval=_read(env, "MOMENTUM_OUTBOX_POLL_SECONDS", base.outbox_poll_interval, _seconds),
        flag_cache_ttl=_read(env, "MOMENTUM_FLAG_CACHE_SECONDS", base.flag_cache_ttl, _seconds),
        identity_cache_ttl=_read(env, "MOMENTUM_IDENTITY_CACHE_SECONDS", base.identity_cache_ttl, _seconds),
        entrance_finalize_delay=_read(env, "ENTRANCE_FINALIZE_DELAY", base.entrance_finalize_delay, _seconds),
        entrance_sweep_interval=_read(env, "ENTRANCE_SWEEP_INTERVAL", base.entrance_sweep_interval, _seconds),
        entrance_sweep_grace=_read(env, "ENTRANCE_SWEEP_GRACE", base.entrance_sweep_grace, _seconds),
        entrance_finalizer_concurrency=_read(
            env, "ENTRANCE_FINALIZER_CONCURRENCY", base.entrance_finalizer_concurrency, _positive_int
        ),
        xp_per_workout=_read(env, "MOMENTUM_XP_PER_WORKOUT", base.xp_per_workout, _non_negative_int),
        xp_per_exercise=_read(env, "MOMENTUM_XP_PER_EXERCISE", base.xp_per_exercise, _non_negative_int),
        xp_award_cap=_read(env, "MOMENTUM_XP_AWARD_CAP", base.xp_award_cap, _positive_int),
        xp_goal_bonus=_read(env, "MOMENTUM_XP_GOAL_BONUS", base.xp_goal_bonus, _non_negative_int),
        daily_xp_goal=_read(env, "MOMENTUM_DAILY_XP_GOAL", base.daily_xp_goal, _non_negative_int),
        daily_exercises_goal=_read(env, "MOMENTUM_DAILY_EXERCISES_GOAL", base.daily_exercises_goal, _non_negative_int),
        telemetry_silence_timeout=_read(
            env, "MOMENTUM_TELEMETRY_SILENCE_SECONDS", base.telemetry_silence_timeout, _seconds
        ),
        telemetry_targets=_read(env, "MOMENTUM_TELEMETRY_TARGETS", base.telemetry_targets, _targets),
    )
    if settings.browser_sessions.oidc is not None and settings.auth.jwt_algorithm != "RS256":
        # The provider's access tokens are what the API verifies: they are RS256 against its JWKS, never our secret.
        raise SettingsError("MOMENTUM_OIDC_ISSUER needs MOMENTUM_JWT_ALGORITHM=RS256 and MOMENTUM_JWKS_PATH (the provider's keys)")
    if environment == "production":
        _refuse_local_secrets(settings)
    return settings


def _refuse_local_secrets(settings: Settings) -> None:
    """The local defaults above are public: in production every secret must come from the environment,
    or anyone could sign user or session tokens the platform accepts."""
    local = Settings()
    left = [
        name
        for name, value, default in (
            ("MOMENTUM_JWT_SECRET", settings.auth.jwt_secret if settings.auth.jwt_algorithm == "HS256" else None,
             local.auth.jwt_secret),
            # The shared password matters only while some role still falls back to it.
            ("MOMENTUM_DB_APP_PASSWORD",
             settings.database.app_password if len(settings.database.service_passwords) < len(SERVICES) else None,
             local.database.app_password),
            *(
                (f"MOMENTUM_DB_{service.upper()}_PASSWORD", settings.database.service_passwords.get(service),
                 local.database.app_password)
                for service in SERVICES
            ),
            *(
                (f"MOMENTUM_SERVICE_KEY_{caller.upper()}", settings.auth.service_keys[caller],
                 local.auth.service_keys[caller])
                for caller in CALLERS
            ),
            ("MOMENTUM_S3_SECRET_KEY", settings.s3.secret_key, local.s3.secret_key),
            ("MOMENTUM_SESSION_KEY", settings.browser_sessions.key, local.browser_sessions.key),
        )
        if value == default
    ]
    if set(settings.auth.telemetry_token_keys.values()) & set(local.auth.telemetry_token_keys.values()):
        left.append("MOMENTUM_TELEMETRY_TOKEN_KEYS")
    if left:
        raise SettingsError(f"MOMENTUM_ENV=production needs its own secrets, not the local defaults: set {', '.join(left)}")
