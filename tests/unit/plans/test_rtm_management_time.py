"""RTM management-time track: minutes per calendar month and the time codes."""

from datetime import date, datetime, timezone

import pytest

from services.plans.domain.billing import (
    BillingRecord,
    BillingStatus,
    BillingTrack,
    InvalidTimeEntry,
    RtmCode,
    TimeEntry,
    compute_management_time_claims,
    month_is_billed,
    time_codes,
)

FIRST_20 = RtmCode.MANAGEMENT_FIRST_20_MIN
EXTRA_20 = RtmCode.MANAGEMENT_EACH_EXTRA_20_MIN
TEN_TO_19 = RtmCode.MANAGEMENT_10_TO_19_MIN


@pytest.mark.parametrize(
    ("minutes", "codes"),
    [
        (9, []),
        (10, [(TEN_TO_19, 1)]),
        (19, [(TEN_TO_19, 1)]),
        (20, [(FIRST_20, 1)]),
        (39, [(FIRST_20, 1)]),
        (40, [(FIRST_20, 1), (EXTRA_20, 1)]),
        (59, [(FIRST_20, 1), (EXTRA_20, 1)]),
        (60, [(FIRST_20, 1), (EXTRA_20, 2)]),
    ],
)
def test_minute_thresholds(minutes, codes):
    entries = [TimeEntry(minutes, "phone call", True, date(2026, 3, 4), "t1")]
    [claim] = compute_management_time_claims(entries, date(2026, 4, 1))
    assert claim.total_minutes == minutes
    assert list(claim.codes) == codes
    assert time_codes(minutes, 1) == tuple(codes)


def test_minutes_add_up_across_entries_of_the_month():
    entries = [
        TimeEntry(15, "plan review", False, date(2026, 3, 2), "a"),
        TimeEntry(5, "video call", True, date(2026, 3, 20), "b"),
        TimeEntry(20, "plan review", False, date(2026, 3, 20), "c"),
    ]
    [claim] = compute_management_time_claims(entries, date(2026, 4, 1))
    assert (claim.total_minutes, claim.interactive_count) == (40, 1)
    assert list(claim.codes) == [(FIRST_20, 1), (EXTRA_20, 1)]
    assert claim.days == ((date(2026, 3, 2), ("a",)), (date(2026, 3, 20), ("b", "c")))


def test_no_interactive_call_means_no_time_code_at_all():
    entries = [TimeEntry(90, "plan review", False, date(2026, 3, 4), "t1")]
    [claim] = compute_management_time_claims(entries, date(2026, 4, 1))
    assert claim.total_minutes == 90 and claim.interactive_count == 0
    assert claim.codes == ()


def test_months_are_calendar_months_and_billed_separately():
    entries = [
        TimeEntry(15, "call", True, date(2026, 1, 31), "jan"),
        TimeEntry(15, "call", True, date(2026, 2, 1), "feb"),
    ]
    claims = compute_management_time_claims(entries, date(2026, 2, 10))
    assert [(c.month, c.total_minutes, c.status) for c in claims] == [
        (date(2026, 1, 1), 15, BillingStatus.READY),
        (date(2026, 2, 1), 15, BillingStatus.PROJECTED),
    ]
    assert claims[1].period_end == date(2026, 2, 28)


def test_month_is_projected_through_its_last_day():
    entries = [TimeEntry(30, "call", True, date(2026, 2, 3), "t")]
    assert compute_management_time_claims(entries, date(2026, 2, 28))[0].status is BillingStatus.PROJECTED
    assert compute_management_time_claims(entries, date(2026, 3, 1))[0].status is BillingStatus.READY


@pytest.mark.parametrize("minutes", [0, -5, 1441, 12.5, True, "20"])
def test_bad_minutes_are_refused(minutes):
    with pytest.raises(InvalidTimeEntry) as caught:
        TimeEntry(minutes, "call", True, date(2026, 2, 3))
    assert caught.value.field == "minutes"


def test_activity_is_required():
    with pytest.raises(InvalidTimeEntry, match="activity"):
        TimeEntry(10, " ", True, date(2026, 2, 3))


def test_time_cannot_be_added_to_a_month_whose_management_time_is_billed() -> None:
    def record(track: BillingTrack, status: BillingStatus, start: date) -> BillingRecord:
        billed_at = datetime(2026, 5, 2, tzinfo=timezone.utc) if status is BillingStatus.BILLED else None
        return BillingRecord(track, start, date(2026, 4, 30), (), status, 25, (), billed_at)

    april = date(2026, 4, 1)
    billed = record(BillingTrack.MANAGEMENT_TIME, BillingStatus.BILLED, april)
    assert month_is_billed([billed], date(2026, 4, 20))
    assert not month_is_billed([billed], date(2026, 5, 3))
    assert not month_is_billed([record(BillingTrack.MANAGEMENT_TIME, BillingStatus.READY, april)], date(2026, 4, 20))
    assert not month_is_billed([record(BillingTrack.DATA_DAYS, BillingStatus.BILLED, april)], date(2026, 4, 20))
