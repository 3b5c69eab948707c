"""Whole-history replay in one zone, computed week by week with numpy instead of workout by workout."""

# Why this is exact (the property tests in tests/unit/streaks compare it with the
# workout-by-workout rules on random histories):
#
# With one zone, local days never go backwards, the anchor never moves, and during a
# replay no read sits between two workouts, so the transition guard never fires. Then:
#   * Workouts on the same local day after the first change nothing but the minutes: their
#     evaluation sees the same "yesterday", and the first one already restarted the streak
#     if it had to. Minutes are never negative here, so a day's total crosses 45 exactly
#     when one of its workouts would.
#   * A week starts "carried" (active since Monday) when it directly follows a week that
#     ended with at most 3 days off and its first workout day is Monday..Thursday (a later
#     first day is the overflow break). Otherwise its first workout day is a break, or the
#     very first workout.
#   * Inside a week with workout days p_f < ... < p_j (Monday = 0), the days off counted at
#     day j are p_j - a - (j - f), with a = 0 when carried and a = p_f otherwise. They never
#     decrease, and after one break inside a week fewer than 4 days remain, so each week
#     has at most one inside break: the first j where that count exceeds 3.
#   * Whether a week is carried depends only on whether the week before was, so each week
#     maps the previous week's mode to its own by a constant, the identity or a negation;
#     a cumulative sum resolves that chain without a Python loop over weeks.
#   * The daily streak is the number of workout days since the last break day; the weekly
#     streak is the number of weeks whose minutes reached 45 on or after that day.

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from operator import attrgetter

import numpy as np

from .rules import StreakTally, evaluate_tally
from .state import DAYS_OFF_PER_WEEK, WEEKLY_MINUTES_TARGET, StreakState, utc_instant
from .zone_offsets import offsets_of

_completed_at = attrgetter("completed_at")
_minutes = attrgetter("minutes")
_timestamp = datetime.timestamp
# The offset tables are built per UTC year; outside these years the workout-by-workout path
# (plain zoneinfo) is used instead.
_FIRST_INSTANT = datetime(1900, 1, 1, tzinfo=timezone.utc).timestamp()
_LAST_INSTANT = datetime(2200, 1, 1, tzinfo=timezone.utc).timestamp()


def replay_one_zone(records: Sequence, now: datetime, tz: str) -> StreakState | None:
    """Replay records that all count in zone `tz`, or None when this method cannot.

    It cannot for an empty history, negative minutes or instants outside 1900..2199; the
    caller then replays workout by workout.
    """
    count = len(records)
    if count == 0:
        return None
    instants = np.fromiter(map(_timestamp, map(_completed_at, records)), np.float64, count)
    minutes = np.fromiter(map(_minutes, records), np.int64, count)
    if minutes.min() < 0:
        return None
    if count > 1 and bool((instants[1:] < instants[:-1]).any()):
        # Stable, like sorted(): workouts at the same instant keep their given order.
        order = np.argsort(instants, kind="stable")
        instants = instants[order]
        minutes = minutes[order]
        last_record = records[int(order[-1])]
    else:
        last_record = records[-1]

    if instants[0] < _FIRST_INSTANT or instants[-1] >= _LAST_INSTANT:
        return None
    ordinals = offsets_of(tz).local_ordinals(instants)

    # One entry per local day with a workout.
    first_of_day = np.flatnonzero(np.diff(ordinals, prepend=-1))  # ordinals are positive
    day_ordinal = ordinals[first_of_day]
    day_minutes = np.add.reduceat(minutes, first_of_day)
    day_week = (day_ordinal - 1) // 7
    day_position = (day_ordinal - 1) % 7  # Monday 0 … Sunday 6
    day_count = len(day_ordinal)

    # One entry per week with a workout.
    week_first = np.flatnonzero(np.diff(day_week, prepend=-1))
    week_days = np.diff(week_first, append=day_count)
    week_of_day = np.repeat(np.arange(len(week_first)), week_days)
    first_day_of_day = week_first[week_of_day]
    first_position = day_position[week_first]

    # Days off counted at each workout day if the week were carried (active since Monday).
    carried_off = day_position - (np.arange(day_count) - first_day_of_day)
    started_off = carried_off - first_position[week_of_day]
    carried_calm = np.add.reduceat((carried_off <= DAYS_OFF_PER_WEEK).astype(np.int64), week_first)
    started_calm = np.add.reduceat((started_off <= DAYS_OFF_PER_WEEK).astype(np.int64), week_first)
    carried_breaks = carried_calm < week_days
    started_breaks = started_calm < week_days
    carried_break_day = week_first + carried_calm  # valid where carried_breaks
    started_break_day = week_first + started_calm
    week_end = week_first + week_days  # one past the week's last day

    def days_off_at_week_end(breaks: np.ndarray, break_day: np.ndarray, start_position: np.ndarray) -> np.ndarray:
        safe_break_day = np.where(breaks, break_day, week_first)
        after_break = 7 - day_position[safe_break_day] - (week_end - safe_break_day)
        return np.where(breaks, after_break, 7 - start_position - week_days)

    carried_ok = days_off_at_week_end(carried_breaks, carried_break_day, 0) <= DAYS_OFF_PER_WEEK
    started_ok = days_off_at_week_end(started_breaks, started_break_day, first_position) <= DAYS_OFF_PER_WEEK

    # Whether week w is carried depends on week w-1's mode through a map {started, carried} ->
    # {started, carried}: a constant, the identity or a negation. The last constant fixes the
    # mode, the negations since then flip it.
    week_number = day_week[week_first]
    links = np.zeros(len(week_first), dtype=bool)
    links[1:] = (week_number[1:] - week_number[:-1] == 1) & (first_position[1:] <= 3)
    after_started = links & np.concatenate(([False], started_ok[:-1]))
    after_carried = links & np.concatenate(([False], carried_ok[:-1]))
    is_constant = after_started == after_carried
    is_constant[0] = True  # the first week starts with its first workout
    flips = np.cumsum(after_started & ~after_carried)
    last_constant = np.maximum.accumulate(np.where(is_constant, np.arange(len(week_first)), 0))
    carried = after_started[last_constant] ^ ((flips - flips[last_constant]) & 1).astype(bool)

    week_break = np.where(
        carried,
        np.where(carried_breaks, carried_break_day, -1),
        np.where(started_breaks, started_break_day, week_first),
    )
    last_break = int(week_break.max())

    week_total = np.cumsum(day_minutes)
    before_day = week_total - day_minutes
    week_before_day = before_day - before_day[first_day_of_day]
    week_after_day = week_before_day + day_minutes
    reached = (week_before_day < WEEKLY_MINUTES_TARGET) & (week_after_day >= WEEKLY_MINUTES_TARGET)

    last_week_first = int(week_first[-1])
    last_week_break = int(week_break[-1])
    if last_week_break >= 0:
        active_position = int(day_position[last_week_break])
    else:
        active_position = 0
    mask = 0
    for position in day_position[last_week_first:].tolist():
        mask |= 1 << ((position + 1) % 7)

    tally = StreakTally(
        daily=day_count - last_break,
        weekly=int(reached[last_break:].sum()),
        last=utc_instant(last_record.completed_at),
        minutes=int(week_after_day[-1]),
        workout_days_mask=mask,
        active_since=(active_position + 1) % 7,
        week_zone=tz,
    )
    evaluate_tally(tally, utc_instant(now), tz)
    return tally.to_state()
