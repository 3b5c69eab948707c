"""Use cases of daily activity and the XP ledger: app open/close signals, rollups, awards, the goal bonus."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import Conflict, InvalidInput, PermissionDenied
from services.common.identity import SERVICE_ROLE, Identity
from services.common.parsing import parse_date
from services.common.settings import Settings
from services.common.timezones import day_bounds_utc, local_date
from services.entrances import activity_repository
from services.entrances.domain.daily_activity import (
    DailyActivity,
    DailyGoal,
    add_awarded_xp,
    consecutive_streak_days,
    every_day,
    record_app_close,
    rollup_day,
)
from services.entrances.domain.xp import (
    InvalidXpAward,
    XpAward,
    goal_bonus_award,
    goal_bonus_due,
    manual_award_key,
    validate_manual_award,
)
from services.entrances.plans_client import PlansClient

MAX_RANGE_DAYS = 366
MAX_CLIENT_KEY_LENGTH = 128
# How far back the current streak run is counted; a longer run reports this many days.
STREAK_LOOKBACK_DAYS = 3660


@dataclass(frozen=True)
class XpPolicy:
    per_workout: int
    per_exercise: int
    award_cap: int
    goal_bonus: int
    goal: DailyGoal

    @classmethod
    def from_settings(cls, settings: Settings) -> "XpPolicy":
        return cls(
            settings.xp_per_workout, settings.xp_per_exercise, settings.xp_award_cap, settings.xp_goal_bonus,
            DailyGoal(settings.daily_xp_goal, settings.daily_exercises_goal),
        )


@dataclass(frozen=True)
class AwardResult:
    award: activity_repository.StoredAward
    created: bool
    day: DailyActivity
    goal_bonus: activity_repository.StoredAward | None = None


@dataclass(frozen=True)
class ActivityRange:
    days: list[DailyActivity]
    current_streak_days: int
    today: date


def require_access_to(who: Identity, patient_id: uuid.UUID) -> None:
    """A patient sees only themselves; staff see the patients of their clinic (RLS and plans check the clinic)."""
    if who.role == "patient" and who.user_id != patient_id:
        raise PermissionDenied("a patient may only see their own activity")
    if who.role not in ("patient", "therapist", "admin", SERVICE_ROLE):
        raise PermissionDenied(f"role {who.role!r} may not see patient activity")


async def apply_award(
    uow: UnitOfWork, policy: XpPolicy, tenant_id: uuid.UUID, patient_id: uuid.UUID, award: XpAward,
    day: date, timezone: str, awarded_by: uuid.UUID | None = None, awarded_by_role: str | None = None,
) -> AwardResult:
    """Writes an award once (its key is unique in the ledger) and updates the day live; the first award
    that lifts the day to its XP goal also writes the goal bonus, itself keyed once per day."""
    row = await activity_repository.lock_day(uow, tenant_id, patient_id, day, timezone, policy.goal)
    stored, created = await activity_repository.insert_award(uow, tenant_id, patient_id, award, day, awarded_by, awarded_by_role)
    if not created:
        return AwardResult(stored, False, row)
    after = add_awarded_xp(row, award.amount)
    bonus = None
    if policy.goal_bonus > 0 and goal_bonus_due(row.xp_earned, after.xp_earned, row.daily_xp_goal, row.met_goal):
        bonus_award = goal_bonus_award(str(patient_id), day, policy.goal_bonus, award.awarded_at)
        bonus, bonus_created = await activity_repository.insert_award(uow, tenant_id, patient_id, bonus_award, day, None, None)
        if bonus_created:
            after = add_awarded_xp(after, bonus_award.amount)
        else:
            bonus = None
    await activity_repository.save_day(uow, after)
    return AwardResult(stored, True, after, bonus)


async def refresh_day(
    uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, day: date, timezone: str, goal: DailyGoal,
    keep_snapshot: bool,
) -> DailyActivity:
    """Recomputes the day's work and XP from the ledger and the completed workouts inside the day's
    [start_utc, end_utc) (23 or 25 hours on DST days). Open/close counters are kept as stored.
    `goal` is snapshotted on a new row; keep_snapshot keeps an existing row's own (a past day's
    goal stays what it was), otherwise today's goal replaces it."""
    row = await activity_repository.lock_day(uow, tenant_id, patient_id, day, timezone, goal)
    bounds = day_bounds_utc(day, row.timezone)
    workouts = await activity_repository.workouts_between(uow, patient_id, bounds.start_utc, bounds.end_utc)
    awards = await activity_repository.awards_between(uow, patient_id, bounds.start_utc, bounds.end_utc)
    rolled = rollup_day(
        None, None, workouts, awards, row.goal if keep_snapshot else goal,
        patient_id=str(patient_id), local_date=day, timezone=row.timezone, previous=row,
    )
    await activity_repository.save_day(uow, rolled)
    return rolled


