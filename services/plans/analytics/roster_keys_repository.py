"""SQL of the roster's first pass: for every candidate of a page sorted or filtered by a figure, the figures that
order and filter it, grouped over the clinic (the page's rows then get every figure from roster_repository)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text

from services.common.db import UnitOfWork
from services.plans.analytics.roster_repository import (
    ADHERENCE, KEYSET, NO_JIT, Keyset, RosterFilter, order_of, params_of,
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
# candidate of the clinic, from grouped passes over the tenant instead of index probes per patient.
# The expressions match ROSTER's (adherence, plan choice, windows), so both passes give one row the
# same figures; tests/e2e/test_roster_first_pass.py walks every sort and alert filter against the
# one-statement name page on generated patients.
ROSTER_KEYS = """
    WITH people AS (
        SELECT u.user_id AS patient_id, u.display_name, coalesce(u.timezone, t.default_timezone, 'UTC') AS zone,
            (CAST(:now AS timestamptz) AT TIME ZONE coalesce(u.timezone, t.default_timezone, 'UTC'))::date AS today
        FROM plans.users u JOIN plans.tenants t ON t.tenant_id = u.tenant_id
        WHERE u.tenant_id = :tenant AND u.role = 'patient'
          AND (CAST(:search AS text) IS NULL OR u.display_name ILIKE '%' || CAST(:search AS text) || '%' ESCAPE '\\')
          AND (CAST(:therapist AS uuid) IS NULL OR EXISTS (
              SELECT 1 FROM plans.therapist_patients a WHERE a.patient_id = u.user_id AND a.therapist_id = CAST(:therapist AS uuid)))
        {chunk}
    ), plan_of AS (
        -- The plan a row shows (the active one, else the latest), for the whole clinic in one sort.
        SELECT DISTINCT ON (p.patient_id) p.patient_id, p.plan_id, p.status AS plan_status, p.start_date, p.frequency_per_week,
            p.start_date + 7 * p.duration_weeks - 1 AS last_day
        FROM plans.treatment_plans p WHERE p.tenant_id = :tenant
        ORDER BY p.patient_id, p.status = 'active' DESC, p.start_date DESC, p.created_at DESC
    ), current AS (
        SELECT pe.*, cp.plan_id, cp.plan_status, cp.start_date, cp.frequency_per_week, cp.last_day
        FROM people pe LEFT JOIN plan_of cp ON cp.patient_id = pe.patient_id
        WHERE CAST(:plan_status AS text) IS NULL OR coalesce(cp.plan_status, 'none') = CAST(:plan_status AS text)
    ), recent AS (
        -- The clinic's completed real sessions of the last 32 days (the bound of ROSTER's probe), grouped by
        -- patient: one range of the tenant's index (0010) instead of a probe per patient.
        SELECT c.patient_id,
            count(*) FILTER (WHERE c.plan_status = 'active' AND w.plan_id = c.plan_id
                AND w.local_date BETWEEN greatest(c.today - 7, c.start_date) AND least(c.today, c.last_day)) AS done_7,
            count(*) FILTER (WHERE c.plan_status = 'active' AND w.plan_id = c.plan_id
                AND w.local_date BETWEEN greatest(c.today - 30, c.start_date) AND least(c.today, c.last_day)) AS done_30,
            max(w.completed_at) AS last_recent,
            {recent_pains} AS pains_recent
        FROM current c JOIN plans.workouts w ON w.patient_id = c.patient_id
        WHERE w.tenant_id = :tenant AND w.status = 'completed' AND w.source = 'real'
          AND w.completed_at >= CAST(:now AS timestamptz) - interval '32 days'
        GROUP BY c.patient_id
    ), keyed AS (
        -- A patient idle for a month, or with fewer than three pains in it, is probed for the rest
        -- (COALESCE and CASE run the subquery only then).
        SELECT c.*, coalesce(r.done_7, 0) AS done_7, coalesce(r.done_30, 0) AS done_30, {last_activity} AS last_activity_at,
            {pains} AS recent_pain_after, {rtm} AS rtm_status
        FROM current c LEFT JOIN recent r ON r.patient_id = c.patient_id
    ), figures AS (
        SELECT keyed.*, {adherence_7} AS adherence_7d, {adherence_30} AS adherence_30d,
            (last_activity_at AT TIME ZONE zone)::date AS last_activity_day
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
_LAST_ACTIVITY = """coalesce(r.last_recent, (
            SELECT w.completed_at FROM plans.workouts w
            WHERE w.patient_id = c.patient_id AND w.status = 'completed' AND w.source = 'real'
            ORDER BY w.completed_at DESC LIMIT 1))"""
_RECENT_PAINS = "(array_agg(w.pain_after ORDER BY w.completed_at DESC) FILTER (WHERE w.pain_after IS NOT NULL))[1:3]"
_PAINS = """CASE WHEN cardinality(r.pains_recent) >= 3 THEN r.pains_recent ELSE (
            SELECT array_agg(p.pain_after ORDER BY p.completed_at DESC) FROM (
                SELECT w.pain_after, w.completed_at FROM plans.workouts w
                WHERE w.patient_id = c.patient_id AND w.status = 'completed' AND w.source = 'real' AND w.pain_after IS NOT NULL
                ORDER BY w.completed_at DESC LIMIT 3) p) END"""
_RTM = """coalesce((
            SELECT r.status FROM plans.billing_records r
            WHERE r.patient_id = c.patient_id AND r.track = 'data_days' AND r.period_start <= c.today
            ORDER BY r.period_start DESC LIMIT 1), 'none')"""


async def roster_keys(
    uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime, where: RosterFilter, sort: str, after: Keyset | None,
    limit: int | None, alert_inputs: bool,
) -> list[RosterKey]:
    """The candidates after `after` in `sort` order (at most `limit`; None: all), each with its sort key and,
    when `alert_inputs`, what the alert rules read. The page's other figures come from `roster_page(ids=...)`.
    In a name order without a filter on plan or RTM status, the `limit` people after the cursor are chosen
    first (a chunk the caller walks) and only theirs are read."""
    order = order_of(sort, limit)
    chunked = limit is not None and order["key_type"] == "text" and where.plan_status is None and where.rtm_status is None
    last_activity = alert_inputs or sort.lstrip("-") == "lastActivity"
    statement = ROSTER_KEYS.format(
        recent_pains=_RECENT_PAINS if alert_inputs else "NULL::int[]",
        last_activity=_LAST_ACTIVITY if last_activity else "NULL::timestamptz",
        pains=_PAINS if alert_inputs else "NULL::int[]",
        rtm=_RTM if where.rtm_status is not None else "'none'",
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

