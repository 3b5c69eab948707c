"""All SQL of progress, specialist analytics and the clinic dashboard: aggregates computed by Postgres."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text

from services.common.db import UnitOfWork

@dataclass(frozen=True)
class PlanHeader:
    plan_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    title: str
    status: str
    start_date: date
    duration_weeks: int
    frequency_per_week: int
    updated_at: datetime
    patient_timezone: str | None
    default_timezone: str | None


@dataclass(frozen=True)
class ProgressFigures:
    plan: PlanHeader
    sessions_planned: int
    sessions_completed: int
    pain: list[list[Any]]  # [session_number, local_date, pain_before, pain_after] in session order
    weeks: dict[int, int]  # plan week index from 0 -> sessions completed on its days


@dataclass(frozen=True)
class ExerciseFigures:
    exercise_id: uuid.UUID
    name: str
    sessions_prescribed: int
    sessions_done: int
    skipped: int
    average_watch: float | None
    average_pose: float | None


@dataclass(frozen=True)
class AnalyticsFigures:
    plan: PlanHeader
    sessions_planned: int
    completed_in_plan: int
    average_minutes: float | None
    average_watch: float | None
    pain: list[list[Any]]
    weeks: dict[int, int]
    exercises: list[ExerciseFigures]


# The plan with its patient and clinic, the plan's own completed sessions (mirror workouts inferred
# from app entrances are not sessions), and the plan's last day: the head of both per-plan views.
# A session counts only on a local date inside the plan's dates (`domain.plan.within_plan`), the
# rule RTM billing applies to data days of the service period, so the two never disagree about a day.
PLAN_AND_SESSIONS = """
    WITH plan AS (
        SELECT p.plan_id, p.patient_id, u.display_name AS patient_name, p.title, p.status, p.start_date,
               p.duration_weeks, p.frequency_per_week, p.updated_at, u.timezone AS patient_timezone,
               t.default_timezone, p.start_date + 7 * p.duration_weeks - 1 AS last_day
        FROM plans.treatment_plans p JOIN plans.users u ON u.user_id = p.patient_id
        JOIN plans.tenants t ON t.tenant_id = p.tenant_id WHERE p.plan_id = :plan
    ), done AS (
        SELECT w.workout_id, w.session_number, w.local_date, w.pain_before, w.pain_after, w.duration_minutes
        FROM plans.workouts w JOIN plan ON plan.plan_id = w.plan_id
        WHERE w.plan_id = :plan AND w.source = 'real' AND w.status = 'completed'
          AND w.local_date BETWEEN plan.start_date AND plan.last_day
    )
"""
# Completed sessions per plan week (7-day blocks from the start), on days inside the plan.
WEEKS = """
    (SELECT coalesce(json_object_agg(week, completed), '{}'::json) FROM (
        SELECT (done.local_date - plan.start_date) / 7 AS week, count(*) AS completed FROM done
        WHERE done.local_date BETWEEN plan.start_date AND plan.last_day GROUP BY 1) per_week) AS weeks
"""
PAIN = """
    (SELECT coalesce(json_agg(json_build_array(session_number, local_date, pain_before, pain_after)
        ORDER BY session_number), '[]'::json) FROM done) AS pain
