"""All SQL of the clinic roster, the patient summary and a patient's plans: one set-based statement per page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text

from services.common.db import UnitOfWork

# Sort name -> (key expression over `figures`, descending, SQL type of the key). The key is never
# null (a patient with no activity or no adherence sorts last going down, first going up), so a
# keyset comparison on (key, patient_id) walks every row exactly once.
SORTS: dict[str, tuple[str, bool, str]] = {
    "name": ("lower(display_name)", False, "text"),
    "-name": ("lower(display_name)", True, "text"),
    "lastActivity": ("coalesce(extract(epoch FROM last_activity_at)::float8, -1)", False, "float8"),
    "-lastActivity": ("coalesce(extract(epoch FROM last_activity_at)::float8, -1)", True, "float8"),
    "adherence": ("coalesce(adherence_30d, -1)", False, "float8"),
    "-adherence": ("coalesce(adherence_30d, -1)", True, "float8"),
}


@dataclass(frozen=True)
class RosterFilter:
    search: str | None = None
    therapist_id: uuid.UUID | None = None  # assignedToMe
    plan_status: str | None = None  # active | completed | expired | cancelled | none
    rtm_status: str | None = None  # none | projected | ready | billed
    patient_id: uuid.UUID | None = None  # the summary: one patient


@dataclass(frozen=True)
class Keyset:
    key: str | float
    patient_id: uuid.UUID


@dataclass(frozen=True)
class PlanFigures:
    plan_id: uuid.UUID
    title: str
    status: str
    start_date: date
    end_date: date
    frequency_per_week: int
    sessions_completed: int
    sessions_planned: int


@dataclass(frozen=True)
class RosterFigures:
    patient_id: uuid.UUID
    display_name: str
    timezone: str
    today: date
    therapist_id: uuid.UUID | None
    therapist_name: str | None
    plan: PlanFigures | None
    adherence_7d: float | None
    adherence_30d: float | None
    last_activity_at: datetime | None
    last_activity_day: date | None
    recent_pain_after: list[int]
    rtm_status: str
    rtm_period_start: date | None
    rtm_period_end: date | None
    rtm_data_days: int
    rtm_minutes: int
    sort_key: Any


# Adherence over a window of N days follows services.plans.domain.adherence.expected_sessions: the
# window is the N whole days before today, clipped to the plan's dates; it expects
# floor(frequency x days / 7) sessions and counts the plan's sessions done on those days or today
# (today is still in play); the ratio is capped at 1, and is null while nothing is expected.
ADHERENCE = """
    CASE WHEN plan_status = 'active' AND frequency_per_week * greatest(0,
            least(today - 1, last_day) - greatest(today - {days}, start_date) + 1) / 7 > 0
    THEN round((100 * least(1.0, done_{days}::numeric / (frequency_per_week * greatest(0,
            least(today - 1, last_day) - greatest(today - {days}, start_date) + 1) / 7)))::numeric, 2)::float8
    END
"""

# The keyset step: rows of `source` after the cursor in sort order, with their sort key.
KEYSET = """
        SELECT {source}.*, {key} AS sort_key FROM {source}
        WHERE CAST(:after_id AS uuid) IS NULL OR ({key}, patient_id) {compare} (CAST(:after_key AS {key_type}), CAST(:after_id AS uuid))
        ORDER BY {key} {direction}, patient_id {direction}
        {limit}
