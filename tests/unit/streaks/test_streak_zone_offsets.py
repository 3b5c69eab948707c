"""The numpy local-day lookup gives exactly the day astimezone() gives, DST changes included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from services.streaks.domain.zone_offsets import offsets_of

UTC = timezone.utc


@pytest.mark.parametrize(
    "zone_name",
    [
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "America/St_Johns",
        "UTC",
        "Pacific/Kiritimati",
        "America/Santiago",  # DST changes at midnight
        "Pacific/Apia",  # dropped DST in 2021
    ],
)
def test_local_days_match_astimezone_every_quarter_hour(zone_name):
    start = datetime(2020, 12, 25, tzinfo=UTC)
    # Every 15 minutes for two years, plus each instant one second and one microsecond earlier.
    base = [start + timedelta(minutes=15 * step) for step in range(2 * 366 * 96)]
    instants = base + [moment - timedelta(seconds=1) for moment in base[::7]]
    instants += [moment - timedelta(microseconds=1) for moment in base[::11]]
    zone = ZoneInfo(zone_name)
    expected = np.array([moment.astimezone(zone).toordinal() for moment in instants])
    seconds = np.array([moment.timestamp() for moment in instants])
    assert np.array_equal(offsets_of(zone_name).local_ordinals(seconds), expected)


def test_tables_grow_to_cover_new_years():
    offsets = offsets_of("Europe/Berlin")
    late = datetime(2041, 7, 1, 12, tzinfo=UTC)
    early = datetime(1995, 3, 26, 0, 59, 59, tzinfo=UTC)  # one second before CEST started
    zone = ZoneInfo("Europe/Berlin")
    for moment in (late, early, late):
        day = offsets.local_ordinals(np.array([moment.timestamp()]))[0]
        assert day == moment.astimezone(zone).toordinal()
