"""Configuration read once from environment variables, with the local defaults `make up` uses."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Mapping
from urllib.parse import quote

from services.common.browser_settings import BrowserSessionSettings, OidcSettings, _browser_sessions  # noqa: F401
from services.common.setting_values import (  # noqa: F401 - SettingsError is part of this module's API
    MIN_SERVICE_KEY_CHARS,
    SettingsError,
    _amqp_urls,
    _bool,
    _choice,
    _grpc_target,
    _host_port,
    _ladder,
    _non_negative_int,
    _origins,
    _parsed_secret,
    _positive_int,
    _read,
    _seconds,
    _secret,
    _service_key,
    _targets,
    _telemetry_keys,
)


SERVICES = ("plans", "streaks", "entrances", "telemetry")
# Who may call a gRPC port: the gateway (on behalf of users) and the services themselves.
CALLERS = ("gateway", *SERVICES)
DEFAULT_GRPC_PORTS = {"plans": 50051, "streaks": 50052, "entrances": 50053, "telemetry": 50054}


@dataclass(frozen=True)
class DatabaseServer:
    """Where one service's schema lives: each service owns its schema, so each may have its own server."""

    host: str
    port: int
    name: str


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
    # MOMENTUM_DB_<SERVICE>_POOL_SIZE; a service missing here uses pool_size.
    service_pool_sizes: Mapping[str, int] = field(default_factory=dict)
    # MOMENTUM_DB_<SERVICE>_HOST/_PORT/_NAME; a service missing here uses host, port and name.
    service_servers: Mapping[str, DatabaseServer] = field(default_factory=dict)
    # MOMENTUM_<SERVICE>_INSTANCES: how many processes of each service share the server (the start-up
    # check of instances x pool against the server's max_connections).
    instances: Mapping[str, int] = field(default_factory=dict)
    # Through PgBouncer in transaction pooling a server connection changes under a session, so a
    # server-side prepared statement cache would name statements another server connection never saw.
    transaction_pooler: bool = False
    # libpq's sslmode (disable, require, verify-ca, verify-full) and the CA bundle verify-* check against.
    sslmode: str = "disable"
    sslrootcert: str | None = None

    def password_for(self, service: str) -> str:
        return self.service_passwords.get(service) or self.app_password

    def pool_size_for(self, service: str) -> int:
        return self.service_pool_sizes.get(service, self.pool_size)

    def server_for(self, service: str) -> DatabaseServer:
        return self.service_servers.get(service) or DatabaseServer(self.host, self.port, self.name)

    def app_url(self, service: str) -> str:
        """The service's own role: owns nothing, cannot bypass row-level security."""
        return self._url(f"momentum_{service}", self.password_for(service), self.server_for(service))

    def owner_url(self, service: str | None = None) -> str:
        """The schema owner, used only by migrations (on the server of `service` when given)."""
        server = self.server_for(service) if service else DatabaseServer(self.host, self.port, self.name)
        return self._url("momentum_owner", self.owner_password, server)

    def _url(self, user: str, password: str, server: DatabaseServer) -> str:
        return f"postgresql+asyncpg://{user}:{quote(password, safe='')}@{server.host}:{server.port}/{server.name}"


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
    # MOMENTUM_AMQP_URLS: the nodes of a cluster, amqp:// or amqps://; a reconnect tries the next one.
    # Empty: the one node of host, port, user, password and vhost.
    urls: tuple[str, ...] = ()
    # CA bundle an amqps:// node's certificate is verified against (aiormq's `cafile` URL option).
    ca_file: str | None = None

    @property
    def url(self) -> str:
        """The first node: what a one-off tool (the dlq command, a test probe) connects to."""
        return self.node_urls[0]

    @property
    def node_urls(self) -> tuple[str, ...]:
        urls = self.urls or (
            f"amqp://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(self.vhost, safe='')}",
        )
        if not self.ca_file:
            return urls
        return tuple(
            f"{url}{'&' if '?' in url else '?'}cafile={quote(self.ca_file, safe='')}" if url.startswith("amqps://") else url
            for url in urls
        )


