"""RTM progress board: never logged in, needs engagement, on track."""

from datetime import date, timedelta

import pytest

from services.plans.domain.billing import (
    BillingSourceRecord,
    ProgressStatus,
    QualifyingPolicy,
    compute_data_day_claims,
    progress_status,
    window_for,
)

START = date(2026, 1, 5)


def day(n: int) -> date:
    return START + timedelta(days=n - 1)


def window_on(today: date, *data_days: int):
    records = [BillingSourceRecord(day(n), "workout_real", f"w{n}") for n in data_days]
    claims = compute_data_day_claims(START, records, QualifyingPolicy.ACTIVITY_DAYS, today)
    return window_for(claims, today)


def test_never_logged_in_wins():
    board = progress_status(None, has_ever_logged_in=False, today=day(1))
    assert board.status is ProgressStatus.NEVER_LOGGED_IN
    assert (board.days_remaining, board.days_needed) == (30, 16)
    assert (board.window_index, board.window_end) == (None, None)


def test_logged_in_without_any_data_day_has_a_whole_window_ahead():
    board = progress_status(None, has_ever_logged_in=True, today=day(1))
    assert board.status is ProgressStatus.ON_TRACK


def test_today_counts_as_remaining_while_it_is_not_yet_a_data_day():
    # day 15: days 15..30 are 16 days; no data day yet -> exactly reachable
    board = progress_status(window_on(day(15), 1), True, day(15))
    assert (board.days_remaining, board.days_needed) == (16, 15)
    assert (board.window_index, board.window_end) == (0, day(30))
    assert board.status is ProgressStatus.ON_TRACK


def test_today_already_counted_is_not_remaining():
    board = progress_status(window_on(day(15), 1, 15), True, day(15))
    assert (board.days_remaining, board.days_needed) == (15, 14)
    assert board.status is ProgressStatus.ON_TRACK


@pytest.mark.parametrize(
    ("today", "data_days", "status"),
    [
        (16, 1, ProgressStatus.ON_TRACK),  # 1 + 15 remaining = 16
        (17, 1, ProgressStatus.NEEDS_ENGAGEMENT),  # 1 + 14 remaining = 15
        (30, 15, ProgressStatus.ON_TRACK),  # 15 + today = 16
    ],
)
def test_needs_engagement_when_16_is_out_of_reach(today, data_days, status):
    window = window_on(day(today), *range(1, data_days + 1))
    assert progress_status(window, True, day(today)).status is status


def test_already_16_is_on_track_with_nothing_needed():
    window = window_on(day(20), *range(1, 17))
    board = progress_status(window, True, day(20))
    assert (board.status, board.days_needed) == (ProgressStatus.ON_TRACK, 0)
    assert board.days_remaining == 11


def test_closed_window_has_no_days_left():
    window = window_on(day(31), 1, 2)
    closed = window_on(day(30), 1, 2)
    board = progress_status(closed, True, day(31))
    assert (board.days_remaining, board.status) == (0, ProgressStatus.NEEDS_ENGAGEMENT)
    assert window.window_index == 1
