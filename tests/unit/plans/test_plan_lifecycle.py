"""A treatment plan's lifecycle and the bounds of what it prescribes."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidInput, RuleViolation
from services.plans.domain.plan import (
    check_dose,
    check_exercise_count,
    check_plan_length,
    next_status,
    plan_title,
    require_prescription_editable,
)


def field_of(call, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as raised:
        call(*args)
    return raised.value.field


@pytest.mark.parametrize(("current", "requested"), [
    ("active", "completed"), ("active", "expired"), ("active", "cancelled"),
    ("expired", "active"), ("expired", "completed"), ("expired", "cancelled"),
])
def test_a_running_or_expired_plan_may_move_on(current: str, requested: str) -> None:
    assert next_status(current, requested) == requested


@pytest.mark.parametrize(("current", "requested"), [
    ("completed", "active"), ("completed", "expired"), ("cancelled", "active"), ("cancelled", "completed"),
])
def test_a_completed_or_cancelled_plan_is_final(current: str, requested: str) -> None:
    with pytest.raises(RuleViolation, match=f"a {current} plan cannot become {requested}"):
        next_status(current, requested)


def test_asking_for_no_change_or_the_same_status_keeps_it() -> None:
    assert next_status("cancelled", None) == "cancelled"
    assert next_status("completed", "completed") == "completed"


def test_an_unknown_status_names_the_field() -> None:
    assert field_of(next_status, "active", "paused") == "status"


def test_only_a_running_plans_exercises_change() -> None:
    require_prescription_editable("active")
    for status in ("completed", "expired", "cancelled"):
        with pytest.raises(RuleViolation, match=status):
            require_prescription_editable(status)


def test_a_title_is_trimmed_and_bounded() -> None:
    assert plan_title("  Knee rehabilitation ") == "Knee rehabilitation"
    assert field_of(plan_title, "   ") == "title"
    assert field_of(plan_title, "x" * 201) == "title"


def test_a_plan_lasts_1_to_104_weeks_at_1_to_14_sessions_a_week() -> None:
    check_plan_length(1, 1)
    check_plan_length(104, 14)
    assert field_of(check_plan_length, 0, 3) == "durationWeeks"
    assert field_of(check_plan_length, 105, 3) == "durationWeeks"
    assert field_of(check_plan_length, 8, 0) == "frequencyPerWeek"
    assert field_of(check_plan_length, 8, 15) == "frequencyPerWeek"


def test_a_plan_prescribes_1_to_50_exercises_each_with_a_sane_dose() -> None:
    check_exercise_count(50)
    assert field_of(check_exercise_count, 0) == "exercises"
    assert field_of(check_exercise_count, 51) == "exercises"
    check_dose("exercises[0]", 50, 500)
    assert field_of(check_dose, "exercises[2]", 0, 10) == "exercises[2].sets"
    assert field_of(check_dose, "exercises[2]", 3, 501) == "exercises[2].reps"


def test_a_hold_is_optional_and_at_most_ten_minutes_per_rep() -> None:
    check_dose("exercises[0]", 2, 1, None)
    check_dose("exercises[0]", 2, 1, 600)
    assert field_of(check_dose, "exercises[1]", 2, 1, 0) == "exercises[1].holdSeconds"
    assert field_of(check_dose, "exercises[1]", 2, 1, 601) == "exercises[1].holdSeconds"
