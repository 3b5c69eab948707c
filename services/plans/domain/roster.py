"""The roster's open alerts: which patients a therapist should look at today, and why, from figures Postgres computed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Three reports make a direction; two are a line through any pair of points.
PAIN_RISING_SESSIONS = 3
# A week without a session while a plan runs is what a therapist calls a patient about.
NO_ACTIVITY_DAYS = 7
# The last week trails the month by this many adherence points: a slide, not day-to-day noise
# (at 3 sessions a week one missed session moves the 7-day figure by 33 points, the 30-day one by 8).
ADHERENCE_FALL_POINTS = 25.0


class AlertKind(StrEnum):
    PAIN_RISING = "pain_rising"
    NO_ACTIVITY = "no_activity"
    ADHERENCE_FALLING = "adherence_falling"


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    detail: str


@dataclass(frozen=True)
class AlertInputs:
    """What one roster row knows about a patient, at the patient's own today."""

    today: date
    plan_active: bool
    plan_start: date | None
    last_activity_day: date | None  # local date of the last completed real session
    recent_pain_after: Sequence[int]  # pain after the latest sessions that reported it, newest first
    adherence_7d: float | None  # percent
    adherence_30d: float | None


def pain_rising(recent_pain_after: Sequence[int]) -> Alert | None:
    """The last three reported pains after a session never fell and ended higher than they began."""
    latest = list(recent_pain_after[:PAIN_RISING_SESSIONS])
    if len(latest) < PAIN_RISING_SESSIONS:
        return None
    chronological = latest[::-1]
    if all(a <= b for a, b in zip(chronological, chronological[1:])) and chronological[-1] > chronological[0]:
        return Alert(AlertKind.PAIN_RISING, "pain after the last sessions rose " + " → ".join(map(str, chronological)))
    return None


def no_activity(inputs: AlertInputs, days: int = NO_ACTIVITY_DAYS) -> Alert | None:
    """An active plan and no session for `days` whole days (counted from the plan's start when there was none)."""
    if not inputs.plan_active or inputs.plan_start is None:
        return None
    since = inputs.last_activity_day if inputs.last_activity_day is not None else inputs.plan_start
    if inputs.last_activity_day is None and inputs.plan_start > inputs.today:
        return None
    idle = (inputs.today - since).days
    if idle < days:
        return None
    if inputs.last_activity_day is None:
        return Alert(AlertKind.NO_ACTIVITY, f"no session since the plan started {idle} days ago")
    return Alert(AlertKind.NO_ACTIVITY, f"no session for {idle} days")


def adherence_falling(adherence_7d: float | None, adherence_30d: float | None) -> Alert | None:
    if adherence_7d is None or adherence_30d is None:
        return None
    if adherence_30d - adherence_7d < ADHERENCE_FALL_POINTS:
        return None
    return Alert(AlertKind.ADHERENCE_FALLING, f"adherence fell to {adherence_7d:g}% this week from {adherence_30d:g}% over 30 days")


def open_alerts(inputs: AlertInputs) -> list[Alert]:
    """Every alert that holds, in a fixed order (pain first: it is the clinical one)."""
    found = (
        pain_rising(inputs.recent_pain_after),
        no_activity(inputs),
        adherence_falling(inputs.adherence_7d, inputs.adherence_30d),
    )
    return [alert for alert in found if alert is not None]
