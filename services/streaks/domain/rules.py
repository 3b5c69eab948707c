"""The streak rules of issue 3: evaluate a patient's streak at an instant, apply a workout."""

# How this file reads the issue where the words allow more than one meaning.
#
# The issue makes replay the single source of truth: applying workouts one by one with
# reads (evaluations) in between must end where replaying the same workouts ends. Taken
# literally, two sentences break that as soon as a read and a workout use different
# zones (the property tests in tests/unit/streaks fail on both; test_streak_zone_changes.py
# pins one example of each):
#
#   1. "the Monday of now (in tz)" and "yesterday" in the caller's zone. A read in
#      Asia/Kolkata at Friday 02:00 sees Monday..Thursday as past and breaks the streak;
#      a workout logged in New York a few minutes later is still on Thursday there, and
#      replay (which never made that read) keeps the streak. Breaks cannot be undone, so
#      the two paths disagree for good.
#   2. "weekTimezone becomes tz whenever weekly data resets". A read that processes the
#      Monday transition would anchor the new week in the reader's zone; replay processes
#      the same transition inside the next workout and anchors it in that workout's zone.
#      From then on the two paths count days in different zones.
#
# The reading used here, identical to the literal rules whenever one zone is involved:
#
#   * A week is reckoned in one zone, its anchor (week_timezone; the caller's zone only for
#     a row that has none). Evaluation computes both Mondays, "today" and "yesterday" in
#     the anchor. This is the issue's "keeps the week anchored in weekTimezone until the
#     next reset", applied to the whole evaluation and not only to lastWorkoutDate.
#   * Evaluation never moves the anchor. Only a workout does: when it is the first workout
#     of a fresh week (weekly data empty after a reset) or when it (re)starts the streak
#     (weekStreakActiveSince changes), the week is re-anchored in the workout's own zone,
#     provided that zone puts the workout in the same Monday-to-Sunday week as the old
#     anchor does (otherwise re-anchoring would move the workout into a week the rules
#     already closed). So a patient who moves keeps the old zone until the next reset and
#     the first workout after it, which is the same in both paths because workouts are.
#   * Inside an anchored week a workout's day of week is its day in the anchor, so the
#     week's days, "yesterday" and "same day as the last workout" share one calendar.
#   * An instant whose week (in the anchor) comes before the week of the last workout
#     changes nothing: none of that week's days have passed yet.

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from services.common.timezones import resolve_zone_name

from .state import DAYS_OFF_PER_WEEK, WEEKLY_MINUTES_TARGET, StreakState, utc_instant
from .week import (
    MONDAY,
    SUNDAY,
    anchor_zone,
    days_in_mask,
    days_mask,
    days_off_in_mask,
    local_ordinal,
    week_index,
)


class Outcome(IntEnum):
    """What one evaluation found; explain.py turns it into words for support staff."""

    NO_HISTORY = 0  # no workout yet
    BEFORE_WEEK = 1  # the instant lies in a week before the state's week
    SAME_WEEK = 2  # same week, rest days within the allowance
    MISSED_DAYS = 3  # same week, more than 3 days off through yesterday: break
    NEW_WEEK_NO_STREAK = 4  # week turned with no active streak: weekly reset
    NEW_WEEK_KEPT = 5  # week turned, previous week within the allowance: weekly reset
    NEW_WEEK_OVERFLOW = 6  # as NEW_WEEK_KEPT, but the new week already has 4+ days off: break
    WEEK_FAILED = 7  # week turned, previous week had 4+ days off: break
    GAP = 8  # two or more weeks since the last workout's week: break
    ALREADY_TURNED = 9  # one week on, but that transition was processed by an earlier read


BREAKS = frozenset({Outcome.MISSED_DAYS, Outcome.NEW_WEEK_OVERFLOW, Outcome.WEEK_FAILED, Outcome.GAP})