"""

# Each person's zone and today. Today is worked out once per zone, and the people are materialized, so that
# the expressions over today below do not repeat a time-zone conversion per array element and per row (it was
# ~10 us each: most of a first pass over 2,000 patients).
PEOPLE = """zones AS MATERIALIZED (
        SELECT s.zone, (CAST(:now AS timestamptz) AT TIME ZONE s.zone)::date AS today FROM (
            SELECT DISTINCT coalesce(u.timezone, t.default_timezone, 'UTC') AS zone
            FROM {chosen} u JOIN plans.tenants t ON t.tenant_id = u.tenant_id) s
    ), people AS MATERIALIZED (
        SELECT u.user_id AS patient_id, u.display_name, z.zone, z.today
        FROM {chosen} u JOIN plans.tenants t ON t.tenant_id = u.tenant_id
        JOIN zones z ON z.zone = coalesce(u.timezone, t.default_timezone, 'UTC')
"""

# The figures that order and filter a row, from the patient's row of the roster read model (0011, kept by the
# writing transactions): the plan it shows, the last session, the last pains, and that plan's sessions of the
# last month, counted here against the patient's today so that the row never goes stale as days pass. A patient
# with no plan has no row yet: every figure is then empty.
CURRENT = """current AS (
        SELECT pe.*, f.plan_id, f.plan_status, f.plan_start AS start_date, f.frequency_per_week, f.plan_last_day AS last_day,
            f.last_activity_at, f.last_activity_day, f.recent_pain_after, coalesce(n.done_7, 0) AS done_7,
            coalesce(n.done_30, 0) AS done_30
        FROM people pe LEFT JOIN plans.roster_figures f ON f.patient_id = pe.patient_id
        -- One pass over the dates for both windows (as a column expression it ran once per use in ADHERENCE).
        LEFT JOIN LATERAL (
            SELECT count(*) FILTER (WHERE d BETWEEN greatest(pe.today - 7, f.plan_start) AND least(pe.today, f.plan_last_day)) AS done_7,
                count(*) FILTER (WHERE d BETWEEN greatest(pe.today - 30, f.plan_start) AND least(pe.today, f.plan_last_day)) AS done_30
            FROM unnest(f.recent_days) d
        ) n ON true
        WHERE CAST(:plan_status AS text) IS NULL OR coalesce(f.plan_status, 'none') = CAST(:plan_status AS text)
"""

ROSTER = """
    WITH chosen AS (
        SELECT u.*, u.user_id AS patient_id FROM plans.users u
        WHERE u.tenant_id = :tenant AND u.role = 'patient'
          AND (CAST(:patient AS uuid) IS NULL OR u.user_id = CAST(:patient AS uuid))
          AND (CAST(:ids AS uuid[]) IS NULL OR u.user_id = ANY(CAST(:ids AS uuid[])))
          AND (CAST(:search AS text) IS NULL OR u.display_name ILIKE '%' || CAST(:search AS text) || '%' ESCAPE '\\')
          AND (CAST(:therapist AS uuid) IS NULL OR EXISTS (
              SELECT 1 FROM plans.therapist_patients a WHERE a.patient_id = u.user_id AND a.therapist_id = CAST(:therapist AS uuid)))
    ), {people}
    ), {current}
    ), candidates AS (
        {candidates}
    ), keyed AS (
        SELECT c.*, coalesce(dd.status, 'none') AS rtm_status, dd.period_start AS rtm_period_start,
            dd.period_end AS rtm_period_end, coalesce(dd.quantity, 0) AS rtm_data_days
        FROM candidates c
        -- The RTM period of today: the 30-day data-days window holding it, else the latest before it.
        LEFT JOIN LATERAL (
            SELECT r.status, r.period_start, r.period_end, r.quantity FROM plans.billing_records r
            WHERE r.patient_id = c.patient_id AND r.track = 'data_days' AND r.period_start <= c.today
            ORDER BY r.period_start DESC LIMIT 1
        ) dd ON true
    ), figures AS (
        SELECT keyed.*, {adherence_7} AS adherence_7d, {adherence_30} AS adherence_30d
        FROM keyed
        WHERE CAST(:rtm_status AS text) IS NULL OR rtm_status = CAST(:rtm_status AS text)
    ), page AS (
        {page}
    )
    -- What only the rows shown need: computed for the page, not the clinic.
    SELECT page.*, pl.title, coalesce(pf.sessions_completed, 0) AS sessions_completed,
        coalesce(pf.sessions_planned, 0) AS sessions_planned, coalesce(mt.quantity, 0) AS rtm_minutes, tp.therapist_id,
        th.display_name AS therapist_name
    FROM page
    -- A patient may be followed by several therapists (each who prescribed a plan): the row names the
    -- latest assigned; "assigned to me" is any of them.
    LEFT JOIN LATERAL (
        SELECT a.therapist_id FROM plans.therapist_patients a WHERE a.patient_id = page.patient_id
        ORDER BY a.assigned_at DESC, a.therapist_id LIMIT 1
    ) tp ON true
    LEFT JOIN plans.users th ON th.user_id = tp.therapist_id
    LEFT JOIN plans.treatment_plans pl ON pl.plan_id = page.plan_id
    LEFT JOIN plans.plan_figures pf ON pf.plan_id = page.plan_id
    -- The management-time month holding today.
    LEFT JOIN LATERAL (
        SELECT r.quantity FROM plans.billing_records r
        WHERE r.patient_id = page.patient_id AND r.track = 'management_time' AND page.today BETWEEN r.period_start AND r.period_end
        LIMIT 1
    ) mt ON true
    ORDER BY page.sort_key {direction}, page.patient_id {direction}
