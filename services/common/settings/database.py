"""Postgres settings: the shared server, each service's own role, pool and (optionally) server, TLS and PgBouncer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, Mapping
from urllib.parse import quote

from pydantic import BeforeValidator
from pydantic_settings import SettingsConfigDict

from services.common.settings import local_secrets
from services.common.settings.environment import FROM_FILE, Problem, Section, refuse_file_trouble
from services.common.settings.values import Count, Port, SecretText


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
    owner_password: str = local_secrets.DB_OWNER_PASSWORD
    app_password: str = local_secrets.DB_APP_PASSWORD
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


LOCAL = DatabaseSettings()


class DatabaseEnvironment(Section):
    model_config = SettingsConfigDict(env_prefix="MOMENTUM_DB_")

    host: str = LOCAL.host
    port: Port = LOCAL.port
    name: str = LOCAL.name
    owner_password: SecretText = LOCAL.owner_password
    app_password: SecretText = LOCAL.app_password
    pool_size: Count = LOCAL.pool_size
    transaction_pooler: bool = LOCAL.transaction_pooler
    sslmode: Literal["disable", "prefer", "require", "verify-ca", "verify-full"] = "disable"
    sslrootcert: str | None = None


class ServiceDatabaseEnvironment(Section):
    """MOMENTUM_DB_<SERVICE>_*: unset, the service uses the shared value."""

    host: str | None = None
    port: Port | None = None
    name: str | None = None
    password: Annotated[str | None, FROM_FILE, BeforeValidator(refuse_file_trouble)] = None
    pool_size: Count | None = None


def service_prefix(service: str) -> str:
    return f"MOMENTUM_DB_{service.upper()}_"


def database_settings(
    shared: DatabaseEnvironment, own: Mapping[str, ServiceDatabaseEnvironment], instances: Mapping[str, int]
) -> DatabaseSettings:
    return DatabaseSettings(
        host=shared.host, port=shared.port, name=shared.name,
        owner_password=shared.owner_password, app_password=shared.app_password, pool_size=shared.pool_size,
        service_passwords={s: e.password for s, e in own.items() if e.password},
        service_pool_sizes={s: e.pool_size for s, e in own.items() if e.pool_size is not None},
        service_servers={
            s: DatabaseServer(e.host or shared.host, e.port or shared.port, e.name or shared.name)
            for s, e in own.items()
            if e.host or e.port or e.name
        },
        instances=dict(instances),
        transaction_pooler=shared.transaction_pooler,
        sslmode=shared.sslmode,
        sslrootcert=shared.sslrootcert or None,
    )


def database_problems(settings: DatabaseSettings) -> list[Problem]:
    # Whether the file is there is for the processes that connect to judge (the gateway never does).
    if settings.sslmode in ("verify-ca", "verify-full") and not settings.sslrootcert:
        return [Problem(("MOMENTUM_DB_SSLROOTCERT",), f"MOMENTUM_DB_SSLMODE={settings.sslmode} needs the CA bundle to verify against")]
    return []