@dataclass(slots=True)
class StreakTally:
    """Mutable working copy of a StreakState, so a replay does not rebuild a frozen value per workout."""

    daily: int = 0
    weekly: int = 0
    last: datetime | None = None  # aware, UTC
    minutes: int = 0
    workout_days_mask: int = 0  # bit d set = a workout on JS day d this week
    active_since: int | None = None
    week_zone: str | None = None
    # Local day of `last` in `last_day_zone`: a replay asks for it at every workout.
    last_day_zone: str | None = None
    last_day: int = 0

    @classmethod
    def from_state(cls, state: StreakState) -> StreakTally:
        return cls(
            daily=state.current_daily_streak,
            weekly=state.current_weekly_streak,
            last=state.last_workout_date,
            minutes=state.weekly_minutes,
            workout_days_mask=days_mask(state.weekly_workout_days),
            active_since=state.week_streak_active_since,
            week_zone=state.week_timezone,
        )

    def to_state(self) -> StreakState:
        return StreakState(
            current_daily_streak=self.daily,
            current_weekly_streak=self.weekly,
            last_workout_date=self.last,
            weekly_minutes=self.minutes,
            weekly_workout_days=days_in_mask(self.workout_days_mask),
            week_streak_active_since=self.active_since,
            week_timezone=self.week_zone,
        )

    def copy(self) -> StreakTally:
        return StreakTally(
            self.daily, self.weekly, self.last, self.minutes,
            self.workout_days_mask, self.active_since, self.week_zone,
        )


def _break_streak(tally: StreakTally) -> None:
    tally.daily = 0
    tally.weekly = 0


def _reset_week(tally: StreakTally) -> None:
    tally.minutes = 0
    tally.workout_days_mask = 0


def evaluate_tally(tally: StreakTally, now: datetime, tz: str) -> Outcome:
    """Apply the lazy evaluation rules to `tally` in place; `tz` must be a resolved zone name."""
    if tally.last is None:
        return Outcome.NO_HISTORY
    anchor = anchor_zone(tally.week_zone, tz)
    return _evaluate_on(tally, local_ordinal(now, anchor), _last_day_in(tally, anchor))


def _last_day_in(tally: StreakTally, zone_name: str) -> int:
    assert tally.last is not None
    if tally.last_day_zone != zone_name:
        tally.last_day = local_ordinal(tally.last, zone_name)
        tally.last_day_zone = zone_name
    return tally.last_day


def _evaluate_on(tally: StreakTally, today: int, last_day: int) -> Outcome:
    """The evaluation rules, given today and the last workout's day in the week's anchor zone."""
    weeks_apart = week_index(today) - week_index(last_day)
    if weeks_apart < 0:
        return Outcome.BEFORE_WEEK
    # On a Monday there is no yesterday in this week.
    yesterday = None if (today - 1) % 7 == 0 else (today - 1) % 7

    if weeks_apart >= 2:
        _break_streak(tally)
        tally.active_since = None
        _reset_week(tally)
        return Outcome.GAP

    if weeks_apart == 1:
        if tally.workout_days_mask == 0 and tally.active_since == MONDAY:
            # An earlier read already turned the week: judge it as the current week.
            return _judge_current_week(tally, yesterday, Outcome.ALREADY_TURNED)
        if tally.active_since is None:
            _reset_week(tally)
            return Outcome.NEW_WEEK_NO_STREAK
        if days_off_in_mask(tally.active_since, SUNDAY, tally.workout_days_mask) > DAYS_OFF_PER_WEEK:
            _break_streak(tally)
            tally.active_since = None
            _reset_week(tally)
            return Outcome.WEEK_FAILED
        _reset_week(tally)
        tally.active_since = MONDAY
        if days_off_in_mask(MONDAY, yesterday, 0) > DAYS_OFF_PER_WEEK:
            # Broken inside the new week: active_since stays Monday so the calendar shows the misses.
            _break_streak(tally)
            return Outcome.NEW_WEEK_OVERFLOW
        return Outcome.NEW_WEEK_KEPT

    return _judge_current_week(tally, yesterday, Outcome.SAME_WEEK)


