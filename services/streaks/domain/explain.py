"""A day-by-day account of how a history produced its streak, for support staff ("why did my streak reset?")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from operator import attrgetter

from services.common.timezones import resolve_zone_name, zone

from .replay import WorkoutRecord
from .rules import BREAKS, Outcome, StreakTally, apply_to_tally, evaluate_tally, record_workout
from .state import DAYS_OFF_PER_WEEK, WEEKLY_MINUTES_TARGET, utc_instant
from .view import build_view
from .week import (
    DAY_NAMES,
    MONDAY,
    MONDAY_ORDER,
    SUNDAY,
    anchor_zone,
    iso_date,
    local_ordinal,
    monday_of,
    off_day_names,
)


def explain(workouts: Iterable[WorkoutRecord], now: datetime, tz: str) -> list[str]:
    """Replay `workouts` like replay() does, saying at each step what the rules decided and why."""
    zone_name = resolve_zone_name(tz)
    lines: list[str] = []
    if zone_name != tz:
        lines.append(f"Zone {tz!r} is not a known IANA zone: days are counted in {zone_name}.")
    tally = StreakTally()
    records = sorted(workouts, key=attrgetter("completed_at"))
    if not records:
        lines.append("No workouts: there is no streak.")
    for record in records:
        workout_zone = resolve_zone_name(record.timezone, zone_name)
        instant = utc_instant(record.completed_at)
        before = tally.copy()
        if tally.last is None:
            outcome = Outcome.NO_HISTORY
        else:
            outcome = evaluate_tally(tally, instant, workout_zone)
            lines.extend(_judgement_lines(outcome, before, instant, workout_zone))
        evaluated = tally.copy()
        if tally.last is None:
            apply_to_tally(tally, instant, record.minutes, workout_zone)  # "no state yet"
        else:
            record_workout(tally, instant, record.minutes, workout_zone, outcome in BREAKS)
        lines.append(_workout_line(evaluated, tally, instant, record.minutes, outcome))

    before = tally.copy()
    now_utc = utc_instant(now)
    outcome = evaluate_tally(tally, now_utc, zone_name)
    if before.last is not None:
        lines.extend(_judgement_lines(outcome, before, now_utc, zone_name))
    view = build_view(tally.to_state(), now_utc, zone_name)
    today = local_ordinal(now_utc, anchor_zone(tally.week_zone, zone_name))
    lines.append(
        f"{_day_label(today)} (now): daily streak {view['currentDailyStreak']}, "
        f"weekly streak {view['currentWeeklyStreak']}, "
        f"{view['weeklyDaysOffUsed']} of {DAYS_OFF_PER_WEEK} days off used this week, "
        f"{view['weeklyMinutes']}/{WEEKLY_MINUTES_TARGET} min this week."
    )
    return lines


def _day_label(ordinal: int) -> str:
    return f"{iso_date(ordinal)} {DAY_NAMES[ordinal % 7]}"


def _too_many_days_off(monday: int, names: list[str]) -> str:
    text = f"4th day off in week of {iso_date(monday)}: {', '.join(names)}"
    if len(names) > 4:
        text += f" ({len(names)} days off, {DAYS_OFF_PER_WEEK} allowed)"
    return text


def _counters(before: StreakTally) -> str:
    return f"daily streak {before.daily} → 0, weekly streak {before.weekly} → 0"


def _judgement_lines(outcome: Outcome, before: StreakTally, instant: datetime, tz: str) -> list[str]:
    """Words for one evaluation of `before` at `instant`; quiet when nothing happened."""
    if before.last is None or outcome in (Outcome.SAME_WEEK, Outcome.BEFORE_WEEK, Outcome.ALREADY_TURNED):
        return []
    anchor = anchor_zone(before.week_zone, tz)
    today = local_ordinal(instant, anchor)
    label = _day_label(today)
    this_monday = monday_of(today)
    last_day = local_ordinal(before.last, anchor)
    last_monday = monday_of(last_day)
    yesterday = None if (today - 1) % 7 == 0 else (today - 1) % 7

    if outcome is Outcome.GAP:
        return [
            f"{label}: streak broken — no workout since {_day_label(last_day)}: the week of "
            f"{iso_date(last_monday + 7)} had no workout at all (more than {DAYS_OFF_PER_WEEK} days off); "
            f"{_counters(before)}; weekly data reset."
        ]
    if outcome is Outcome.WEEK_FAILED:
        assert before.active_since is not None
        names = off_day_names(before.active_since, SUNDAY, before.workout_days_mask)
        return [
            f"{label}: new week of {iso_date(this_monday)}; the streak did not survive the week before — "
            f"{_too_many_days_off(last_monday, names)}; {_counters(before)}; weekly data reset."
        ]
    if outcome is Outcome.NEW_WEEK_NO_STREAK:
        return [f"{label}: new week of {iso_date(this_monday)}; no active streak; weekly data reset."]
    lines = []
    if outcome in (Outcome.NEW_WEEK_KEPT, Outcome.NEW_WEEK_OVERFLOW):
        assert before.active_since is not None
        names = off_day_names(before.active_since, SUNDAY, before.workout_days_mask)
        rest = f": {', '.join(names)}" if names else ""
        lines.append(
            f"{label}: new week of {iso_date(this_monday)}; the week of {iso_date(last_monday)} kept the streak "
            f"({len(names)} of {DAYS_OFF_PER_WEEK} days off{rest}); weekly data reset, rest days count from Monday."
        )
    if outcome is Outcome.NEW_WEEK_OVERFLOW:
        assert yesterday is not None
        names = off_day_names(MONDAY, yesterday, 0)
        lines.append(f"{label}: streak broken — {_too_many_days_off(this_monday, names)}; {_counters(before)}.")
    if outcome is Outcome.MISSED_DAYS:
        assert before.active_since is not None and yesterday is not None
        names = off_day_names(before.active_since, yesterday, before.workout_days_mask)
        if before.daily or before.weekly:
            lines.append(f"{label}: streak broken — {_too_many_days_off(this_monday, names)}; {_counters(before)}.")
        else:
            lines.append(f"{label}: streak still broken — {_too_many_days_off(this_monday, names)}.")
    return lines


def _workout_line(
    evaluated: StreakTally, after: StreakTally, instant: datetime, minutes: int, outcome: Outcome
) -> str:
    assert after.week_zone is not None
    local = instant.astimezone(zone(after.week_zone))
    days = ", ".join(DAY_NAMES[day] for day in MONDAY_ORDER if after.workout_days_mask >> day & 1)
    notes = []
    if evaluated.last is None:
        notes.append("first workout: the streak starts")
    elif after.daily == evaluated.daily:
        notes.append("same day as the previous workout: daily streak unchanged")
    elif after.daily == 1 and (outcome in BREAKS or evaluated.active_since is None):
        notes.append("the streak restarts today")
    if evaluated.minutes < WEEKLY_MINUTES_TARGET <= after.minutes:
        notes.append(f"{WEEKLY_MINUTES_TARGET}-minute target reached this week: weekly streak +1")
    if evaluated.week_zone is not None and after.week_zone != evaluated.week_zone:
        notes.append(f"this week is now reckoned in {after.week_zone}")
    suffix = "".join(f" — {note}" for note in notes)
    return (
        f"{local:%Y-%m-%d %a %H:%M} ({after.week_zone}): workout of {minutes} min → daily streak {after.daily}, "
        f"weekly streak {after.weekly}; this week {after.minutes}/{WEEKLY_MINUTES_TARGET} min, "
        f"workout days {days}{suffix}."
    )
