"""XP ledger rules: server-side awards, their validation, idempotency keys and the daily goal bonus."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

MAX_REASON_LENGTH = 200
_SOURCE_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


class XpSource(StrEnum):
    """Sources the server itself writes; manual awards may name their own (a slug)."""

    WORKOUT = "workout"
    GOAL_BONUS = "goal_bonus"
    THERAPIST = "therapist"
    ADMIN = "admin"


class InvalidXpAward(ValueError):
    """An award the ledger refuses; field names the offending input for the 4xx answer."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _is_whole_number(value: object) -> bool:
    # bool is an int subclass in Python; True is not "1 XP".
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class XpAward:
    """One ledger row. The idempotency key is unique in the ledger: insert-or-nothing."""

    idempotency_key: str
    amount: int  # may be negative for a correction; only positive XP counts toward a day
    reason: str
    source: str
    awarded_at: datetime  # when the deed happened (a workout's completion), not when it was written

    def __post_init__(self) -> None:
        if not self.idempotency_key:
            raise InvalidXpAward("idempotency_key", "is required")
        if not _is_whole_number(self.amount):
            raise InvalidXpAward("amount", "must be a whole number")
        if self.awarded_at.tzinfo is None:
            raise InvalidXpAward("awarded_at", "must be timezone-aware")

    @property
    def counts_toward_day(self) -> bool:
        return self.amount > 0


def validate_award(amount: object, cap: int) -> int:
    """A manual award's amount: a whole number from 1 to cap (floats, bools, strings refused)."""
    if not _is_whole_number(cap) or cap < 1:
        raise ValueError("the XP cap must be a whole number of at least 1")
    if not _is_whole_number(amount):
        raise InvalidXpAward("amount", "must be a whole number")
    assert isinstance(amount, int)
    if amount < 1:
        raise InvalidXpAward("amount", "must be at least 1")
    if amount > cap:
        raise InvalidXpAward("amount", f"must be at most {cap}")
    return amount


def validate_manual_award(amount: object, reason: object, source: object, cap: int) -> tuple[int, str, str]:
    """Amount, reason and source of a therapist/admin award, each checked by name."""
    checked_amount = validate_award(amount, cap)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidXpAward("reason", "must say why the XP is awarded")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidXpAward("reason", f"must be at most {MAX_REASON_LENGTH} characters")
    if not isinstance(source, str) or not _SOURCE_PATTERN.match(source):
        raise InvalidXpAward("source", "must be a short lowercase name such as 'therapist'")
    return checked_amount, reason.strip(), source


def xp_for_workout(exercises_completed: int, xp_per_workout: int, xp_per_exercise: int) -> int:
    """XP a completed real workout earns: a flat amount plus a share per completed exercise."""
    for name, value in (
        ("exercises_completed", exercises_completed),
        ("xp_per_workout", xp_per_workout),
        ("xp_per_exercise", xp_per_exercise),
    ):
        if not _is_whole_number(value) or value < 0:
            raise ValueError(f"{name} must be a whole number of at least 0")
    return xp_per_workout + exercises_completed * xp_per_exercise


def goal_bonus_due(xp_before: int, xp_after: int, goal: int, bonus_already_awarded: bool) -> bool:
    """True only for the award that first lifts the day from below the goal to it or above."""
    if bonus_already_awarded or goal <= 0:
        return False
    return xp_before < goal <= xp_after


def workout_award_key(workout_id: str) -> str:
    return f"workout:{workout_id}"


def goal_bonus_key(patient_id: str, local_date: date) -> str:
    return f"goal-bonus:{patient_id}:{local_date.isoformat()}"


def manual_award_key(awarded_by: str, client_key: str) -> str:
    """Namespaced by the awarding user, so two therapists' client keys never collide."""
    if not client_key or not client_key.strip():
        # "  " is no key a client chose: it would make every blank-key award after the first a silent replay.
        raise InvalidXpAward("idempotency_key", "is required and must not be blank")
    return f"manual:{awarded_by}:{client_key}"


def workout_award(
    workout_id: str,
    exercises_completed: int,
    completed_at: datetime,
    *,
    xp_per_workout: int,
    xp_per_exercise: int,
) -> XpAward | None:
    """The award for a completed real workout, dated at its completion; None when it earns 0."""
    amount = xp_for_workout(exercises_completed, xp_per_workout, xp_per_exercise)
    if amount == 0:
        return None
    return XpAward(
        idempotency_key=workout_award_key(workout_id),
        amount=amount,
        reason=f"completed workout {workout_id}",
        source=XpSource.WORKOUT,
        awarded_at=completed_at,
    )


def goal_bonus_award(patient_id: str, local_date: date, amount: int, awarded_at: datetime) -> XpAward:
    return XpAward(
        idempotency_key=goal_bonus_key(patient_id, local_date),
        amount=amount,
        reason=f"daily goal reached on {local_date.isoformat()}",
        source=XpSource.GOAL_BONUS,
        awarded_at=awarded_at,
    )


def positive_xp(awards: Iterable[XpAward]) -> int:
    """XP toward a day: positive awards only, each idempotency key once."""
    seen: set[str] = set()
    total = 0
    for award in awards:
        if award.idempotency_key in seen:
            continue
        seen.add(award.idempotency_key)
        if award.counts_toward_day:
            total += award.amount
    return total