"""


def _header(row: Any) -> PlanHeader:
    return PlanHeader(**{name: getattr(row, name) for name in PlanHeader.__dataclass_fields__})


def _weeks(raw: dict[str, int]) -> dict[int, int]:
    return {int(week): int(count) for week, count in raw.items()}


async def progress_figures(uow: UnitOfWork, plan_id: uuid.UUID) -> ProgressFigures | None:
    """The plan, its sessions done of planned, the pain series and completions per week: one statement."""
    row = (
        await uow.execute(
            text(
                f"""{PLAN_AND_SESSIONS}
                SELECT plan.*,
                    (SELECT count(*) FROM plans.workouts w WHERE w.plan_id = :plan AND w.source = 'real') AS sessions_planned,
                    (SELECT count(*) FROM done) AS sessions_completed, {PAIN}, {WEEKS}
                FROM plan
                """
            ),
            {"plan": plan_id},
        )
    ).first()
    if row is None:
        return None
    return ProgressFigures(_header(row), row.sessions_planned, row.sessions_completed, list(row.pain), _weeks(row.weeks))


async def analytics_figures(uow: UnitOfWork, plan_id: uuid.UUID) -> AnalyticsFigures | None:
    """The plan, counts, averages, the pain series, completions per plan week and the per-exercise
    table, in one statement. A session counts toward adherence on its local date, when that falls
    inside the plan's dates; the exercise table covers what the plan prescribes now or prescribed
    in a completed session."""
    row = (
        await uow.execute(
            text(
                f"""{PLAN_AND_SESSIONS}
                , prescribed AS (
                    SELECT pe.exercise_id, min(pe.position) AS position FROM plans.plan_exercises pe
                    WHERE pe.plan_id = :plan GROUP BY pe.exercise_id
                ), logged AS (
                    SELECT l.exercise_id, min(l.position) AS position, count(*) AS sessions_prescribed,
                        count(*) FILTER (WHERE NOT l.skipped) AS sessions_done, count(*) FILTER (WHERE l.skipped) AS skipped,
                        avg(l.video_watch_percentage) AS average_watch, avg(l.pose_accuracy_score) AS average_pose
                    FROM done JOIN plans.exercise_logs l ON l.workout_id = done.workout_id GROUP BY l.exercise_id
                ), exercises AS (
                    SELECT e.exercise_id, e.name, coalesce(g.sessions_prescribed, 0) AS sessions_prescribed,
                        coalesce(g.sessions_done, 0) AS sessions_done, coalesce(g.skipped, 0) AS skipped,
                        g.average_watch, g.average_pose, coalesce(p.position, 1000 + g.position) AS position
                    FROM (SELECT exercise_id FROM prescribed UNION SELECT exercise_id FROM logged) ids
                    JOIN plans.exercises e ON e.exercise_id = ids.exercise_id
                    LEFT JOIN prescribed p ON p.exercise_id = ids.exercise_id
                    LEFT JOIN logged g ON g.exercise_id = ids.exercise_id
                )
                SELECT plan.*,
                    (SELECT count(*) FROM plans.workouts w WHERE w.plan_id = :plan AND w.source = 'real') AS sessions_planned,
                    (SELECT count(*) FROM done WHERE done.local_date BETWEEN plan.start_date AND plan.last_day)
                        AS completed_in_plan,
                    (SELECT avg(duration_minutes)::float8 FROM done) AS average_minutes,
                    (SELECT avg(l.video_watch_percentage) FROM done JOIN plans.exercise_logs l ON l.workout_id = done.workout_id)
                        AS average_watch,
                    {PAIN}, {WEEKS},
                    (SELECT coalesce(json_agg(json_build_array(exercise_id, name, sessions_prescribed, sessions_done, skipped,
                        average_watch, average_pose) ORDER BY position, name), '[]'::json) FROM exercises) AS exercises
                FROM plan
                """
            ),
            {"plan": plan_id},
        )
    ).first()
    if row is None:
        return None
    return AnalyticsFigures(
        plan=_header(row), sessions_planned=row.sessions_planned, completed_in_plan=row.completed_in_plan,
        average_minutes=row.average_minutes, average_watch=row.average_watch, pain=list(row.pain), weeks=_weeks(row.weeks),
        exercises=[ExerciseFigures(uuid.UUID(e[0]), *e[1:]) for e in row.exercises],
    )


# ------------------------------------------------------------------ organization dashboard
# The dashboard reads the summary rows of migration 0011 (plan_figures, exercise_days), which the writing
# transactions keep current: one row per plan and one per exercise and day, instead of a scan of the sessions.
async def pain_improvement(uow: UnitOfWork, tenant_id: uuid.UUID) -> dict[str, Any]:
    """Per completed plan, first minus last reported pain (before and after a session), averaged."""
    row = (
        await uow.execute(
            text(
                """
                WITH per_plan AS (
                    SELECT f.first_before, f.last_before, f.first_after, f.last_after, f.pains_reported AS reported
                    FROM plans.treatment_plans p JOIN plans.plan_figures f ON f.plan_id = p.plan_id
                    WHERE p.tenant_id = :tenant AND p.status = 'completed'
                )
                SELECT count(*) FILTER (WHERE reported >= 2) AS plans_counted,
                    avg(first_before - last_before) FILTER (WHERE reported >= 2)::float8 AS before_points,
                    avg((first_before - last_before) * 100.0 / first_before)
                        FILTER (WHERE reported >= 2 AND first_before > 0)::float8 AS before_percent,
                    avg(first_after - last_after) FILTER (WHERE reported >= 2)::float8 AS after_points,
                    avg((first_after - last_after) * 100.0 / first_after)
                        FILTER (WHERE reported >= 2 AND first_after > 0)::float8 AS after_percent
                FROM per_plan
                """
            ),
            {"tenant": tenant_id},
        )
    ).one()
    return dict(row._mapping)


async def active_adherence(uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    """Adherence of every active plan at each patient's own today.

    Expected sessions follow services.plans.domain.adherence.expected_sessions exactly:
    floor(frequency x whole plan days passed / 7), capped at the plan's length; each plan's
    ratio is capped at 1 before averaging, so extra sessions bank no credit. Completed sessions
    are those on days inside the plan (plan_figures.completed_in_plan)."""
    row = (
        await uow.execute(
            text(
                """
                WITH figures AS (
                    SELECT coalesce(f.completed_in_plan, 0) AS completed,
                        p.frequency_per_week * least(greatest((CAST(:now AS timestamptz)
                            AT TIME ZONE coalesce(u.timezone, t.default_timezone, 'UTC'))::date - p.start_date, 0),
                            7 * p.duration_weeks) / 7 AS expected
                    FROM plans.treatment_plans p JOIN plans.users u ON u.user_id = p.patient_id
                    JOIN plans.tenants t ON t.tenant_id = p.tenant_id
                    LEFT JOIN plans.plan_figures f ON f.plan_id = p.plan_id
                    WHERE p.tenant_id = :tenant AND p.status = 'active'
                )
                SELECT count(*) AS active_plans, count(*) FILTER (WHERE expected > 0) AS plans_with_expectation,
                    coalesce(sum(completed), 0) AS sessions_completed, coalesce(sum(expected), 0) AS sessions_expected,
                    avg(least(1.0, completed::float8 / expected)) FILTER (WHERE expected > 0) * 100 AS average_adherence_percent
                FROM figures
                """
            ),
            {"tenant": tenant_id, "now": now},
        )
    ).one()
    return dict(row._mapping)


async def exercise_usage(uow: UnitOfWork, tenant_id: uuid.UUID, performance_since: date) -> list[dict[str, Any]]:
    """One aggregate row per exercise of the catalogue that was prescribed in a plan or logged since
    `performance_since`: how often it is prescribed (all plans), how it went lately (sessions since)."""
    rows = await uow.execute(
        text(
            """
            WITH prescribed AS (
                SELECT pe.exercise_id, count(DISTINCT pe.plan_id) AS plans FROM plans.plan_exercises pe
                WHERE pe.tenant_id = :tenant GROUP BY pe.exercise_id
            ), performance AS (
                SELECT d.exercise_id, sum(d.sessions_prescribed) AS sessions_prescribed, sum(d.sessions_done) AS sessions_done,
                    (sum(d.pose_sum) / nullif(sum(d.pose_count), 0))::float8 AS average_pose,
                    (sum(d.watch_sum) / nullif(sum(d.watch_count), 0))::float8 AS average_watch
                FROM plans.exercise_days d
                WHERE d.tenant_id = :tenant AND d.local_date >= :since
                GROUP BY d.exercise_id HAVING sum(d.sessions_prescribed) > 0
            )
            SELECT e.exercise_id, e.name, coalesce(pr.plans, 0) AS plans_prescribed,
                coalesce(pf.sessions_prescribed, 0)::int AS sessions_prescribed, coalesce(pf.sessions_done, 0)::int AS sessions_done,
                pf.average_pose, pf.average_watch
            FROM plans.exercises e
            LEFT JOIN prescribed pr ON pr.exercise_id = e.exercise_id
            LEFT JOIN performance pf ON pf.exercise_id = e.exercise_id
            WHERE e.tenant_id = :tenant AND (pr.plans IS NOT NULL OR pf.sessions_prescribed IS NOT NULL)
            ORDER BY e.name, e.exercise_id
            """
        ),
        {"tenant": tenant_id, "since": performance_since},
    )
    return [dict(r._mapping) for r in rows]


async def plan_outcomes(uow: UnitOfWork, tenant_id: uuid.UUID) -> dict[str, int]:
    rows = await uow.execute(
        text("SELECT status, count(*) AS plans FROM plans.treatment_plans WHERE tenant_id = :tenant GROUP BY status"),
        {"tenant": tenant_id},
    )
    return {r.status: r.plans for r in rows}
