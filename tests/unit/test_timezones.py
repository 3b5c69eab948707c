"""Zones and local days: invalid names, odd offsets, DST days, midnight gaps, year boundaries."""

from datetime import date, datetime, timezone

import pytest

from services.common.timezones import UnknownTimezone, day_bounds_utc, local_date, resolve_zone_name, zone


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../etc/passwd", "/etc/localtime", " UTC", "Europe/Madrid\x00", "x" * 100])
def test_invalid_names_are_rejected(name):
    with pytest.raises(UnknownTimezone):
        zone(name)


def test_resolution_falls_back_to_clinic_then_utc():
    assert resolve_zone_name("Asia/Kathmandu", "Europe/Madrid") == "Asia/Kathmandu"
    assert resolve_zone_name("Nowhere/City", "Europe/Madrid") == "Europe/Madrid"
    assert resolve_zone_name(None, "bogus") == "UTC"


@pytest.mark.parametrize(
    "instant, zone_name, expected",
    [
        (datetime(2026, 3, 3, 3, 0, tzinfo=timezone.utc), "America/New_York", date(2026, 3, 2)),  # 10 PM EST
        (datetime(2026, 1, 1, 18, 20, tzinfo=timezone.utc), "Asia/Kathmandu", date(2026, 1, 2)),  # +05:45
        (datetime(2026, 12, 31, 18, 29, tzinfo=timezone.utc), "Asia/Kolkata", date(2026, 12, 31)),  # +05:30
        (datetime(2026, 12, 31, 18, 30, tzinfo=timezone.utc), "Asia/Kolkata", date(2027, 1, 1)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc), "America/St_Johns", date(2026, 12, 31)),  # -03:30
    ],
)
def test_local_date_with_odd_offsets_and_year_boundaries(instant, zone_name, expected):
    assert local_date(instant, zone_name) == expected


def test_local_date_needs_an_aware_instant():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 1, 1), "UTC")


@pytest.mark.parametrize(
    "day, zone_name, hours",
    [
        (date(2026, 3, 8), "America/New_York", 23),
        (date(2026, 11, 1), "America/New_York", 25),
        (date(2026, 3, 29), "Europe/London", 23),
        (date(2026, 10, 25), "Europe/London", 25),
        (date(2026, 4, 5), "Australia/Lord_Howe", 24.5),  # half-hour DST shift
        (date(2026, 6, 1), "Asia/Kolkata", 24),
    ],
)
def test_day_bounds_on_dst_days(day, zone_name, hours):
    bounds = day_bounds_utc(day, zone_name)
    assert bounds.hours == hours
    assert local_date(bounds.start_utc, zone_name) == day
    assert local_date(bounds.end_utc, zone_name) == date.fromordinal(day.toordinal() + 1)


def test_day_starting_in_a_midnight_dst_gap():
    # Chile springs forward at 24:00 on Saturday: Sunday starts at 01:00 local.
    bounds = day_bounds_utc(date(2026, 9, 6), "America/Santiago")
    assert bounds.hours == 23
    assert bounds.start_utc.astimezone(zone("America/Santiago")).hour == 1
