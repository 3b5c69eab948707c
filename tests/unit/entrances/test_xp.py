"""XP ledger rules: validation, workout XP, goal bonus, idempotency keys."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.entrances.domain.xp import (
    InvalidXpAward,
    XpAward,
    XpSource,
    goal_bonus_award,
    goal_bonus_due,
    goal_bonus_key,
    manual_award_key,
    positive_xp,
    validate_award,
    validate_manual_award,
    workout_award,
    workout_award_key,
    xp_for_workout,
)

AT = datetime(2026, 4, 8, 18, tzinfo=UTC)


@pytest.mark.parametrize("amount", [1, 50, 100])
def test_whole_amounts_from_1_to_the_cap_are_accepted(amount):
    assert validate_award(amount, cap=100) == amount


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        (10.0, "must be a whole number"),
        (10.5, "must be a whole number"),
        (True, "must be a whole number"),
        (False, "must be a whole number"),
        ("10", "must be a whole number"),
        (None, "must be a whole number"),
        (Decimal("10"), "must be a whole number"),
        (0, "must be at least 1"),
        (-5, "must be at least 1"),
        (101, "must be at most 100"),
    ],
)
def test_bad_amounts_name_the_field_and_the_problem(amount, reason):
    with pytest.raises(InvalidXpAward) as caught:
        validate_award(amount, cap=100)
    assert (caught.value.field, caught.value.reason) == ("amount", reason)
    assert str(caught.value) == f"amount: {reason}"


@pytest.mark.parametrize("cap", [0, -1, 1.5, True])
def test_the_cap_itself_must_be_sane(cap):
    with pytest.raises(ValueError):
        validate_award(5, cap)


def test_manual_award_checks_reason_and_source():
    assert validate_manual_award(20, "  great week ", "therapist", cap=100) == (20, "great week", "therapist")
    with pytest.raises(InvalidXpAward, match="reason"):
        validate_manual_award(20, " ", "therapist", cap=100)
    with pytest.raises(InvalidXpAward, match="reason"):
        validate_manual_award(20, "x" * 201, "therapist", cap=100)
    with pytest.raises(InvalidXpAward, match="source"):
        validate_manual_award(20, "ok", "Robert'); DROP", cap=100)
    with pytest.raises(InvalidXpAward, match="amount"):
        validate_manual_award(200, "ok", "admin", cap=100)


def test_ledger_rows_need_a_key_an_integer_and_an_aware_time():
    with pytest.raises(InvalidXpAward, match="idempotency_key"):
        XpAward("", 5, "r", XpSource.ADMIN, AT)
    with pytest.raises(InvalidXpAward, match="amount"):
        XpAward("k", 5.0, "r", XpSource.ADMIN, AT)
    with pytest.raises(InvalidXpAward, match="awarded_at"):
        XpAward("k", 5, "r", XpSource.ADMIN, datetime(2026, 4, 8))
    assert not XpAward("k", -3, "correction", XpSource.ADMIN, AT).counts_toward_day


def test_xp_for_workout():
    assert xp_for_workout(4, xp_per_workout=10, xp_per_exercise=2) == 18
    assert xp_for_workout(0, 10, 2) == 10
    with pytest.raises(ValueError, match="exercises_completed"):
        xp_for_workout(-1, 10, 2)
    with pytest.raises(ValueError, match="xp_per_exercise"):
        xp_for_workout(1, 10, 2.5)


def test_workout_award_is_keyed_by_the_workout_and_dated_at_its_completion():
    award = workout_award("w-1", 3, AT, xp_per_workout=10, xp_per_exercise=2)
    assert award == XpAward("workout:w-1", 16, "completed workout w-1", XpSource.WORKOUT, AT)
    redelivered = workout_award("w-1", 3, AT, xp_per_workout=10, xp_per_exercise=2)
    assert redelivered.idempotency_key == award.idempotency_key
    assert workout_award("w-2", 0, AT, xp_per_workout=0, xp_per_exercise=5) is None


def test_idempotency_keys_are_deterministic_and_distinct():
    assert workout_award_key("w-1") == workout_award_key("w-1") != workout_award_key("w-2")
    day = date(2026, 4, 8)
    assert goal_bonus_key("p-1", day) == "goal-bonus:p-1:2026-04-08"
    assert goal_bonus_key("p-1", day) != goal_bonus_key("p-1", date(2026, 4, 9))
    assert goal_bonus_key("p-1", day) != goal_bonus_key("p-2", day)
    assert manual_award_key("t-1", "abc") != manual_award_key("t-2", "abc")
    with pytest.raises(InvalidXpAward):
        manual_award_key("t-1", "")
    bonus = goal_bonus_award("p-1", day, 5, AT)
    assert (bonus.idempotency_key, bonus.source) == (goal_bonus_key("p-1", day), XpSource.GOAL_BONUS)


@pytest.mark.parametrize(
    ("before", "after", "goal", "paid", "due"),
    [
        (20, 30, 30, False, True),  # reaches the goal exactly
        (25, 60, 30, False, True),  # jumps past it
        (30, 40, 30, False, False),  # was already there: not a crossing
        (10, 20, 30, False, False),  # still below
        (20, 30, 30, True, False),  # bonus already paid
        (0, 50, 0, False, False),  # no goal set
    ],
)
def test_goal_bonus_is_due_only_on_the_first_crossing(before, after, goal, paid, due):
    assert goal_bonus_due(before, after, goal, paid) is due


def test_positive_xp_counts_each_key_once_and_ignores_negatives():
    awards = [
        XpAward("a", 10, "r", XpSource.WORKOUT, AT),
        XpAward("a", 10, "r", XpSource.WORKOUT, AT),
        XpAward("b", -7, "correction", XpSource.ADMIN, AT),
        XpAward("c", 3, "r", XpSource.THERAPIST, AT),
    ]
    assert positive_xp(awards) == 13