def _judge_current_week(tally: StreakTally, yesterday: int | None, calm: Outcome) -> Outcome:
    if (
        tally.active_since is not None
        and days_off_in_mask(tally.active_since, yesterday, tally.workout_days_mask) > DAYS_OFF_PER_WEEK
    ):
        # Weekly data and active_since are kept: they describe this week.
        _break_streak(tally)
        return Outcome.MISSED_DAYS
    return calm


def apply_to_tally(tally: StreakTally, completed_at: datetime, minutes: int, tz: str) -> Outcome:
    """Apply one completed workout to `tally` in place; returns what the evaluation before it found."""
    instant = utc_instant(completed_at)
    if tally.last is None:
        # No history: the "no state yet" branch (a zero row behaves the same).
        day_ordinal = local_ordinal(instant, tz)
        day = day_ordinal % 7
        tally.daily = 1
        tally.weekly = 1 if minutes >= WEEKLY_MINUTES_TARGET else 0
        tally.minutes = minutes
        tally.workout_days_mask = 1 << day
        tally.active_since = day
        tally.week_zone = tz
        tally.last = instant
        tally.last_day_zone, tally.last_day = tz, day_ordinal
        return Outcome.NO_HISTORY
    # Evaluation never moves the anchor, so one set of local days serves both steps.
    anchor = anchor_zone(tally.week_zone, tz)
    today = local_ordinal(instant, anchor)
    last_day = _last_day_in(tally, anchor)
    outcome = _evaluate_on(tally, today, last_day)
    _record_on(tally, instant, minutes, tz, anchor, today, last_day, outcome in BREAKS)
    return outcome


def record_workout(tally: StreakTally, instant: datetime, minutes: int, tz: str, just_broke: bool) -> None:
    """The part of applying a workout that follows its evaluation (instant in UTC)."""
    assert tally.last is not None
    anchor = anchor_zone(tally.week_zone, tz)
    today = local_ordinal(instant, anchor)
    _record_on(tally, instant, minutes, tz, anchor, today, _last_day_in(tally, anchor), just_broke)


def _record_on(
    tally: StreakTally,
    instant: datetime,
    minutes: int,
    tz: str,
    anchor: str,
    today: int,
    last_day: int,
    just_broke: bool,
) -> None:
    same_day = today == last_day
    restarts = tally.active_since is None or (just_broke and not same_day)
    if anchor != tz and (restarts or tally.workout_days_mask == 0):
        own_day = local_ordinal(instant, tz)
        if week_index(own_day) == week_index(today):
            anchor = tz
            today = own_day
    day = today % 7

    before = tally.minutes
    tally.minutes = before + minutes
    # The weekly streak grows once per week: when the minutes first reach the target.
    if before < WEEKLY_MINUTES_TARGET <= tally.minutes:
        tally.weekly += 1
    if not same_day:
        if just_broke:
            tally.daily = 1
            tally.active_since = day
        else:
            tally.daily += 1
    if tally.active_since is None:
        tally.active_since = day
    tally.workout_days_mask |= 1 << day
    tally.week_zone = anchor
    tally.last = instant
    tally.last_day_zone, tally.last_day = anchor, today


def evaluate(state: StreakState, now: datetime, tz: str) -> StreakState:
    """The state as of `now` (run before every read and every workout); `state` itself if nothing changed."""
    tally = StreakTally.from_state(state)
    evaluate_tally(tally, utc_instant(now), resolve_zone_name(tz))
    updated = tally.to_state()
    return state if updated == state else updated


def apply_workout(state: StreakState | None, completed_at: datetime, minutes: int, tz: str) -> StreakState:
    """The state after a workout completed at `completed_at` in zone `tz` (unknown zones fall back to UTC)."""
    tally = StreakTally() if state is None else StreakTally.from_state(state)
    apply_to_tally(tally, completed_at, minutes, resolve_zone_name(tz))
    return tally.to_state()