class ActivityHandlers:
    def __init__(self, database: Database, plans: PlansClient, clock: Clock, policy: XpPolicy) -> None:
        self._db = database
        self._plans = plans
        self._clock = clock
        self.policy = policy

    async def record_open(self, who: Identity) -> DailyActivity:
        who.require_role("patient")
        context = await self._plans.patient_context(who.tenant_id, who.user_id)
        now = self._clock.now()
        day = local_date(now, context.timezone)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            row = await activity_repository.count_app_open(
                uow, activity_repository.AppOpen(who.tenant_id, who.user_id, day, context.timezone, now, self.policy.goal)
            )
            await audit(uow, who, "app_usage.open", "daily_activity", f"{who.user_id}:{day.isoformat()}", now)
            await uow.commit()
        return row

    async def record_close(self, who: Identity) -> DailyActivity:
        """The session-end moment: the day's rollups are recomputed from authoritative data."""
        who.require_role("patient")
        context = await self._plans.patient_context(who.tenant_id, who.user_id)
        now = self._clock.now()
        day = local_date(now, context.timezone)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            rolled = await refresh_day(
                uow, who.tenant_id, who.user_id, day, context.timezone, self.policy.goal, keep_snapshot=False
            )
            closed = record_app_close(rolled, now)
            await activity_repository.save_day(uow, closed)
            await audit(uow, who, "app_usage.close", "daily_activity", f"{who.user_id}:{day.isoformat()}", now)
            await uow.commit()
        return closed

    async def award_xp(
        self, who: Identity, patient_id: uuid.UUID, amount: object, reason: object, source: object, client_key: str
    ) -> AwardResult:
        who.require_role("therapist", "admin")
        try:
            amount, reason, source = validate_manual_award(amount, reason, source, self.policy.award_cap)
            if len(client_key) > MAX_CLIENT_KEY_LENGTH:
                raise InvalidXpAward("idempotency_key", f"must be at most {MAX_CLIENT_KEY_LENGTH} characters")
            key = manual_award_key(str(who.user_id), client_key)
        except InvalidXpAward as exc:
            raise InvalidInput(exc.field, exc.reason) from exc
        context = await self._plans.patient_context(who.tenant_id, patient_id)
        now = self._clock.now()
        day = local_date(now, context.timezone)
        award = XpAward(key, amount, reason, source, now)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            result = await apply_award(uow, self.policy, who.tenant_id, patient_id, award, day, context.timezone, who.user_id, who.role)
            if not result.created:
                stored = result.award
                same = (stored.patient_id, stored.award.amount, stored.award.reason, stored.award.source) == (
                    patient_id, amount, reason, source
                )
                if not same:
                    raise Conflict("idempotency_key: already used for a different award")
                return result
            await audit(
                uow, who, "xp.award", "xp_award", str(result.award.award_id), now,
                patient_id=str(patient_id), amount=amount, reason=reason, source=source, idempotency_key=client_key,
                goal_bonus=result.goal_bonus.award.amount if result.goal_bonus else 0,
            )
            await uow.commit()
        return result

    async def daily_range(self, who: Identity, patient_id: uuid.UUID | None, first: str, last: str) -> ActivityRange:
        if patient_id is None:
            if who.role != "patient":
                raise InvalidInput("patientId", "is required for therapists and admins")
            patient_id = who.user_id
        require_access_to(who, patient_id)
        first_day, last_day = parse_date("from", first), parse_date("to", last)
        if last_day < first_day:
            raise InvalidInput("to", "must not be before from")
        if (last_day - first_day).days >= MAX_RANGE_DAYS:
            raise InvalidInput("to", f"the range may span at most {MAX_RANGE_DAYS} days")
        context = await self._plans.patient_context(who.tenant_id, patient_id)
        today = local_date(self._clock.now(), context.timezone)
        async with self._db.unit_of_work(who.tenant_id) as uow:
            stored = await activity_repository.days_between(uow, patient_id, first_day, last_day)
            streak_days = await activity_repository.recent_streak_days(uow, patient_id, today, STREAK_LOOKBACK_DAYS)
        # A heatmap or a chart needs every day: the days nobody stored are empty days, never gaps.
        days = every_day(stored, first_day, last_day, str(patient_id), context.timezone, self.policy.goal)
        return ActivityRange(days, consecutive_streak_days(streak_days, today), today)
