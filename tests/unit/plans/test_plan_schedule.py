"""How a treatment plan's sessions fall on the patient's calendar."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, strategies as st

from services.plans.domain.adherence import plan_last_day, plan_week_of
from services.plans.domain.schedule import MAX_FREQUENCY_PER_WEEK, session_dates

MONDAY = date(2026, 3, 2)


def test_three_a_week_fall_on_days_0_2_and_4_of_each_plan_week() -> None:
    days = [s.scheduled_date for s in session_dates(MONDAY, 2, 3)]
    assert days == [MONDAY + timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]


def test_sessions_are_numbered_in_date_order_from_one() -> None:
    sessions = session_dates(MONDAY, 3, 2)
    assert [s.session_number for s in sessions] == [1, 2, 3, 4, 5, 6]
    assert [s.scheduled_date for s in sessions] == sorted(s.scheduled_date for s in sessions)


def test_daily_plans_fill_every_day_and_more_than_seven_doubles_some_days() -> None:
    assert [s.scheduled_date for s in session_dates(MONDAY, 1, 7)] == [MONDAY + timedelta(days=d) for d in range(7)]
    fourteen = [s.scheduled_date for s in session_dates(MONDAY, 1, 14)]
    assert all(fourteen.count(MONDAY + timedelta(days=d)) == 2 for d in range(7))


def test_a_week_starts_on_the_plans_start_whatever_weekday_it_is() -> None:
    thursday = date(2026, 3, 5)
    assert [s.scheduled_date for s in session_dates(thursday, 2, 1)] == [thursday, thursday + timedelta(days=7)]


def test_the_plan_week_of_a_day_runs_from_the_plans_weekday() -> None:
    thursday = date(2026, 3, 5)
    assert plan_week_of(thursday, 2, date(2026, 3, 12)) == (1, date(2026, 3, 12), date(2026, 3, 18))
    assert plan_week_of(thursday, 2, date(2026, 3, 11)) == (0, thursday, date(2026, 3, 11))
    assert plan_week_of(thursday, 2, date(2026, 3, 4)) is None  # before the plan
    assert plan_week_of(thursday, 2, date(2026, 3, 19)) is None  # after its last day


def test_the_plan_ends_on_the_last_day_of_its_last_week() -> None:
    assert plan_last_day(MONDAY, 1) == date(2026, 3, 8)
    assert plan_last_day(MONDAY, 8) == MONDAY + timedelta(weeks=8) - timedelta(days=1)


@given(st.integers(1, 104), st.integers(1, MAX_FREQUENCY_PER_WEEK), st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_every_session_lies_in_its_plan_week_and_each_week_holds_its_frequency(weeks: int, frequency: int, start: date) -> None:
    sessions = session_dates(start, weeks, frequency)
    assert len(sessions) == weeks * frequency
    for s in sessions:
        week = (s.session_number - 1) // frequency
        assert start + timedelta(days=7 * week) <= s.scheduled_date <= start + timedelta(days=7 * week + 6)
    assert sessions[-1].scheduled_date <= plan_last_day(start, weeks)
