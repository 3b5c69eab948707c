"""Alembic entry point for this service's schema."""

from services.common.alembic_env import run_migrations

run_migrations()
