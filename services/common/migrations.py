"""Runs one service's Alembic migrations as the schema owner, with the version table in that schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

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