@dataclass(frozen=True)
class S3Settings:
    endpoint: str | None = "http://127.0.0.1:9000"
    region: str = "us-east-1"
    # None: the default AWS credential chain (instance role, web identity, ~/.aws, AWS_* variables).
    access_key: str | None = "momentum-local"
    secret_key: str | None = "momentum-local-secret"
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
class GrpcTls:
    """TLS on every gRPC hop. A server presents cert/key; with client_ca it also requires and verifies the
    caller's certificate (a caller presents the same cert/key). A caller verifies servers against ca;
    server_name overrides the name checked when targets are IP addresses."""

    cert_file: str | None = None
    key_file: str | None = None
    ca_file: str | None = None
    client_ca_file: str | None = None
    server_name: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.ca_file or self.cert_file)


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
    # MOMENTUM_<SERVICE>_GRPC_LISTEN (host:port) and MOMENTUM_<SERVICE>_TARGETS (a gRPC target: host:port,
    # ipv4:a:p,b:p, dns:///name:port); a service missing here listens on and is dialled at grpc_host:port.
    grpc_listen: Mapping[str, str] = field(default_factory=dict)
    grpc_targets: Mapping[str, str] = field(default_factory=dict)
    grpc_tls: GrpcTls = GrpcTls()
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
        """What a caller dials: the service's target list, else the one host of MOMENTUM_GRPC_HOST. Telemetry's
        list is the gateway's session ring; calls of no session (health, reads) round-robin over it."""
        if service == "telemetry" and self.telemetry_targets and service not in self.grpc_targets:
            return _grpc_target(",".join(self.telemetry_targets))
        return self.grpc_targets.get(service) or f"{self.grpc_host}:{self.grpc_ports[service]}"

    def grpc_listen_address(self, service: str, port: int | None = None) -> str:
        """Where the service's gRPC server binds; `port` (a test's free port) replaces the configured one."""
        listen = self.grpc_listen.get(service)
        if listen is None:
            return f"{self.grpc_host}:{self.grpc_ports[service] if port is None else port}"
        if port is None:
            return listen
        return f"{listen.rpartition(':')[0]}:{port}"




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
        jwt_secret=_secret(env, "MOMENTUM_JWT_SECRET", auth.jwt_secret),
        jwks_path=_read(env, "MOMENTUM_JWKS_PATH", auth.jwks_path, str),
        jwt_audience=_read(env, "MOMENTUM_JWT_AUDIENCE", auth.jwt_audience, str),
        jwt_issuer=_read(env, "MOMENTUM_JWT_ISSUER", auth.jwt_issuer, str),
        telemetry_token_keys=_parsed_secret(env, "MOMENTUM_TELEMETRY_TOKEN_KEYS", auth.telemetry_token_keys, _telemetry_keys),
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
            owner_password=_secret(env, "MOMENTUM_DB_OWNER_PASSWORD", db.owner_password),
            app_password=_secret(env, "MOMENTUM_DB_APP_PASSWORD", db.app_password),
            pool_size=_read(env, "MOMENTUM_DB_POOL_SIZE", db.pool_size, _positive_int),
            service_pool_sizes={
                service: _read(env, f"MOMENTUM_DB_{service.upper()}_POOL_SIZE", 0, _positive_int)
                for service in SERVICES
                if env.get(f"MOMENTUM_DB_{service.upper()}_POOL_SIZE")
            },
            service_servers=_service_servers(env, db),
            instances={
                service: _read(env, f"MOMENTUM_{service.upper()}_INSTANCES", 1, _positive_int) for service in SERVICES
            },
            transaction_pooler=_read(env, "MOMENTUM_DB_TRANSACTION_POOLER", db.transaction_pooler, _bool),
            sslmode=_read(
                env, "MOMENTUM_DB_SSLMODE", db.sslmode, _choice("disable", "prefer", "require", "verify-ca", "verify-full")
            ),
            sslrootcert=_read(env, "MOMENTUM_DB_SSLROOTCERT", db.sslrootcert, str) or None,
            service_passwords={
                service: password
                for service in SERVICES
                if (password := _secret(env, f"MOMENTUM_DB_{service.upper()}_PASSWORD", None))
            },
        ),
        broker=BrokerSettings(
            host=_read(env, "MOMENTUM_AMQP_HOST", broker.host, str),
            port=_read(env, "MOMENTUM_AMQP_PORT", broker.port, _positive_int),
            user=_read(env, "MOMENTUM_AMQP_USER", broker.user, str),
            password=_secret(env, "MOMENTUM_AMQP_PASSWORD", broker.password),
            vhost=_read(env, "MOMENTUM_AMQP_VHOST", broker.vhost, str),
            prefetch=_read(env, "MOMENTUM_AMQP_PREFETCH", broker.prefetch, _positive_int),
            delivery_limit=_read(env, "MOMENTUM_AMQP_DELIVERY_LIMIT", broker.delivery_limit, _positive_int),
            retry_ladder=_read(env, "MOMENTUM_AMQP_RETRY_LADDER", broker.retry_ladder, _ladder),
            retry_park_after=_read(env, "MOMENTUM_AMQP_RETRY_PARK_AFTER", broker.retry_park_after, _seconds),
            # Node URLs carry the broker's credentials, so they may come from a mounted secret too.
            urls=_parsed_secret(env, "MOMENTUM_AMQP_URLS", broker.urls, _amqp_urls),
            ca_file=_read(env, "MOMENTUM_AMQP_CA", broker.ca_file, str) or None,
        ),
        s3=S3Settings(
            # Production has no local S3 either: unset, the SDK's endpoint for the region.
            endpoint=_read(env, "MOMENTUM_S3_ENDPOINT", None if environment == "production" else s3.endpoint, str),
            region=_read(env, "MOMENTUM_S3_REGION", s3.region, str),
            # Production has no local keys: unset, the default AWS credential chain signs.
            access_key=_read(env, "MOMENTUM_S3_ACCESS_KEY", None if environment == "production" else s3.access_key, str),
            secret_key=_secret(env, "MOMENTUM_S3_SECRET_KEY", None if environment == "production" else s3.secret_key),
            replay_bucket=_read(env, "MOMENTUM_S3_REPLAY_BUCKET", s3.replay_bucket, str),
        ),
        auth=auth_settings,
        browser_sessions=_browser_sessions(env, base.browser_sessions),
        grpc_host=_read(env, "MOMENTUM_GRPC_HOST", base.grpc_host, str),
        grpc_ports=ports,
        grpc_listen={
            service: _read(env, f"MOMENTUM_{service.upper()}_GRPC_LISTEN", "", _host_port)
            for service in SERVICES
            if env.get(f"MOMENTUM_{service.upper()}_GRPC_LISTEN")
        },
        # Telemetry's MOMENTUM_TELEMETRY_TARGETS is the gateway's session-affinity set (telemetry_targets).
        grpc_targets={
            service: _read(env, f"MOMENTUM_{service.upper()}_TARGETS", "", _grpc_target)
            for service in SERVICES
            if service != "telemetry" and env.get(f"MOMENTUM_{service.upper()}_TARGETS")
        } | _telemetry_any_instance(env),
        grpc_tls=GrpcTls(
            cert_file=_read(env, "MOMENTUM_GRPC_TLS_CERT", None, str) or None,
            key_file=_read(env, "MOMENTUM_GRPC_TLS_KEY", None, str) or None,
            ca_file=_read(env, "MOMENTUM_GRPC_TLS_CA", None, str) or None,
            client_ca_file=_read(env, "MOMENTUM_GRPC_TLS_CLIENT_CA", None, str) or None,
            server_name=_read(env, "MOMENTUM_GRPC_TLS_SERVER_NAME", None, str) or None,
        ),
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
    if "telemetry" not in settings.grpc_targets and not _all_ipv4(settings.telemetry_targets):
        # One gRPC target lists several instances only by IP; a ring of names (a StatefulSet's pods) needs a
        # name resolving to them all for the calls of no session, or the gateway could not dial telemetry at all.
        raise SettingsError(
            "MOMENTUM_TELEMETRY_TARGETS names instances by host name: set MOMENTUM_TELEMETRY_ANY_INSTANCE_TARGET "
            "(dns:///name:port resolving to every instance) for the calls of no session"
        )
    if settings.browser_sessions.oidc is not None and settings.auth.jwt_algorithm != "RS256":
        # The provider's access tokens are what the API verifies: they are RS256 against its JWKS, never our secret.
        raise SettingsError("MOMENTUM_OIDC_ISSUER needs MOMENTUM_JWT_ALGORITHM=RS256 and MOMENTUM_JWKS_PATH (the provider's keys)")
    tls = settings.grpc_tls
    if bool(tls.cert_file) != bool(tls.key_file):
        raise SettingsError("MOMENTUM_GRPC_TLS_CERT and MOMENTUM_GRPC_TLS_KEY go together")
    if tls.client_ca_file and not tls.cert_file:
        raise SettingsError("MOMENTUM_GRPC_TLS_CLIENT_CA needs MOMENTUM_GRPC_TLS_CERT and _KEY (callers present them too)")
    if settings.database.sslmode in ("verify-ca", "verify-full") and not settings.database.sslrootcert:
        raise SettingsError(f"MOMENTUM_DB_SSLMODE={settings.database.sslmode} needs MOMENTUM_DB_SSLROOTCERT")
    if environment == "production":
        _refuse_local_secrets(settings)
    return settings


