"""Runs one service's Alembic migrations as the schema owner, with the version table in that schema; says where each stands."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.errors import InvalidInput, RuleViolation
from services.common.settings import SERVICES, Settings

SERVICES_DIR = Path(__file__).resolve().parent.parent


def alembic_config(service: str, settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database.owner_url(service).replace("%", "%%"))
    config.attributes["schema"] = service
    config.attributes["app_role"] = f"momentum_{service}"
    return config


async def _prepare_schema(service: str, settings: Settings) -> None:
    engine = create_async_engine(settings.database.owner_url(service))
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {service}"))
            await conn.execute(text(f"REVOKE ALL ON SCHEMA {service} FROM PUBLIC"))
            await conn.execute(text(f"GRANT USAGE ON SCHEMA {service} TO momentum_{service}"))
            # Tables created later by the owner are usable by the service role without owning them.
            await conn.execute(
                text(
                    f"ALTER DEFAULT PRIVILEGES IN SCHEMA {service} GRANT SELECT, INSERT, UPDATE, DELETE "
                    f"ON TABLES TO momentum_{service}"
                )
            )
            await conn.execute(
                text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {service} GRANT USAGE, SELECT ON SEQUENCES TO momentum_{service}")
            )
            await conn.execute(
                text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {service} GRANT EXECUTE ON FUNCTIONS TO momentum_{service}")
            )
    finally:
        await engine.dispose()


def migrated_services() -> tuple[str, ...]:
    return tuple(s for s in SERVICES if (SERVICES_DIR / s / "migrations").is_dir())


def migrate(settings: Settings, services: tuple[str, ...] | None = None, revision: str = "head") -> None:
    for service in services or migrated_services():
        asyncio.run(_prepare_schema(service, settings))
        command.upgrade(alembic_config(service, settings), revision)


async def migrate_async(settings: Settings, services: tuple[str, ...] | None = None) -> None:
    """For callers already inside an event loop (tests): Alembic's env runs its own loop in a thread."""
    for service in services or migrated_services():
        await _prepare_schema(service, settings)
        await asyncio.to_thread(command.upgrade, alembic_config(service, settings), "head")


@dataclass(frozen=True)
class MigrationState:
    """Where one service's schema stands: the revision applied (None: never migrated) and the newest one."""

    service: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True)
class Revision:
    revision: str
    down_revision: str | None
    description: str
    applied: bool
    current: bool


def _scripts(service: str, settings: Settings) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(service, settings))


async def _current_revision(service: str, settings: Settings) -> str | None:
    engine = create_async_engine(settings.database.owner_url(service))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: MigrationContext.configure(
                    sync, opts={"version_table_schema": service, "version_table": f"alembic_version_{service}"}
                ).get_current_revision()
            )
    finally:
        await engine.dispose()


def migration_status(settings: Settings, services: tuple[str, ...] | None = None) -> list[MigrationState]:
    return [
        MigrationState(service, asyncio.run(_current_revision(service, settings)), _scripts(service, settings).get_current_head() or "")
        for service in services or migrated_services()
    ]


def migration_history(settings: Settings, service: str) -> list[Revision]:
    """Every revision of the service, newest first, with whether this database has it applied."""
    current = asyncio.run(_current_revision(service, settings))
    scripts = _scripts(service, settings)
    applied = _lineage(scripts, current)
    return [
        Revision(
            script.revision, script.down_revision if isinstance(script.down_revision, str) else None,
            (script.doc or "").strip().splitlines()[0] if script.doc else "", script.revision in applied,
            script.revision == current,
        )
        for script in scripts.walk_revisions()
    ]


def _lineage(scripts: ScriptDirectory, revision: str | None) -> set[str]:
    """`revision` and every revision below it."""
    if revision is None:
        return set()
    return {script.revision for script in scripts.walk_revisions(base="base", head=revision)}


def downgrade(settings: Settings, service: str, revision: str) -> MigrationState:
    """Takes the service's schema down to `revision` (a revision below the current one, or `base`), as the owner."""
    scripts = _scripts(service, settings)
    known = {script.revision for script in scripts.walk_revisions()}
    if revision != "base" and revision not in known:
        raise InvalidInput("revision", f"{service} has no revision {revision!r} (known: {', '.join(sorted(known))}, base)")
    current = asyncio.run(_current_revision(service, settings))
    if current is None:
        raise RuleViolation(f"{service} is not migrated in this database: nothing to downgrade")
    if revision == current:
        raise RuleViolation(f"{service} is already at {revision}")
    if revision != "base" and revision not in _lineage(scripts, current):
        raise RuleViolation(f"{service} revision {revision} is not below the current {current}: `momentum migrate up` upgrades")
    command.downgrade(alembic_config(service, settings), revision)
    return MigrationState(service, asyncio.run(_current_revision(service, settings)), scripts.get_current_head() or "")
