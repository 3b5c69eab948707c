"""Adherence (expected sessions, weekly adherence) and pain evolution."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.plans.domain.adherence import (
    InvalidPlanSchedule,
    PainTrend,
    adherence_ratio,
    expected_sessions,
    pain_evolution,
    pain_trend,
    percent_change,
    weekly_adherence,
)

START = date(2026, 3, 2)  # a Monday; plan weeks do not care


def day(n: int) -> date:
    return START + timedelta(days=n - 1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (START - timedelta(days=1), 0),  # not started
        (day(1), 0),  # today is still in play
        (day(3), 0),  # 2 days passed: 3 x 2 / 7 = 0.86
        (day(4), 1),  # 3 days passed: 3 x 3 / 7 = 1.29
        (day(7), 2),  # 6 days passed: 2.57
        (day(8), 3),  # week 1 over: the full 3
        (day(11), 4),  # 3 + floor(3 x 3 / 7)
        (day(28), 11),  # 27 days passed
        (day(29), 12),  # plan over: 4 weeks x 3
        (day(200), 12),  # capped at the plan total
    ],
)
def test_expected_sessions_prorate_the_current_week_over_days_passed(today, expected):
    assert expected_sessions(START, 3, 4, today) == expected


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_schedule_must_be_whole_positive_numbers(bad):
    with pytest.raises(InvalidPlanSchedule) as caught:
        expected_sessions(START, bad, 4, day(5))
    assert caught.value.field == "frequency_per_week"
    with pytest.raises(InvalidPlanSchedule):
        expected_sessions(START, 3, bad, day(5))


def test_weekly_adherence_per_plan_week():
    completed = [day(1), day(3), day(5), day(9), day(10), day(15)]  # 3, 2, then 1 in week 3
    weeks = weekly_adherence(START, 3, 4, completed, day(18))
    assert [(w.week_number, w.completed, w.expected) for w in weeks] == [(1, 3, 3), (2, 2, 3), (3, 1, 1)]
    assert [w.ratio for w in weeks] == [1.0, pytest.approx(2 / 3), 1.0]
    assert (weeks[1].start, weeks[1].end) == (day(8), day(14))


def test_weekly_adherence_ignores_sessions_outside_the_plan_and_stops_at_its_end():
    completed = [START - timedelta(days=1), day(2), day(30)]
    weeks = weekly_adherence(START, 2, 2, completed, day(40))
    assert [(w.completed, w.expected) for w in weeks] == [(1, 2), (0, 2)]
    assert weekly_adherence(START, 2, 2, completed, START - timedelta(days=1)) == []


def test_first_day_of_a_week_expects_nothing_yet():
    [week] = weekly_adherence(START, 3, 4, [day(1)], day(1))
    assert (week.completed, week.expected, week.ratio) == (1, 0, None)


def test_adherence_ratio_is_capped_and_undefined_without_expectation():
    assert adherence_ratio(6, 7) == pytest.approx(6 / 7)
    assert adherence_ratio(5, 3) == 1.0
    assert adherence_ratio(0, 0) is None


@settings(database=None, deadline=None)
@given(
    frequency=st.integers(min_value=1, max_value=14),
    weeks=st.integers(min_value=1, max_value=12),
    offset=st.integers(min_value=-5, max_value=120),
)
def test_weekly_expectations_add_up_to_the_plan_figure(frequency, weeks, offset):
    today = START + timedelta(days=offset)
    total = expected_sessions(START, frequency, weeks, today)
    by_week = weekly_adherence(START, frequency, weeks, [], today)
    assert sum(w.expected for w in by_week) == total
    assert 0 <= total <= frequency * weeks
    assert expected_sessions(START, frequency, weeks, today + timedelta(days=1)) >= total


@pytest.mark.parametrize(
    ("after", "trend"),
    [
        ([5, 4, 4, 3, 3, 3], PainTrend.IMPROVING),
        ([3, 3, 3, 3], PainTrend.PLATEAU),
        ([3, 4, 3, 4, 3, 4], PainTrend.PLATEAU),  # slope 0.086: noise
        ([2, 3, 4], PainTrend.DECLINING),
        ([5, 5, 5, 5, 5, 5, 5, 5, 5, 6], PainTrend.PLATEAU),  # slope 0.055
        ([5, 5, 5, 5, 5, 5, 5, 5, 6, 6], PainTrend.PLATEAU),  # slope 0.097
        ([5, 5, 5, 5, 5, 5, 5, 6, 6, 6], PainTrend.DECLINING),  # slope 0.127
    ],
)
def test_pain_trend_from_least_squares_slope_of_pain_after(after, trend):
    series = [(n, 7, pain) for n, pain in enumerate(after, start=1)]
    assert pain_trend(series) is trend


def test_pain_trend_needs_three_reported_points():
    assert pain_trend([(1, 8, 8), (2, 6, 2)]) is PainTrend.INSUFFICIENT_DATA
    assert pain_trend([(1, 8, 8), (2, 6, None), (3, 5, 2)]) is PainTrend.INSUFFICIENT_DATA
    assert pain_trend([(1, 8, 8), (2, 6, None), (3, 5, 4), (4, 5, 2)]) is PainTrend.IMPROVING
    assert pain_trend([(2, 8, 8), (2, 6, 6), (2, 5, 2)]) is PainTrend.INSUFFICIENT_DATA  # one session number
    assert pain_trend([]) == "insufficient_data"


def test_one_session_has_no_pain_change():
    one = pain_evolution([(1, 6, 4)])
    assert (one.before, one.after) == ((6.0,), (4.0,))
    assert (one.before_change_percent, one.after_change_percent, one.trend) == (None, None, PainTrend.INSUFFICIENT_DATA)
    two = pain_evolution([(1, 6, 4), (2, 3, 4)])
    assert (two.before_change_percent, two.after_change_percent) == (-50.0, 0.0)


def test_percent_change():
    assert percent_change(7, 4) == pytest.approx(-42.857, abs=1e-3)
    assert percent_change(5, 3) == pytest.approx(-40.0)
    assert percent_change(2, 3) == pytest.approx(50.0)
    assert percent_change(4, 4) == 0.0
    assert percent_change(0, 3) is None
    assert percent_change(None, 3) is None


def test_pain_evolution_like_the_specialist_dashboard():
    series = [(6, 4, 3), (1, 7, 5), (2, 6, 4), (3, 6, 4), (4, 5, 3), (5, 5, 3)]
    evolution = pain_evolution(series)
    assert evolution.before == (7, 6, 6, 5, 5, 4)
    assert evolution.after == (5, 4, 4, 3, 3, 3)
    assert round(evolution.before_change_percent) == -43
    assert round(evolution.after_change_percent) == -40
    assert evolution.trend is PainTrend.IMPROVING
    empty = pain_evolution([])
    assert (empty.before_change_percent, empty.trend) == (None, PainTrend.INSUFFICIENT_DATA)