def _telemetry_any_instance(env: Mapping[str, str]) -> dict[str, str]:
    """MOMENTUM_TELEMETRY_ANY_INSTANCE_TARGET: what health checks and reads dial, any instance answering; the ring
    (MOMENTUM_TELEMETRY_TARGETS) stays the sessions' affinity."""
    target = _read(env, "MOMENTUM_TELEMETRY_ANY_INSTANCE_TARGET", "", _grpc_target)
    return {"telemetry": target} if target else {}


def _all_ipv4(targets: tuple[str, ...]) -> bool:
    if len(targets) < 2:
        return True
    try:
        for target in targets:
            ipaddress.IPv4Address(target.rpartition(":")[0])
    except ValueError:
        return False
    return True


def _service_servers(env: Mapping[str, str], db: DatabaseSettings) -> dict[str, DatabaseServer]:
    """MOMENTUM_DB_<SERVICE>_HOST/_PORT/_NAME: a service whose schema lives on a server of its own."""
    servers = {}
    for service in SERVICES:
        prefix = f"MOMENTUM_DB_{service.upper()}"
        if not any(env.get(f"{prefix}_{part}") for part in ("HOST", "PORT", "NAME")):
            continue
        servers[service] = DatabaseServer(
            host=_read(env, f"{prefix}_HOST", env.get("MOMENTUM_DB_HOST") or db.host, str),
            port=_read(env, f"{prefix}_PORT", _read(env, "MOMENTUM_DB_PORT", db.port, _positive_int), _positive_int),
            name=_read(env, f"{prefix}_NAME", env.get("MOMENTUM_DB_NAME") or db.name, str),
        )
    return servers


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
            # Unset is the AWS credential chain; only the public local key is refused.
            ("MOMENTUM_S3_SECRET_KEY", settings.s3.secret_key, local.s3.secret_key),
            ("MOMENTUM_SESSION_KEY", settings.browser_sessions.key, local.browser_sessions.key),
        )
        if value == default
    ]
    if set(settings.auth.telemetry_token_keys.values()) & set(local.auth.telemetry_token_keys.values()):
        left.append("MOMENTUM_TELEMETRY_TOKEN_KEYS")
    if left:
        raise SettingsError(f"MOMENTUM_ENV=production needs its own secrets, not the local defaults: set {', '.join(left)}")
