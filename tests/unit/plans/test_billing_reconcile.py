"""Billing record states and the reconciliation of recomputed claims with stored records."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.plans.domain.billing import (
    BillingError,
    BillingRecord,
    BillingSourceRecord,
    BillingStatus,
    BillingTrack,
    ConflictReason,
    DuplicateBillingPeriod,
    InvalidBillingTransition,
    QualifyingPolicy,
    RtmCode,
    SourceKind,
    TimeEntry,
    apply_reconcile,
    can_transition,
    codes_summary,
    compute_data_day_claims,
    compute_management_time_claims,
    mark_billed,
    mark_ready,
    reconcile,
    record_from_claim,
    reset_to_ready,
)

PLAN_START = date(2026, 1, 5)
ACCESS = QualifyingPolicy.ACCESS_DAYS
BILLED_AT = datetime(2026, 2, 10, 12, tzinfo=UTC)
P, R, B = BillingStatus.PROJECTED, BillingStatus.READY, BillingStatus.BILLED


def day(n: int) -> date:
    return PLAN_START + timedelta(days=n - 1)


def real_days(*numbers: int) -> list[BillingSourceRecord]:
    return [BillingSourceRecord(day(n), SourceKind.WORKOUT_REAL, f"w{n}") for n in numbers]


def records_of(claims) -> list[BillingRecord]:
    return [record_from_claim(c) for c in claims]


def stored_for(sources, today: date) -> list[BillingRecord]:
    """What the repository holds after a first recalculation on `today`."""
    claims = compute_data_day_claims(PLAN_START, sources, ACCESS, today)
    return list(apply_reconcile([], reconcile([], claims)))


# --- status transitions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [(P, R, True), (R, B, True), (B, R, True), (P, B, False), (B, P, False), (R, P, False), (R, R, False)],
)
def test_allowed_transitions(from_status, to_status, allowed):
    assert can_transition(from_status, to_status) is allowed


def test_bill_and_reset():
    [ready] = records_of(compute_data_day_claims(PLAN_START, real_days(1, 2), ACCESS, day(31))[:1])
    billed = mark_billed(ready, BILLED_AT)
    assert (billed.status, billed.billed_at) == (B, BILLED_AT)
    reset = reset_to_ready(billed)
    assert (reset.status, reset.billed_at) == (R, None)


def test_a_projected_record_cannot_be_billed():
    [projected] = records_of(compute_data_day_claims(PLAN_START, real_days(1, 2), ACCESS, day(10)))
    with pytest.raises(InvalidBillingTransition, match="projected to billed"):
        mark_billed(projected, BILLED_AT)
    ready = mark_ready(projected)
    assert ready.status is R
    with pytest.raises(InvalidBillingTransition):
        reset_to_ready(projected)
    with pytest.raises(InvalidBillingTransition):
        reset_to_ready(ready)
    with pytest.raises(InvalidBillingTransition):
        mark_ready(ready)


def test_billed_at_must_be_aware():
    [ready] = records_of(compute_data_day_claims(PLAN_START, real_days(1, 2), ACCESS, day(31))[:1])
    with pytest.raises(ValueError, match="timezone-aware"):
        mark_billed(ready, datetime(2026, 2, 10))


# --- reconcile ---------------------------------------------------------------------------------


def test_first_run_inserts_everything_and_second_run_changes_nothing():
    computed = compute_data_day_claims(PLAN_START, real_days(1, 2, 40), ACCESS, day(45))
    first = reconcile([], computed)
    assert [r.period_start for r in first.inserts] == [day(1), day(31)]
    assert not first.updates and not first.conflicts and not first.deletes
    stored = apply_reconcile([], first)
    second = reconcile(stored, computed)
    assert not second.has_writes
    assert second.unchanged == stored
    assert apply_reconcile(stored, second) == stored


def test_window_closing_moves_projected_to_ready():
    records = real_days(1, 2)
    stored = apply_reconcile([], reconcile([], compute_data_day_claims(PLAN_START, records, ACCESS, day(30))))
    assert [r.status for r in stored] == [P]
    later = reconcile(stored, compute_data_day_claims(PLAN_START, records, ACCESS, day(31)))
    assert [(u.before.status, u.after.status) for u in later.updates] == [(P, R)]
    assert [r.status for r in later.inserts] == [P]  # window 1 opened


def test_late_mirror_workout_updates_a_closed_but_not_billed_window():
    fifteen = real_days(*range(1, 16))
    stored = apply_reconcile([], reconcile([], compute_data_day_claims(PLAN_START, fifteen, ACCESS, day(31))))
    mirror = BillingSourceRecord(day(30), SourceKind.WORKOUT_INFERRED, "mirror-30")
    result = reconcile(stored, compute_data_day_claims(PLAN_START, [*fifteen, mirror], ACCESS, day(31)))
    [update] = result.updates
    assert update.before.status is update.after.status is R
    assert codes_summary(update.before.codes) == "98975, 98985"
    assert codes_summary(update.after.codes) == "98975, 98977"
    assert update.after.quantity == 16
    assert update.after.evidence[-1] == (day(30), ("mirror-30",))
    assert not result.conflicts


def test_late_mirror_workout_on_a_billed_window_is_a_conflict_not_an_overwrite():
    fifteen = real_days(*range(1, 16))
    computed = compute_data_day_claims(PLAN_START, fifteen, ACCESS, day(31))
    stored = list(apply_reconcile([], reconcile([], computed)))
    stored[0] = mark_billed(stored[0], BILLED_AT)
    mirror = BillingSourceRecord(day(30), SourceKind.WORKOUT_INFERRED, "mirror-30")
    recomputed = compute_data_day_claims(PLAN_START, [*fifteen, mirror], ACCESS, day(31))

    result = reconcile(stored, recomputed)
    [conflict] = result.conflicts
    assert conflict.reason is ConflictReason.CODES_CHANGED
    assert conflict.existing == stored[0]
    assert conflict.computed.codes == recomputed[0].codes
    assert not result.updates and stored[0] not in [u.before for u in result.updates]

    after = apply_reconcile(stored, result)
    assert after[0] == stored[0]  # still billed, same codes, same billed_at
    again = reconcile(after, recomputed)
    assert not again.has_writes and again.conflicts == result.conflicts


def test_billed_record_with_the_same_codes_is_left_as_billed():
    days = real_days(*range(1, 18))
    stored = stored_for(days, day(31))
    stored[0] = mark_billed(stored[0], BILLED_AT)
    more = [*days, *real_days(20)]  # 18 days: still 98977
    result = reconcile(stored, compute_data_day_claims(PLAN_START, more, ACCESS, day(31)))
    assert result.unchanged[0] == stored[0]
    assert not result.has_writes and not result.conflicts


def test_reset_billed_record_then_follows_the_recalculation():
    fifteen = real_days(*range(1, 16))
    stored = stored_for(fifteen, day(31))
    stored[0] = reset_to_ready(mark_billed(stored[0], BILLED_AT))
    recomputed = compute_data_day_claims(PLAN_START, real_days(*range(1, 17)), ACCESS, day(31))
    [update] = reconcile(stored, recomputed).updates
    assert update.after.codes == recomputed[0].codes


def test_withdrawn_non_billed_window_is_deleted():
    stored = stored_for(real_days(3, 4), day(10))
    # a record dated before the old day 1 arrives late: monitoring now starts on day 1
    shifted = compute_data_day_claims(PLAN_START, real_days(1, 3, 4), ACCESS, day(10))
    result = reconcile(stored, shifted)
    assert [r.period_start for r in result.deletes] == [day(3)]
    assert [r.period_start for r in result.inserts] == [day(1)]


def test_withdrawn_billed_window_is_a_conflict_and_overlapping_new_windows_are_held():
    stored = stored_for(real_days(3, 4), day(40))
    stored[0] = mark_billed(stored[0], BILLED_AT)
    shifted = compute_data_day_claims(PLAN_START, real_days(1, 3, 4), ACCESS, day(40))
    result = reconcile(stored, shifted)
    reasons = sorted((c.reason, (c.computed or c.existing).period_start) for c in result.conflicts)
    assert reasons == sorted(
        [
            (ConflictReason.PERIOD_WITHDRAWN, day(3)),
            (ConflictReason.OVERLAPS_BILLED, day(1)),
            (ConflictReason.OVERLAPS_BILLED, day(31)),  # day 31-60 overlaps the billed day 3-32
        ]
    )
    assert result.inserts == ()
    assert [r.period_start for r in result.deletes] == [day(33)]  # old window 1, not billed
    after = apply_reconcile(stored, result)
    assert after == (stored[0],)
    assert not reconcile(after, shifted).has_writes


def test_both_tracks_reconcile_together_and_keys_do_not_clash():
    windows = compute_data_day_claims(PLAN_START, real_days(1, 2), ACCESS, day(40))
    months = compute_management_time_claims(
        [TimeEntry(25, "call", True, PLAN_START, "t1")], day(40)
    )
    result = reconcile([], [*windows, *months])
    assert [(r.track, r.period_start) for r in result.inserts] == sorted(
        [
            (BillingTrack.DATA_DAYS, day(1)),
            (BillingTrack.DATA_DAYS, day(31)),
            (BillingTrack.MANAGEMENT_TIME, date(2026, 1, 1)),
        ]
    )
    month = next(r for r in result.inserts if r.track is BillingTrack.MANAGEMENT_TIME)
    assert (month.quantity, month.codes) == (25, ((RtmCode.MANAGEMENT_FIRST_20_MIN, 1),))


def test_duplicate_periods_and_billed_computations_are_refused():
    [record] = records_of(compute_data_day_claims(PLAN_START, real_days(1, 2), ACCESS, day(10)))
    with pytest.raises(DuplicateBillingPeriod):
        reconcile([record, record], [])
    with pytest.raises(BillingError, match="cannot be billed"):
        reconcile([], [mark_billed(mark_ready(record), BILLED_AT)])


@settings(database=None, deadline=None)
@given(
    old_days=st.sets(st.integers(min_value=1, max_value=90), max_size=40),
    new_days=st.sets(st.integers(min_value=1, max_value=90), max_size=40),
    bill_mask=st.lists(st.booleans(), max_size=5),
    today=st.integers(min_value=1, max_value=120),
)
def test_reconcile_is_deterministic_and_idempotent(old_days, new_days, bill_mask, today):
    stored = stored_for(real_days(*old_days), day(today) + timedelta(days=30))
    for i, billed in enumerate(bill_mask[: len(stored)]):
        if billed and stored[i].status is R:
            stored[i] = mark_billed(stored[i], BILLED_AT)

    computed = compute_data_day_claims(PLAN_START, real_days(*new_days), ACCESS, day(today))
    result = reconcile(stored, computed)
    assert reconcile(list(reversed(stored)), list(reversed(computed))) == result

    after = apply_reconcile(stored, result)
    for record in stored:
        if record.status is B:
            assert record in after  # billed records are never rewritten or removed
    again = reconcile(after, computed)
    assert not again.has_writes
    assert again.conflicts == result.conflicts
    assert apply_reconcile(after, again) == after
