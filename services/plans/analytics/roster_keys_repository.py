"""SQL of the roster's first pass: for every candidate of a page sorted or filtered by a figure, the figures that order
and filter it, from the roster read model (the page's rows then get every figure from roster_repository)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.plans.analytics.roster_repository import (
    ADHERENCE, CURRENT, KEYSET, NO_JIT, PEOPLE, Keyset, RosterFilter, order_of, params_of,
)


@dataclass(frozen=True)
class RosterKey:
    """A candidate row of the first pass: its place in the order and what the alert rules read."""

    patient_id: uuid.UUID
    sort_key: Any
    today: date
    plan_status: str | None
    plan_start: date | None
    last_activity_day: date | None
    recent_pain_after: list[int]
    adherence_7d: float | None
    adherence_30d: float | None


# The first pass of a page sorted or filtered by a figure: the figures that order and filter, for every
# candidate of the clinic, from one row of the roster read model per patient (roster_repository.CURRENT), so
# both passes give one row the same figures; tests/e2e/test_roster_first_pass.py walks every sort and alert
# filter against the one-statement name page on generated patients.
ROSTER_KEYS = """
    WITH chosen AS MATERIALIZED (
        SELECT u.* FROM plans.users u
        WHERE u.tenant_id = :tenant AND u.role = 'patient'
          AND (CAST(:search AS text) IS NULL OR u.display_name ILIKE '%' || CAST(:search AS text) || '%' ESCAPE '\\')
          AND (CAST(:therapist AS uuid) IS NULL OR EXISTS (
              SELECT 1 FROM plans.therapist_patients a WHERE a.patient_id = u.user_id AND a.therapist_id = CAST(:therapist AS uuid)))
        {chunk}
    ), {people}
    ), {current}
    ), keyed AS (
        SELECT c.*, {rtm} AS rtm_status FROM current c
    ), figures AS (
        SELECT keyed.*, {adherence_7} AS adherence_7d, {adherence_30} AS adherence_30d
        FROM keyed
        WHERE CAST(:rtm_status AS text) IS NULL OR rtm_status = CAST(:rtm_status AS text)
    )
    {page}
"""
# A chunk of the name order, for alerts in name order: the next :limit people after the cursor.
_NAME_CHUNK = """
          AND (CAST(:after_id AS uuid) IS NULL
               OR (lower(u.display_name), u.user_id) {compare} (CAST(:after_key AS text), CAST(:after_id AS uuid)))
        ORDER BY lower(u.display_name) {direction}, u.user_id {direction} LIMIT :limit"""
_RTM = """coalesce((
            SELECT r.status FROM plans.billing_records r
            WHERE r.patient_id = c.patient_id AND r.track = 'data_days' AND r.period_start <= c.today
            ORDER BY r.period_start DESC LIMIT 1), 'none')"""


async def roster_keys(
    uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime, where: RosterFilter, sort: str, after: Keyset | None,
    limit: int | None,
) -> list[RosterKey]:
    """The candidates after `after` in `sort` order (at most `limit`; None: all), each with its sort key and
    what the alert rules read. The page's other figures come from `roster_page(ids=...)`.
    In a name order without a filter on plan or RTM status, the `limit` people after the cursor are chosen
    first (a chunk the caller walks) and only theirs are read."""
    order = order_of(sort, limit)
    chunked = limit is not None and order["key_type"] == "text" and where.plan_status is None and where.rtm_status is None
    statement = ROSTER_KEYS.format(
        people=PEOPLE.format(chosen='chosen'), current=CURRENT, rtm=_RTM if where.rtm_status is not None else "'none'",
        adherence_7=ADHERENCE.format(days=7), adherence_30=ADHERENCE.format(days=30),
        page=KEYSET.format(source="figures", **order),
        chunk=_NAME_CHUNK.format(**order) if chunked else "",
    )
    params = params_of(tenant_id, now, where, after)
    if limit is not None:
        params["limit"] = limit
    await uow.execute(text(NO_JIT))
    rows = await uow.execute(text(statement), params)
    return [
        RosterKey(r.patient_id, r.sort_key, r.today, r.plan_status, r.start_date, r.last_activity_day,
                  list(r.recent_pain_after or []), r.adherence_7d, r.adherence_30d)
        for r in rows
    ]

