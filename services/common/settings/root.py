"""The whole configuration: the immutable Settings tree, read once from the environment with every problem reported at once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, Mapping

from pydantic_settings import SettingsConfigDict

from services.common.settings.addresses import (
    DEFAULT_GRPC_PORTS,
    SERVICES,
    GatewayEnvironment,
    GrpcEnvironment,
    GrpcTls,
    ServiceEnvironment,
    TelemetryServiceEnvironment,
    grpc_tls,
    ring_problems,
    service_environment,
    tls_problems,
)
from services.common.settings.addresses import service_prefix as service_address_prefix
from services.common.settings.addresses import CALLERS
from services.common.settings.auth import (
    AuthSettings,
    ServiceKeyEnvironment,
    TokenEnvironment,
    auth_settings,
    token_problems,
)
from services.common.settings.broker import BrokerEnvironment, BrokerSettings, broker_settings
from services.common.settings.browser import BrowserEnvironment, BrowserSessionSettings, browser_problems, browser_settings
from services.common.settings.database import (
    DatabaseEnvironment,
    DatabaseSettings,
    ServiceDatabaseEnvironment,
    database_problems,
    database_settings,
)
from services.common.settings.database import service_prefix as service_database_prefix
from services.common.settings.environment import Problem, Section, SettingsError
from services.common.settings.storage import S3Environment, S3Settings, s3_problems, s3_settings
from services.common.settings.values import Amount, Count, Origins, PositiveSeconds, Seconds, grpc_target


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
    # Prometheus port of each service process (its gRPC, outbox, consumer and work figures); 0: none.
    metrics_ports: Mapping[str, int] = field(default_factory=lambda: {s: 0 for s in SERVICES})
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    gateway_max_body_bytes: int = 1_048_576
    # Browser origins allowed to call the API cross-origin (CORS); empty: no CORS headers at all.
    cors_allow_origins: tuple[str, ...] = ()
    grpc_deadline: timedelta = timedelta(seconds=5)
    outbox_poll_interval: timedelta = timedelta(seconds=1)
    # How often each process recounts the gauges it reads from its database and broker (backlogs, pending work).
    monitor_interval: timedelta = timedelta(seconds=15)
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
    # The built web app the gateway serves (an image's copy); None: the checkout's web/dist.
    web_dist: str | None = None

    def grpc_target(self, service: str) -> str:
        """What a caller dials: the service's target list, else the one host of MOMENTUM_GRPC_HOST. Telemetry's
        list is the gateway's session ring; calls of no session (health, reads) round-robin over it."""
        if service == "telemetry" and self.telemetry_targets and service not in self.grpc_targets:
            return grpc_target(",".join(self.telemetry_targets))
        return self.grpc_targets.get(service) or f"{self.grpc_host}:{self.grpc_ports[service]}"

    def grpc_listen_address(self, service: str, port: int | None = None) -> str:
        """Where the service's gRPC server binds; `port` (a test's free port) replaces the configured one."""
        listen = self.grpc_listen.get(service)
        if listen is None:
            return f"{self.grpc_host}:{self.grpc_ports[service] if port is None else port}"
        if port is None:
            return listen
        return f"{listen.rpartition(':')[0]}:{port}"


LOCAL = Settings()


