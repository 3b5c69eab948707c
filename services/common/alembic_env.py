"""The body of every service's Alembic env.py: async engine, version table inside the service's schema."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import async_engine_from_config


def run_migrations() -> None:
    config = context.config
    schema = config.attributes["schema"]

    def do_run(connection) -> None:  # type: ignore[no-untyped-def]
        context.configure(
            connection=connection,
            version_table_schema=schema,
            version_table=f"alembic_version_{schema}",
            include_schemas=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = async_engine_from_config(
            config.get_section(config.config_ini_section) or {"sqlalchemy.url": config.get_main_option("sqlalchemy.url")},
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    if context.is_offline_mode():
        raise SystemExit("offline migrations are not supported; run `momentum migrate`")
    asyncio.run(run_async())