"""


# For this transaction only: no JIT (the planner's cost for a clinic-wide statement passes jit_above_cost,
# and compiling takes longer, hundreds of ms, than running it).
NO_JIT = "SELECT set_config('jit', 'off', true)"
# The page statement probes its rows by index whatever the parameters, so one generic plan per prepared
# statement serves every call (each connection plans it once instead of spending 8-26 ms on every call:
# measured 106 -> 37 ms median under load).
NO_JIT_GENERIC_PLAN = "SELECT set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)"


def _escaped(search: str) -> str:
    # A typed % or _ is a character of a name, not a wildcard.
    return search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _figures(row: Any) -> RosterFigures:
    plan = None
    if row.plan_id is not None:
        plan = PlanFigures(row.plan_id, row.title, row.plan_status, row.start_date, row.last_day, row.frequency_per_week,
                           row.sessions_completed, row.sessions_planned)
    return RosterFigures(
        patient_id=row.patient_id, display_name=row.display_name, timezone=row.zone, today=row.today,
        therapist_id=row.therapist_id, therapist_name=row.therapist_name, plan=plan,
        adherence_7d=row.adherence_7d, adherence_30d=row.adherence_30d, last_activity_at=row.last_activity_at,
        last_activity_day=row.last_activity_day, recent_pain_after=list(row.recent_pain_after or []),
        rtm_status=row.rtm_status, rtm_period_start=row.rtm_period_start, rtm_period_end=row.rtm_period_end,
        rtm_data_days=row.rtm_data_days, rtm_minutes=row.rtm_minutes, sort_key=row.sort_key,
    )


def params_of(tenant_id: uuid.UUID, now: datetime, where: RosterFilter, after: Keyset | None) -> dict[str, Any]:
    return {
        "tenant": tenant_id, "now": now, "patient": where.patient_id,
        "search": _escaped(where.search) if where.search else None, "therapist": where.therapist_id,
        "plan_status": where.plan_status, "rtm_status": where.rtm_status,
        "after_key": None if after is None else after.key, "after_id": None if after is None else after.patient_id,
    }


def order_of(sort: str, limit: int | None) -> dict[str, str]:
    key, descending, key_type = SORTS[sort]
    return dict(key=key, key_type=key_type, compare="<" if descending else ">", direction="DESC" if descending else "ASC",
                limit="" if limit is None else "LIMIT :limit")


async def roster_page(
    uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime, where: RosterFilter, sort: str, after: Keyset | None,
    limit: int | None, ids: list[uuid.UUID] | None = None,
) -> list[RosterFigures]:
    """The rows after `after` in `sort` order, at most `limit` (None: every row), each with every figure the
    roster shows: one statement. With `ids`, the rows of those patients only (the second pass of a page
    `roster_keys` chose)."""
    order = order_of(sort, limit)
    key_type = order["key_type"]
    # A name order needs no figure: pick the page first and probe figures for its rows only, unless a
    # filter on a figure (RTM status) must see every candidate.
    early = limit is not None and key_type == "text" and where.rtm_status is None
    candidates = KEYSET.format(source="current", **order) if early else "SELECT * FROM current"
    # Without a plan-status filter either, the page is chosen among the users themselves.
    chosen = f"({KEYSET.format(source='chosen', **order)})" if early and where.plan_status is None else "chosen"
    # Early, the candidates are the page already (the final SELECT orders it); else the keyset runs on the figures.
    page = "SELECT * FROM figures" if early else KEYSET.format(source="figures", **order)
    if ids is not None:  # the rows are chosen already: only their keys are wanted
        candidates, chosen, page = "SELECT * FROM current", "chosen", f"SELECT figures.*, {order['key']} AS sort_key FROM figures"
    statement = ROSTER.format(
        adherence_7=ADHERENCE.format(days=7), adherence_30=ADHERENCE.format(days=30), candidates=candidates, page=page,
        people=PEOPLE.format(chosen=chosen), direction=order["direction"], current=CURRENT,
    )
    params = params_of(tenant_id, now, where, None if ids is not None else after)
    params["ids"] = ids
    if limit is not None:
        params["limit"] = limit
    await uow.execute(text(NO_JIT_GENERIC_PLAN))
    rows = await uow.execute(text(statement), params)
    return [_figures(row) for row in rows]


async def patient_plans(uow: UnitOfWork, patient_id: uuid.UUID) -> list[PlanFigures] | None:
    """Every plan of the patient, newest first, with sessions done of planned; None when no such patient."""
    rows = (
        await uow.execute(
            text(
                """
                SELECT u.user_id, p.plan_id, p.title, p.status, p.start_date, p.start_date + 7 * p.duration_weeks - 1 AS end_date,
                    p.frequency_per_week, coalesce(f.sessions_completed, 0) AS sessions_completed,
                    coalesce(f.sessions_planned, 0) AS sessions_planned
                FROM plans.users u LEFT JOIN plans.treatment_plans p ON p.patient_id = u.user_id
                LEFT JOIN plans.plan_figures f ON f.plan_id = p.plan_id
                WHERE u.user_id = :p AND u.role = 'patient'
                ORDER BY p.start_date DESC, p.created_at DESC
                """
            ),
            {"p": patient_id},
        )
    ).all()
    if not rows:
        return None
    return [
        PlanFigures(r.plan_id, r.title, r.status, r.start_date, r.end_date, r.frequency_per_week, r.sessions_completed,
                    r.sessions_planned)
        for r in rows if r.plan_id is not None
    ]
