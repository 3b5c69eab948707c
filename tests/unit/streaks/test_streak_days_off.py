"""days_off: days without a workout between two days of the week, counted in Monday order."""

import pytest

from services.streaks.domain import days_off

SUN, MON, TUE, WED, THU, FRI, SAT = 0, 1, 2, 3, 4, 5, 6


@pytest.mark.parametrize(
    "since, through, days, expected",
    [
        (MON, SUN, [], 7),  # a whole empty week
        (MON, SUN, [MON, TUE, WED, THU, FRI, SAT, SUN], 0),
        (MON, THU, [MON], 3),  # Tue, Wed, Thu
        (WED, SUN, [WED, SAT], 3),  # Thu, Fri, Sun
        (SUN, SUN, [], 1),  # Sunday is the last day of the week, not the first
        (SAT, SUN, [SUN], 1),
        (MON, MON, [MON], 0),
        (TUE, MON, [], 0),  # through comes before since in Monday order
        (SUN, MON, [], 0),  # Sunday comes after Monday
        (None, SUN, [], 0),  # no active streak
        (MON, None, [], 0),  # no yesterday this week (it is Monday)
        (THU, SAT, [MON, TUE], 3),  # workout days outside the range do not count
        (MON, WED, [TUE, TUE, TUE], 2),  # duplicates are one day
    ],
)
def test_days_off(since, through, days, expected):
    assert days_off(since, through, days) == expected


def test_days_off_accepts_any_iterable():
    assert days_off(MON, SUN, frozenset({MON, SUN})) == 5
    assert days_off(MON, SUN, (day for day in [MON])) == 6
