"""Finalizing an app entrance: drops, every terminal outcome, and invalid transitions."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.entrances.domain.entrance import (
    Entrance,
    EntranceError,
    EntranceStatus,
    FinalizationOutcome,
    InvalidEntranceTransition,
    cancel_for_real_workout,
    decide_finalization,
    due_for_sweep,
    log_entry,
    mark_finalized,
    transition,
)

WINDOW = timedelta(hours=2)
T0 = datetime(2026, 4, 8, 21, 30, tzinfo=UTC)  # 23:30 in Madrid
DUE = T0 + WINDOW  # 01:30 the next local day
LOCAL_DAY = date(2026, 4, 8)
TERMINAL = [s for s in EntranceStatus if s.is_terminal]


@pytest.fixture
def pending() -> Entrance:
    return log_entry(
        None, T0, WINDOW, entrance_id="ent-1", tenant_id="clinic-1", patient_id="patient-1",
        local_date=LOCAL_DAY, timezone="Europe/Madrid",
    ).entrance


def decide(entrance, now=DUE, flag=True, real=False, source="w-source"):
    return decide_finalization(entrance, now, flag, real, source)


def test_due_pending_entrance_with_a_source_asks_for_a_mirror(pending):
    decision = decide(pending)
    assert decision.outcome is FinalizationOutcome.CREATE_MIRROR
    assert decision.needs_mirror and not decision.is_drop
    assert decision.entrance == pending  # nothing is stored until plans made the mirror
    assert decision.transition is None
    assert decision.source_workout_id == "w-source"
    assert decision.mirror_local_date == LOCAL_DAY  # not the day finalization runs on

    change = mark_finalized(decision.entrance, "mirror-7", DUE, decision.source_workout_id)
    assert change.entrance.status is EntranceStatus.FINALIZED_TO_INFERRED_WORKOUT
    assert (change.entrance.mirror_workout_id, change.entrance.source_workout_id) == ("mirror-7", "w-source")
    assert change.entrance.finalized_at == DUE
    assert (change.transition.from_status, change.transition.to_status) == (
        EntranceStatus.PENDING,
        EntranceStatus.FINALIZED_TO_INFERRED_WORKOUT,
    )


@pytest.mark.parametrize("status", TERMINAL)
def test_not_pending_is_dropped_before_anything_else(pending, status):
    final = replace(pending, status=status, finalized_at=T0)
    decision = decide(final, now=T0, flag=False, real=True, source=None)
    assert decision.outcome is FinalizationOutcome.DROP_NOT_PENDING
    assert decision.is_drop and decision.entrance == final and decision.transition is None


def test_a_message_arriving_before_finalize_after_is_dropped(pending):
    extended = log_entry(
        pending, T0 + timedelta(minutes=40), WINDOW, entrance_id="x", tenant_id="clinic-1",
        patient_id="patient-1", local_date=LOCAL_DAY, timezone="Europe/Madrid",
    ).entrance
    stale = decide(extended, now=DUE)  # the first message, superseded by the extension
    assert stale.outcome is FinalizationOutcome.DROP_NOT_DUE
    assert stale.entrance == extended and stale.transition is None
    assert "not due until" in stale.reason
    assert decide(extended, now=extended.finalize_after).outcome is FinalizationOutcome.CREATE_MIRROR


def test_early_message_is_dropped_even_when_the_flag_is_off(pending):
    early = decide(pending, now=DUE - timedelta(microseconds=1), flag=False)
    assert early.outcome is FinalizationOutcome.DROP_NOT_DUE


def test_flag_off_at_finalization_skips_before_checking_workouts(pending):
    decision = decide(pending, flag=False, real=True, source=None)
    assert decision.outcome is FinalizationOutcome.SKIP_FEATURE_DISABLED
    assert decision.entrance.status is EntranceStatus.SKIPPED_FEATURE_DISABLED
    assert decision.entrance.finalized_at == DUE
    assert decision.transition.to_status is EntranceStatus.SKIPPED_FEATURE_DISABLED


def test_real_workout_that_day_cancels_before_looking_for_a_source(pending):
    decision = decide(pending, real=True, source=None)
    assert decision.outcome is FinalizationOutcome.CANCEL_REAL_WORKOUT
    assert decision.entrance.status is EntranceStatus.CANCELED_BY_REAL_WORKOUT
    assert decision.entrance.mirror_workout_id is None


@pytest.mark.parametrize("source", [None, ""])
def test_no_earlier_real_workout_skips(pending, source):
    decision = decide(pending, source=source)
    assert decision.outcome is FinalizationOutcome.SKIP_NO_SOURCE_WORKOUT
    assert decision.entrance.status is EntranceStatus.SKIPPED_NO_SOURCE_WORKOUT
    assert decision.transition.reason == "the patient has no completed real workout to mirror"


def test_cancel_for_real_workout_inside_the_window(pending):
    change = cancel_for_real_workout(pending, T0 + timedelta(minutes=20))
    assert change.entrance.status is EntranceStatus.CANCELED_BY_REAL_WORKOUT
    assert change.entrance.finalized_at == T0 + timedelta(minutes=20)
    # the finalization message that arrives later is dropped
    assert decide(change.entrance).outcome is FinalizationOutcome.DROP_NOT_PENDING


@pytest.mark.parametrize("status", TERMINAL)
def test_terminal_states_are_final(pending, status):
    final = replace(pending, status=status, finalized_at=T0)
    with pytest.raises(InvalidEntranceTransition) as caught:
        cancel_for_real_workout(final, DUE)
    assert caught.value.from_status is status
    with pytest.raises(InvalidEntranceTransition):
        mark_finalized(final, "mirror-1", DUE)
    for target in EntranceStatus:
        with pytest.raises(InvalidEntranceTransition):
            transition(final, target, DUE, "again")


def test_pending_cannot_transition_to_pending(pending):
    with pytest.raises(InvalidEntranceTransition, match="PENDING to PENDING"):
        transition(pending, EntranceStatus.PENDING, DUE, "no")


def test_finalized_needs_a_mirror_workout_id(pending):
    with pytest.raises(EntranceError, match="mirror workout"):
        mark_finalized(pending, "", DUE)


def test_naive_now_is_refused(pending):
    with pytest.raises(ValueError, match="timezone-aware"):
        decide_finalization(pending, datetime(2026, 4, 8, 23), True, False, "w")


def test_sweep_picks_pending_entrances_past_their_grace(pending):
    grace = timedelta(minutes=5)
    assert not due_for_sweep(pending, DUE + grace, grace)
    assert due_for_sweep(pending, DUE + grace + timedelta(seconds=1), grace)
    done = cancel_for_real_workout(pending, T0).entrance
    assert not due_for_sweep(done, DUE + timedelta(days=1), grace)
    # the sweep runs the same decision, which is no longer early
    swept = decide(pending, now=DUE + grace + timedelta(seconds=1))
    assert swept.outcome is FinalizationOutcome.CREATE_MIRROR
