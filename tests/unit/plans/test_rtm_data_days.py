"""RTM data-days track: windows, counted days, codes and statuses."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.plans.domain.billing import (
    BillingSourceRecord,
    BillingStatus,
    QualifyingPolicy,
    RtmCode,
    SourceKind,
    compute_data_day_claims,
    first_day_of_monitoring,
    window_bounds,
    window_for,
)

ACTIVITY = QualifyingPolicy.ACTIVITY_DAYS
ACCESS = QualifyingPolicy.ACCESS_DAYS
PLAN_START = date(2026, 1, 5)
SETUP = RtmCode.SETUP_AND_EDUCATION
PARTIAL = RtmCode.DEVICE_SUPPLY_2_TO_15_DAYS
FULL = RtmCode.DEVICE_SUPPLY_16_PLUS_DAYS


def day(n: int, start: date = PLAN_START) -> date:
    """Day n of monitoring, 1-based, as the clinic counts it."""
    return start + timedelta(days=n - 1)


def workouts(*days: date, kind: str = "workout_real") -> list[BillingSourceRecord]:
    return [BillingSourceRecord(d, kind, f"{kind}-{d.isoformat()}") for d in days]


def codes_of(claim) -> list[str]:
    return [code for code, _ in claim.codes]


def test_first_day_of_monitoring_is_the_first_qualifying_day_on_or_after_plan_start():
    records = workouts(PLAN_START - timedelta(days=3), day(4), day(9))
    assert first_day_of_monitoring(PLAN_START, records, ACTIVITY) == day(4)
    claims = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(10))
    assert claims[0].start == day(4)
    assert claims[0].end == day(33)
    assert claims[0].data_days == 2  # the day before the plan started does not count


def test_no_qualifying_day_means_no_window():
    assert compute_data_day_claims(PLAN_START, [], ACTIVITY, day(40)) == []
    entrances_only = workouts(day(1), day(2), kind="app_entrance")
    assert compute_data_day_claims(PLAN_START, entrances_only, ACTIVITY, day(40)) == []


def test_day_30_is_the_last_day_of_window_0_and_day_31_opens_window_1():
    records = workouts(day(1), day(30), day(31))
    claims = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(31))
    assert [(c.window_index, c.start, c.end, c.data_days) for c in claims] == [
        (0, day(1), day(30), 2),
        (1, day(31), day(60), 1),
    ]
    assert window_bounds(day(1), 1) == (day(31), day(60))


def test_window_is_projected_through_its_last_day_and_ready_the_day_after():
    records = workouts(day(1), day(2))
    on_day_30 = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(30))
    on_day_31 = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(31))
    assert [c.status for c in on_day_30] == [BillingStatus.PROJECTED]
    assert [c.status for c in on_day_31] == [BillingStatus.READY, BillingStatus.PROJECTED]


def test_one_data_day_bills_nothing_two_bill_setup_and_partial_supply():
    one = compute_data_day_claims(PLAN_START, workouts(day(1)), ACTIVITY, day(31))
    two = compute_data_day_claims(PLAN_START, workouts(day(1), day(2)), ACTIVITY, day(31))
    assert codes_of(one[0]) == []
    assert codes_of(two[0]) == [SETUP, PARTIAL]


def test_15_days_bill_98985_and_16_days_bill_98977_never_both():
    fifteen = compute_data_day_claims(PLAN_START, workouts(*map(day, range(1, 16))), ACTIVITY, day(31))
    sixteen = compute_data_day_claims(PLAN_START, workouts(*map(day, range(1, 17))), ACTIVITY, day(31))
    assert fifteen[0].data_days == 15 and codes_of(fifteen[0]) == [SETUP, PARTIAL]
    assert sixteen[0].data_days == 16 and codes_of(sixteen[0]) == [SETUP, FULL]


def test_setup_is_billed_once_per_episode():
    records = workouts(*(day(n) for n in range(1, 61)))
    claims = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(61))
    assert [codes_of(c) for c in claims] == [[SETUP, FULL], [FULL], []]


def test_setup_rides_on_the_window_of_the_second_data_day():
    records = workouts(day(1), day(65), day(70))
    claims = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(70))
    assert [c.data_days for c in claims] == [1, 0, 2]
    assert [codes_of(c) for c in claims] == [[], [], [SETUP, PARTIAL]]


def test_empty_windows_up_to_today_are_listed():
    claims = compute_data_day_claims(PLAN_START, workouts(day(1), day(2)), ACTIVITY, day(95))
    assert [(c.window_index, c.data_days, c.status) for c in claims] == [
        (0, 2, BillingStatus.READY),
        (1, 0, BillingStatus.READY),
        (2, 0, BillingStatus.READY),
        (3, 0, BillingStatus.PROJECTED),
    ]
    assert window_for(claims, day(95)).window_index == 3


def test_distinct_dates_count_once_and_keep_every_record_id():
    records = [
        BillingSourceRecord(day(1), SourceKind.WORKOUT_REAL, "w-2"),
        BillingSourceRecord(day(1), SourceKind.EXERCISE_SESSION, "s-1"),
        BillingSourceRecord(day(1), SourceKind.WORKOUT_REAL, "w-2"),  # the same record twice
        BillingSourceRecord(day(3), SourceKind.EXERCISE_SESSION, "s-9"),
        BillingSourceRecord(day(3), SourceKind.APP_ENTRANCE, "e-3"),  # not an activity day source
    ]
    [claim] = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(5))
    assert claim.data_days == 2
    assert claim.days == ((day(1), ("s-1", "w-2")), (day(3), ("s-9",)))


@pytest.mark.parametrize("kind", ["app_entrance", "workout_inferred"])
def test_access_days_count_entrances_and_inferred_workouts_activity_days_do_not(kind):
    records = workouts(day(1)) + workouts(day(2), day(3), kind=kind)
    [activity] = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(10))
    [access] = compute_data_day_claims(PLAN_START, records, ACCESS, day(10))
    assert activity.data_days == 1 and codes_of(activity) == []
    assert access.data_days == 3 and codes_of(access) == [SETUP, PARTIAL]
    assert access.days[1] == (day(2), (f"{kind}-{day(2).isoformat()}",))


def test_an_inferred_day_can_start_monitoring_under_access_days_only():
    records = workouts(day(1), kind="workout_inferred") + workouts(day(5))
    assert compute_data_day_claims(PLAN_START, records, ACCESS, day(10))[0].start == day(1)
    assert compute_data_day_claims(PLAN_START, records, ACTIVITY, day(10))[0].start == day(5)


def test_records_after_the_episode_end_do_not_count_and_the_window_closes_with_the_episode():
    records = workouts(day(1), day(2), day(12), day(20))
    claims = compute_data_day_claims(PLAN_START, records, ACTIVITY, day(16), episode_end=day(14))
    assert [c.data_days for c in claims] == [3]
    assert claims[0].status is BillingStatus.READY


def test_unknown_source_kind_is_refused():
    with pytest.raises(ValueError, match="unknown source kind 'login'"):
        BillingSourceRecord(day(1), "login", "x")
    with pytest.raises(ValueError, match="record id"):
        BillingSourceRecord(day(1), "workout_real", "")


def test_late_mirror_workout_adds_a_day_to_a_closed_window():
    fifteen = workouts(*(day(n) for n in range(1, 16)))
    before = compute_data_day_claims(PLAN_START, fifteen, ACCESS, day(31))
    late_mirror = BillingSourceRecord(day(30), SourceKind.WORKOUT_INFERRED, "mirror-30")
    after = compute_data_day_claims(PLAN_START, [*fifteen, late_mirror], ACCESS, day(31))
    assert before[0].status is after[0].status is BillingStatus.READY
    assert (before[0].data_days, codes_of(before[0])) == (15, [SETUP, PARTIAL])
    assert (after[0].data_days, codes_of(after[0])) == (16, [SETUP, FULL])
    assert after[0].days[-1] == (day(30), ("mirror-30",))


@settings(database=None, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=-10, max_value=200), max_size=60),
    today_offset=st.integers(min_value=0, max_value=220),
    access=st.booleans(),
    kinds=st.lists(st.sampled_from(list(SourceKind)), min_size=1, max_size=4),
)
def test_windows_partition_the_counted_days_and_codes_follow_the_counts(offsets, today_offset, access, kinds):
    records = [
        BillingSourceRecord(PLAN_START + timedelta(days=o), kinds[i % len(kinds)], f"r{i}")
        for i, o in enumerate(offsets)
    ]
    policy = ACCESS if access else ACTIVITY
    today = PLAN_START + timedelta(days=today_offset)
    claims = compute_data_day_claims(PLAN_START, records, policy, today)
    expected_days = {
        r.local_date for r in records if r.local_date >= PLAN_START and policy.qualifies(r.kind)
    }
    assert sum(c.data_days for c in claims) == len(expected_days)
    assert [c.window_index for c in claims] == list(range(len(claims)))
    for previous, current in zip(claims, claims[1:]):
        assert current.start == previous.end + timedelta(days=1)
    for claim in claims:
        assert (claim.end - claim.start).days == 29
        assert all(claim.contains(d) for d, _ in claim.days)
        codes = codes_of(claim)
        assert not (PARTIAL in codes and FULL in codes)
        assert (FULL in codes) == (claim.data_days >= 16)
        assert (PARTIAL in codes) == (2 <= claim.data_days <= 15)
        assert claim.status is (BillingStatus.PROJECTED if claim.end >= today else BillingStatus.READY)
    assert sum(codes_of(c).count(SETUP) for c in claims) == (1 if len(expected_days) >= 2 else 0)
    assert compute_data_day_claims(PLAN_START, list(reversed(records)), policy, today) == claims