class PlatformEnvironment(Section):
    """The variables of no one dependency: the environment's kind, logs, caches, polls, XP and CORS."""

    model_config = SettingsConfigDict(env_prefix="MOMENTUM_")

    env: Literal["local", "test", "production"] = "local"
    log_format: Literal["json", "console"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_file: str | None = None
    log_max_bytes: Count = LOCAL.log_max_bytes
    log_backups: Amount = LOCAL.log_backups
    cors_allow_origins: Origins = ()
    outbox_poll_seconds: PositiveSeconds = LOCAL.outbox_poll_interval
    # A loop's period: 0 would run the monitors back to back.
    monitor_seconds: PositiveSeconds = LOCAL.monitor_interval
    # Zero is allowed: no cache, every read asks plans.
    flag_cache_seconds: Seconds = LOCAL.flag_cache_ttl
    identity_cache_seconds: Seconds = LOCAL.identity_cache_ttl
    xp_per_workout: Amount = LOCAL.xp_per_workout
    xp_per_exercise: Amount = LOCAL.xp_per_exercise
    xp_award_cap: Count = LOCAL.xp_award_cap
    xp_goal_bonus: Amount = LOCAL.xp_goal_bonus
    daily_xp_goal: Amount = LOCAL.daily_xp_goal
    daily_exercises_goal: Amount = LOCAL.daily_exercises_goal
    telemetry_silence_seconds: PositiveSeconds = LOCAL.telemetry_silence_timeout
    web_dist: str | None = None


class EntranceEnvironment(Section):
    model_config = SettingsConfigDict(env_prefix="ENTRANCE_")

    finalize_delay: Seconds = LOCAL.entrance_finalize_delay
    sweep_interval: PositiveSeconds = LOCAL.entrance_sweep_interval
    sweep_grace: Seconds = LOCAL.entrance_sweep_grace
    finalizer_concurrency: Count = LOCAL.entrance_finalizer_concurrency


# Every section and the prefixes it is read under: what load_settings reads, and what README must document.
SECTIONS: tuple[tuple[type[Section], str | None], ...] = (
    (PlatformEnvironment, None), (EntranceEnvironment, None), (DatabaseEnvironment, None), (BrokerEnvironment, None),
    (S3Environment, None), (TokenEnvironment, None), (ServiceKeyEnvironment, None), (BrowserEnvironment, None),
    (GrpcEnvironment, None), (GatewayEnvironment, None),
    *((ServiceDatabaseEnvironment, service_database_prefix(s)) for s in SERVICES),
    *((service_environment(s), service_address_prefix(s)) for s in SERVICES),
)


def read_variables() -> dict[str, bool]:
    """Every variable the settings read, and whether it is a secret (so also read as NAME_FILE)."""
    return {name: secret for section, prefix in SECTIONS for name, secret in section.variables(prefix).items()}


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Reads every variable once; SettingsError lists every bad one, each with what is wrong with it."""
    env = os.environ if env is None else env
    problems: list[Problem] = []

    def read(section: type[Section], prefix: str | None = None):  # type: ignore[no-untyped-def]
        return section.read(env, problems, prefix)

    platform, entrances = read(PlatformEnvironment), read(EntranceEnvironment)
    database, broker, s3 = read(DatabaseEnvironment), read(BrokerEnvironment), read(S3Environment)
    tokens, keys, browser = read(TokenEnvironment), read(ServiceKeyEnvironment), read(BrowserEnvironment)
    grpc, gateway = read(GrpcEnvironment), read(GatewayEnvironment)
    own_databases = {s: read(ServiceDatabaseEnvironment, service_database_prefix(s)) for s in SERVICES}
    addresses = {s: read(service_environment(s), service_address_prefix(s)) for s in SERVICES}
    settings = _settings(platform, entrances, database, own_databases, addresses, broker, s3, tokens, keys, browser, grpc, gateway)
    checks = [*token_problems(tokens), *browser_problems(browser), *tls_problems(settings.grpc_tls),
              *database_problems(settings.database), *s3_problems(settings.s3),
              *ring_problems(settings.telemetry_targets, getattr(addresses["telemetry"], "any_instance_target", None))]
    if browser.oidc_issuer and (tokens.jwt_algorithm != "RS256" or not tokens.jwks_path):
        # The provider's access tokens are what the API verifies: they are RS256 against its JWKS, never our secret.
        checks.append(Problem(
            ("MOMENTUM_OIDC_ISSUER",), "needs MOMENTUM_JWT_ALGORITHM=RS256 and MOMENTUM_JWKS_PATH (the provider's keys)"
        ))
    if settings.environment == "production":
        checks.extend(_local_secrets_left(settings))
    # A bad variable stands at its default: a check naming it would judge the default, not what the operator set.
    bad = {name for problem in problems for name in problem.variables}
    problems.extend(check for check in checks if not bad.intersection(check.variables))
    if problems:
        raise SettingsError(problems)
    return settings


def _settings(
    platform: PlatformEnvironment, entrances: EntranceEnvironment, database: DatabaseEnvironment,
    own_databases: Mapping[str, ServiceDatabaseEnvironment], addresses: Mapping[str, ServiceEnvironment],
    broker: BrokerEnvironment, s3: S3Environment, tokens: TokenEnvironment, keys: ServiceKeyEnvironment,
    browser: BrowserEnvironment, grpc: GrpcEnvironment, gateway: GatewayEnvironment,
) -> Settings:
    production = platform.env == "production"
    telemetry = addresses["telemetry"]
    assert isinstance(telemetry, TelemetryServiceEnvironment)
    return Settings(
        environment=platform.env,
        log_format=platform.log_format or ("json" if production else "console"),
        log_level=platform.log_level,
        log_file=platform.log_file or None,
        log_max_bytes=platform.log_max_bytes,
        log_backups=platform.log_backups,
        database=database_settings(database, own_databases, {s: e.instances for s, e in addresses.items()}),
        broker=broker_settings(broker),
        s3=s3_settings(s3, production),
        auth=auth_settings(tokens, keys),
        browser_sessions=browser_settings(browser),
        grpc_host=grpc.host,
        grpc_ports={s: e.grpc_port or DEFAULT_GRPC_PORTS[s] for s, e in addresses.items()},
        grpc_listen={s: e.grpc_listen for s, e in addresses.items() if e.grpc_listen},
        # Telemetry's MOMENTUM_TELEMETRY_TARGETS is the gateway's session-affinity set (telemetry_targets).
        grpc_targets={s: e.targets for s, e in addresses.items() if s != "telemetry" and e.targets}
        | ({"telemetry": telemetry.any_instance_target} if telemetry.any_instance_target else {}),
        grpc_tls=grpc_tls(grpc),
        metrics_ports={s: e.metrics_port for s, e in addresses.items()},
        gateway_host=gateway.host,
        gateway_port=gateway.port,
        gateway_max_body_bytes=gateway.max_body_bytes,
        cors_allow_origins=platform.cors_allow_origins,
        grpc_deadline=grpc.deadline_seconds,
        outbox_poll_interval=platform.outbox_poll_seconds,
        monitor_interval=platform.monitor_seconds,
        flag_cache_ttl=platform.flag_cache_seconds,
        identity_cache_ttl=platform.identity_cache_seconds,
        entrance_finalize_delay=entrances.finalize_delay,
        entrance_sweep_interval=entrances.sweep_interval,
        entrance_sweep_grace=entrances.sweep_grace,
        entrance_finalizer_concurrency=entrances.finalizer_concurrency,
        xp_per_workout=platform.xp_per_workout,
        xp_per_exercise=platform.xp_per_exercise,
        xp_award_cap=platform.xp_award_cap,
        xp_goal_bonus=platform.xp_goal_bonus,
        daily_xp_goal=platform.daily_xp_goal,
        daily_exercises_goal=platform.daily_exercises_goal,
        telemetry_silence_timeout=platform.telemetry_silence_seconds,
        telemetry_targets=addresses["telemetry"].targets or (),
        web_dist=platform.web_dist or None,
    )


def _local_secrets_left(settings: Settings) -> list[Problem]:
    """The local defaults are public: in production every secret must come from the environment,
    or anyone could sign user or session tokens the platform accepts."""
    left = [
        name
        for name, value, default in (
            ("MOMENTUM_JWT_SECRET", settings.auth.jwt_secret if settings.auth.jwt_algorithm == "HS256" else None,
             LOCAL.auth.jwt_secret),
            # The shared password matters only while some role still falls back to it.
            ("MOMENTUM_DB_APP_PASSWORD",
             settings.database.app_password if len(settings.database.service_passwords) < len(SERVICES) else None,
             LOCAL.database.app_password),
            *(
                (f"MOMENTUM_DB_{service.upper()}_PASSWORD", settings.database.service_passwords.get(service),
                 LOCAL.database.app_password)
                for service in SERVICES
            ),
            *(
                (f"MOMENTUM_SERVICE_KEY_{caller.upper()}", settings.auth.service_keys[caller],
                 LOCAL.auth.service_keys[caller])
                for caller in CALLERS
            ),
            # Unset is the AWS credential chain; only the public local key is refused.
            ("MOMENTUM_S3_SECRET_KEY", settings.s3.secret_key, LOCAL.s3.secret_key),
            ("MOMENTUM_SESSION_KEY", settings.browser_sessions.key, LOCAL.browser_sessions.key),
        )
        if value == default
    ]
    if set(settings.auth.telemetry_token_keys.values()) & set(LOCAL.auth.telemetry_token_keys.values()):
        left.append("MOMENTUM_TELEMETRY_TOKEN_KEYS")
    return [
        Problem((name,), "MOMENTUM_ENV=production needs its own secret, not the public local default") for name in left
    ]
