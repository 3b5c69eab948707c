"""Use cases of patient progress, specialist analytics and the clinic dashboard (read-only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import NotFound
from services.common.identity import Identity
from services.common.timezones import local_date, resolve_zone_name
from services.plans.analytics import repository as figures
from services.plans.analytics.repository import ExerciseFigures, PlanHeader
from services.plans.domain.adherence import (
    PainEvolution,
    WeekAdherence,
    adherence_ratio,
    expected_sessions,
    pain_evolution,
    plan_last_day,
    plan_week_of,
    weekly_adherence,
)
from services.plans.domain.dashboard import PERFORMANCE_WINDOW_DAYS, percent, plan_outcomes, rank_exercises, with_completion


@dataclass(frozen=True)
class SessionPain:
    session_number: int
    local_date: date
    pain_before: int | None
    pain_after: int | None


@dataclass(frozen=True)
class ThisWeek:
    week_number: int
    start: date
    end: date
    sessions_done: int
    sessions_planned: int


@dataclass(frozen=True)
class Progress:
    plan: PlanHeader
    end_date: date
    today: date
    timezone: str
    sessions_completed: int
    sessions_planned: int
    completion_percent: float | None
    pain_trend: list[SessionPain]
    this_week: ThisWeek | None


@dataclass(frozen=True)
class Analytics:
    plan: PlanHeader
    end_date: date
    as_of: date
    sessions_planned: int
    sessions_completed: int
    sessions_expected: int
    adherence_percent: float | None
    average_session_minutes: float | None
    average_video_watch_percent: float | None
    exercises: list[ExerciseFigures]
    pain: PainEvolution
    pain_sessions: list[SessionPain]
    weeks: list[WeekAdherence]


@dataclass(frozen=True)
class Dashboard:
    generated_at: datetime
    pain: dict[str, Any]
    adherence: dict[str, Any]
    most_prescribed: list[dict[str, Any]]
    best_performance: list[dict[str, Any]]
    worst_performance: list[dict[str, Any]]
    outcomes: dict[str, Any]


def _sessions(rows: list[list[Any]]) -> list[SessionPain]:
    return [SessionPain(int(n), date.fromisoformat(day), before, after) for n, day, before, after in rows]


def _zone(plan: PlanHeader) -> str:
    return resolve_zone_name(plan.patient_timezone, plan.default_timezone)


class AnalyticsHandlers:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    @staticmethod
    def _visible(found: Any, who: Identity, plan_id: uuid.UUID) -> None:
        # Same answer for "not yours" and "does not exist": ids of other patients' plans reveal nothing.
        if found is None or (who.role == "patient" and found.plan.patient_id != who.user_id):
            raise NotFound(f"treatment plan {plan_id} not found")

    async def progress(self, who: Identity, plan_id: uuid.UUID) -> Progress:
        """Sessions done of planned, pain per session and this plan week's sessions; the streak is the
        streaks service's and is joined by the caller."""
        who.require_role("patient", "therapist", "admin")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            found = await figures.progress_figures(uow, plan_id)
        self._visible(found, who, plan_id)
        assert found is not None
        plan = found.plan
        zone = _zone(plan)
        today = local_date(self._clock.now(), zone)
        end = plan_last_day(plan.start_date, plan.duration_weeks)
        week = plan_week_of(plan.start_date, plan.duration_weeks, today)
        this_week = None
        if week is not None:
            index, first, last = week
            this_week = ThisWeek(index + 1, first, last, found.weeks.get(index, 0), plan.frequency_per_week)
        return Progress(
            plan=plan, end_date=end, today=today, timezone=zone,
            sessions_completed=found.sessions_completed, sessions_planned=found.sessions_planned,
            completion_percent=percent(found.sessions_completed / found.sessions_planned) if found.sessions_planned else None,
            pain_trend=_sessions(found.pain), this_week=this_week,
        )

    async def plan_analytics(self, who: Identity, plan_id: uuid.UUID) -> Analytics:
        who.require_role("therapist", "admin")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            found = await figures.analytics_figures(uow, plan_id)
        self._visible(found, who, plan_id)
        assert found is not None
        plan = found.plan
        end = plan_last_day(plan.start_date, plan.duration_weeks)
        as_of = self._as_of(plan)
        expected = expected_sessions(plan.start_date, plan.frequency_per_week, plan.duration_weeks, as_of)
        # The domain decides what each week expects; Postgres counted what each week holds.
        weeks = [
            WeekAdherence(w.week_number, w.start, w.end, found.weeks.get(w.week_number - 1, 0), w.expected)
            for w in weekly_adherence(plan.start_date, plan.frequency_per_week, plan.duration_weeks, (), as_of)
        ]
        sessions = _sessions(found.pain)
        return Analytics(
            plan=plan, end_date=end, as_of=as_of, sessions_planned=found.sessions_planned,
            sessions_completed=found.completed_in_plan, sessions_expected=expected,
            adherence_percent=percent(adherence_ratio(found.completed_in_plan, expected)),
            average_session_minutes=_rounded(found.average_minutes),
            average_video_watch_percent=_rounded(found.average_watch),
            exercises=found.exercises,
            pain=pain_evolution([(s.session_number, s.pain_before, s.pain_after) for s in sessions]),
            pain_sessions=sessions,
            weeks=weeks,
        )

    def _as_of(self, plan: PlanHeader) -> date:
        """The patient's today while the plan runs; for a plan that ended (completed, expired,
        cancelled) the day it ended, so nobody is expected to exercise on a plan that is over."""
        zone = _zone(plan)
        today = local_date(self._clock.now(), zone)
        if plan.status == "active":
            return today
        return min(today, local_date(plan.updated_at, zone))

    async def organization_dashboard(self, who: Identity) -> Dashboard:
        """Figures of the caller's clinic only: every query names the tenant, and row-level security
        enforces it again."""
        who.require_role("admin")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            pain = await figures.pain_improvement(uow, who.tenant_id)
            adherence = await figures.active_adherence(uow, who.tenant_id, now)
            usage = await figures.exercise_usage(uow, who.tenant_id, now.date() - timedelta(days=PERFORMANCE_WINDOW_DAYS))
            outcomes = plan_outcomes(await figures.plan_outcomes(uow, who.tenant_id))
        most, best, worst = rank_exercises(with_completion(usage))
        adherence["average_adherence_percent"] = _rounded(adherence["average_adherence_percent"])
        return Dashboard(
            generated_at=now,
            pain={key: _rounded(value) if isinstance(value, float) else value for key, value in pain.items()},
            adherence=adherence,
            most_prescribed=most,
            best_performance=best,
            worst_performance=worst,
            outcomes=outcomes,
        )


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)
