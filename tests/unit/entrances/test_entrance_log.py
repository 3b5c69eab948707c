"""Logging an app entrance: create, extend, never reopen; finalization message ids."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.entrances.domain.entrance import (
    Entrance,
    EntranceMismatch,
    EntranceStatus,
    LogAction,
    cancel_for_real_workout,
    extension_message_id,
    first_schedule_message_id,
    is_terminal,
    log_entry,
    mark_finalized,
)

WINDOW = timedelta(hours=2)
T0 = datetime(2026, 4, 8, 14, 0, tzinfo=UTC)
LOCAL_DAY = date(2026, 4, 8)


def log(existing, at, *, local_date=LOCAL_DAY, patient_id="patient-1"):
    return log_entry(
        existing,
        at,
        WINDOW,
        entrance_id="ent-new",
        tenant_id="clinic-1",
        patient_id=patient_id,
        local_date=local_date,
        timezone="Europe/Madrid",
    )


@pytest.fixture
def new_entrance():
    def build(at: datetime = T0) -> Entrance:
        return log_entry(
            None, at, WINDOW, entrance_id="ent-1", tenant_id="clinic-1", patient_id="patient-1",
            local_date=LOCAL_DAY, timezone="Europe/Madrid",
        ).entrance

    return build


def test_statuses_and_terminality():
    assert [s.value for s in EntranceStatus] == [
        "PENDING",
        "CANCELED_BY_REAL_WORKOUT",
        "SKIPPED_FEATURE_DISABLED",
        "SKIPPED_NO_SOURCE_WORKOUT",
        "FINALIZED_TO_INFERRED_WORKOUT",
    ]
    assert not is_terminal(EntranceStatus.PENDING)
    assert all(is_terminal(s) for s in EntranceStatus if s is not EntranceStatus.PENDING)
    assert is_terminal("SKIPPED_FEATURE_DISABLED")


def test_first_entry_creates_a_pending_entrance_due_after_the_window():
    decision = log(None, T0)
    entrance = decision.entrance
    assert decision.action is LogAction.CREATED
    assert (entrance.id, entrance.status, entrance.entries_count) == ("ent-new", EntranceStatus.PENDING, 1)
    assert entrance.first_seen_at == entrance.last_seen_at == T0
    assert entrance.finalize_after == T0 + WINDOW
    assert (entrance.local_date, entrance.timezone) == (LOCAL_DAY, "Europe/Madrid")
    assert decision.schedule.message_id == first_schedule_message_id("ent-new")
    assert decision.schedule.due_at == T0 + WINDOW
    assert decision.schedule.delay_from(T0) == WINDOW
    assert decision.transition.from_status is None
    assert decision.transition.to_status is EntranceStatus.PENDING


def test_reentry_while_pending_extends_the_window_and_schedules_a_new_message(new_entrance):
    entrance = new_entrance()
    later = T0 + timedelta(minutes=45)
    decision = log(entrance, later)
    assert decision.action is LogAction.EXTENDED
    assert decision.entrance.id == entrance.id  # the caller's fresh id is not used
    assert decision.entrance.finalize_after == later + WINDOW
    assert decision.entrance.first_seen_at == T0 and decision.entrance.last_seen_at == later
    assert decision.entrance.entries_count == 2
    assert decision.schedule.message_id == extension_message_id(entrance.id, later + WINDOW)
    assert decision.schedule.message_id != first_schedule_message_id(entrance.id)
    assert decision.schedule.due_at == later + WINDOW
    assert decision.transition is None


def test_each_extension_gets_its_own_message_id(new_entrance):
    first = log(new_entrance(), T0 + timedelta(minutes=10))
    second = log(first.entrance, T0 + timedelta(minutes=20))
    assert first.schedule.message_id != second.schedule.message_id
    assert second.entrance.entries_count == 3


def test_a_request_from_a_lagging_clock_never_moves_the_deadline_back(new_entrance):
    extended = log(new_entrance(), T0 + timedelta(minutes=30)).entrance
    lagging = log(extended, T0 + timedelta(minutes=5))
    assert lagging.entrance.finalize_after == extended.finalize_after
    assert lagging.entrance.last_seen_at == extended.last_seen_at
    assert lagging.entrance.entries_count == 3
    assert lagging.schedule is None  # the message already queued is still the right one


@pytest.mark.parametrize("finish", ["cancel", "finalize"])
def test_a_terminal_entrance_is_never_reopened(new_entrance, finish):
    due = T0 + WINDOW
    entrance = new_entrance()
    if finish == "cancel":
        final = cancel_for_real_workout(entrance, T0 + timedelta(minutes=5)).entrance
    else:
        final = mark_finalized(entrance, "mirror-1", due, source_workout_id="w-9").entrance
    decision = log(final, due + timedelta(minutes=1))
    assert decision.action is LogAction.ALREADY_FINAL
    assert decision.entrance == final
    assert decision.schedule is None and decision.transition is None


def test_an_entrance_of_another_day_or_patient_is_refused(new_entrance):
    with pytest.raises(EntranceMismatch):
        log(new_entrance(), T0, local_date=date(2026, 4, 9))
    with pytest.raises(EntranceMismatch):
        log(new_entrance(), T0, patient_id="patient-2")


def test_naive_times_and_empty_windows_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        log(None, datetime(2026, 4, 8, 14))
    with pytest.raises(ValueError, match="positive"):
        log_entry(
            None, T0, timedelta(0), entrance_id="e", tenant_id="t", patient_id="p",
            local_date=LOCAL_DAY, timezone="UTC",
        )


def test_message_ids_are_deterministic():
    assert first_schedule_message_id("ent-1") == first_schedule_message_id("ent-1")
    assert first_schedule_message_id("ent-1") != first_schedule_message_id("ent-2")
    due = T0 + WINDOW
    same_instant_elsewhere = due.astimezone(timezone(timedelta(hours=2)))
    assert extension_message_id("ent-1", due) == extension_message_id("ent-1", same_instant_elsewhere)
    later = due + timedelta(microseconds=1)
    assert extension_message_id("ent-1", due) != extension_message_id("ent-1", later)
    assert extension_message_id("ent-1", due).startswith("entrance-finalize:ent-1:")
    with pytest.raises(ValueError):
        extension_message_id("ent-1", datetime(2026, 4, 8, 16))


def test_transition_log_fields(new_entrance):
    change = cancel_for_real_workout(new_entrance(), T0 + timedelta(minutes=3))
    assert change.transition.log_fields() == {
        "entrance_id": "ent-1",
        "from_status": "PENDING",
        "to_status": "CANCELED_BY_REAL_WORKOUT",
        "at": (T0 + timedelta(minutes=3)).isoformat(),
        "reason": "a real workout was completed on the entrance's day",
    }
    assert T0.tzinfo is UTC
