"""Monthly partitions kept ahead and dropped past retention, for every service that partitions by month.

Each schema owns a SECURITY DEFINER function `<schema>.<name>(months_ahead, keep_months)` that knows
which tables it may touch and returns how many partitions it created or dropped; services call it
here, through their own role, and never issue partition DDL themselves."""

from __future__ import annotations

import re

from sqlalchemy import text

from services.common.db import Database, UnitOfWork

_FUNCTION = re.compile(r"^[a-z_]+\.[a-z_]+$")


async def maintain_month_partitions(uow: UnitOfWork, function: str, months_ahead: int, keep_months: int) -> int:
    """Partitions created plus partitions dropped, in the caller's transaction."""
    if not _FUNCTION.match(function):  # the name is ours, but it is spliced into SQL: keep it a plain name
        raise ValueError(f"{function!r} is not a schema-qualified function name")
    result = await uow.execute(
        text(f"SELECT {function}(:ahead, :keep)"), {"ahead": months_ahead, "keep": keep_months}
    )
    return int(result.scalar_one())


async def keep_month_partitions(database: Database, function: str, months_ahead: int, keep_months: int) -> int:
    """One maintenance pass in its own transaction: what the services' partition loops run."""
    async with database.unit_of_work(None) as uow:
        changed = await maintain_month_partitions(uow, function, months_ahead, keep_months)
        await uow.commit()
    return changed
