"""App-entrance state machine: log or extend, delayed finalization, and the mirror-workout outcome."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum


class EntranceStatus(StrEnum):
    PENDING = "PENDING"
    CANCELED_BY_REAL_WORKOUT = "CANCELED_BY_REAL_WORKOUT"
    SKIPPED_FEATURE_DISABLED = "SKIPPED_FEATURE_DISABLED"
    SKIPPED_NO_SOURCE_WORKOUT = "SKIPPED_NO_SOURCE_WORKOUT"
    FINALIZED_TO_INFERRED_WORKOUT = "FINALIZED_TO_INFERRED_WORKOUT"

    @property
    def is_terminal(self) -> bool:
        return self is not EntranceStatus.PENDING


def is_terminal(status: EntranceStatus | str) -> bool:
    return EntranceStatus(status).is_terminal


class EntranceError(Exception):
    """A rule of the entrance state machine was broken by the caller."""


class InvalidEntranceTransition(EntranceError):
    def __init__(self, entrance_id: str, from_status: EntranceStatus, to_status: EntranceStatus) -> None:
        super().__init__(f"entrance {entrance_id} cannot go from {from_status} to {to_status}")
        self.entrance_id = entrance_id
        self.from_status = from_status
        self.to_status = to_status


class EntranceMismatch(EntranceError):
    """The stored entrance handed in belongs to another patient or another local day."""


@dataclass(frozen=True)
class Entrance:
    """The one entrance of a patient for one local day."""

    id: str
    tenant_id: str
    patient_id: str
    local_date: date
    timezone: str  # the zone local_date was computed in
    status: EntranceStatus
    first_seen_at: datetime
    last_seen_at: datetime
    finalize_after: datetime  # the truth for when finalization is due; messages only hint
    finalized_at: datetime | None = None  # when it reached its terminal state, whichever
    mirror_workout_id: str | None = None
    source_workout_id: str | None = None
    entries_count: int = 1

    @property
    def is_pending(self) -> bool:
        return self.status is EntranceStatus.PENDING

    def is_due(self, now: datetime) -> bool:
        return now >= self.finalize_after


@dataclass(frozen=True)
class Transition:
    """One status change, for the log line and the audit trail."""

    entrance_id: str
    from_status: EntranceStatus | None  # None when the entrance is created
    to_status: EntranceStatus
    at: datetime
    reason: str

    def log_fields(self) -> dict[str, str | None]:
        return {
            "entrance_id": self.entrance_id,
            "from_status": None if self.from_status is None else self.from_status.value,
            "to_status": self.to_status.value,
            "at": self.at.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class EntranceChange:
    entrance: Entrance
    transition: Transition


def transition(
    entrance: Entrance, to_status: EntranceStatus, at: datetime, reason: str, **changes: object
) -> EntranceChange:
    """Move a PENDING entrance to a terminal state; anything else is an invalid transition."""
    _require_aware(at, "at")
    to_status = EntranceStatus(to_status)
    if not entrance.is_pending or not to_status.is_terminal:
        raise InvalidEntranceTransition(entrance.id, entrance.status, to_status)
    moved = replace(entrance, status=to_status, finalized_at=at, **changes)  # type: ignore[arg-type]
    return EntranceChange(moved, Transition(entrance.id, entrance.status, to_status, at, reason))


# --- logging an entry -------------------------------------------------------------------------


class LogAction(StrEnum):
    CREATED = "created"
    EXTENDED = "extended"
    ALREADY_FINAL = "already_final"


@dataclass(frozen=True)
class FinalizationSchedule:
    """Ask the delay queue to deliver a finalization message for this entrance."""

    entrance_id: str
    message_id: str
    due_at: datetime

    def delay_from(self, now: datetime) -> timedelta:
        return max(timedelta(0), self.due_at - now)


@dataclass(frozen=True)
class LogDecision:
    action: LogAction
    entrance: Entrance  # the state to store (unchanged when already final)
    schedule: FinalizationSchedule | None  # None: no message to publish
    transition: Transition | None  # set when the entrance was created


def log_entry(
    existing: Entrance | None,
    now: datetime,
    window: timedelta,
    *,
    entrance_id: str,
    tenant_id: str,
    patient_id: str,
    local_date: date,
    timezone: str,
) -> LogDecision:
    """Upsert-or-extend the patient's entrance for a local day.

    None -> a new PENDING entrance due at now + window, scheduled with the deterministic
    first message id. PENDING -> finalize_after moves to now + window and a new message is
    scheduled with a fresh id (the old one becomes stale and is dropped on arrival); it
    never moves backwards, so a late request from a lagging clock schedules nothing. A
    terminal entrance is returned untouched: it is never reopened. entrance_id is only
    used when creating (the caller mints it).
    """
    _require_aware(now, "now")
    if window <= timedelta(0):
        raise ValueError("the finalization window must be positive")

    if existing is None:
        created = Entrance(
            id=entrance_id,
            tenant_id=tenant_id,
            patient_id=patient_id,
            local_date=local_date,
            timezone=timezone,
            status=EntranceStatus.PENDING,
            first_seen_at=now,
            last_seen_at=now,
            finalize_after=now + window,
        )
        schedule = FinalizationSchedule(
            created.id, first_schedule_message_id(created.id), created.finalize_after
        )
        born = Transition(created.id, None, EntranceStatus.PENDING, now, "app opened")
        return LogDecision(LogAction.CREATED, created, schedule, born)

    if existing.patient_id != patient_id or existing.local_date != local_date:
        raise EntranceMismatch(
            f"entrance {existing.id} is for patient {existing.patient_id} on "
            f"{existing.local_date.isoformat()}, not patient {patient_id} on {local_date.isoformat()}"
        )
    if existing.status.is_terminal:
        return LogDecision(LogAction.ALREADY_FINAL, existing, None, None)

    finalize_after = max(existing.finalize_after, now + window)
    extended = replace(
        existing,
        last_seen_at=max(existing.last_seen_at, now),
        finalize_after=finalize_after,
        entries_count=existing.entries_count + 1,
    )
    schedule = None
    if finalize_after != existing.finalize_after:
        schedule = FinalizationSchedule(
            extended.id, extension_message_id(extended.id, finalize_after), finalize_after
        )
    return LogDecision(LogAction.EXTENDED, extended, schedule, None)


def first_schedule_message_id(entrance_id: str) -> str:
    """Same id for every first schedule of an entrance, so the broker side deduplicates retries."""
    return f"entrance-finalize:{entrance_id}:first"


def extension_message_id(entrance_id: str, finalize_after: datetime) -> str:
    """A new id per extension: the deadline is part of it (microseconds, in UTC)."""
    _require_aware(finalize_after, "finalize_after")
    stamp = finalize_after.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"entrance-finalize:{entrance_id}:{stamp}"


_REAL_WORKOUT_REASON = "a real workout was completed on the entrance's day"


# --- finalization -----------------------------------------------------------------------------


class FinalizationOutcome(StrEnum):
    DROP_NOT_PENDING = "drop_not_pending"  # already terminal: a duplicate or stale message
    DROP_NOT_DUE = "drop_not_due"  # arrived before finalize_after: an extension superseded it
    SKIP_FEATURE_DISABLED = "skip_feature_disabled"
    CANCEL_REAL_WORKOUT = "cancel_real_workout"
    SKIP_NO_SOURCE_WORKOUT = "skip_no_source_workout"
    CREATE_MIRROR = "create_mirror"

    @property
    def is_drop(self) -> bool:
        return self in (FinalizationOutcome.DROP_NOT_PENDING, FinalizationOutcome.DROP_NOT_DUE)


@dataclass(frozen=True)
class FinalizationDecision:
    outcome: FinalizationOutcome
    entrance: Entrance  # the state to store; unchanged for drops and for CREATE_MIRROR
    transition: Transition | None  # set for the terminal outcomes decided here
    reason: str
    source_workout_id: str | None = None  # set for CREATE_MIRROR

    @property
    def is_drop(self) -> bool:
        return self.outcome.is_drop

    @property
    def needs_mirror(self) -> bool:
        return self.outcome is FinalizationOutcome.CREATE_MIRROR

    @property
    def mirror_local_date(self) -> date:
        """The mirror is dated on the entrance's day, even when finalization runs after midnight."""
        return self.entrance.local_date


def decide_finalization(
    entrance: Entrance,
    now: datetime,
    flag_enabled: bool,
    has_real_workout_on_day: bool,
    source_workout_id: str | None,
) -> FinalizationDecision:
    """What a finalizer holding the entrance row lock does, checked in this order.

    Not PENDING -> drop; before finalize_after -> drop (the row, not the message, says when);
    flag off -> SKIPPED_FEATURE_DISABLED; a real workout that local day ->
    CANCELED_BY_REAL_WORKOUT; no earlier real workout to copy -> SKIPPED_NO_SOURCE_WORKOUT;
    otherwise CREATE_MIRROR: ask plans for the mirror (keyed by the entrance id), then
    mark_finalized with its id.
    """
    _require_aware(now, "now")
    if not entrance.is_pending:
        return FinalizationDecision(
            FinalizationOutcome.DROP_NOT_PENDING, entrance, None, f"entrance is already {entrance.status}"
        )
    if not entrance.is_due(now):
        return FinalizationDecision(
            FinalizationOutcome.DROP_NOT_DUE,
            entrance,
            None,
            f"not due until {entrance.finalize_after.isoformat()}; a later message will come",
        )
    if not flag_enabled:
        return _terminal(entrance, FinalizationOutcome.SKIP_FEATURE_DISABLED, now)
    if has_real_workout_on_day:
        return _terminal(entrance, FinalizationOutcome.CANCEL_REAL_WORKOUT, now)
    if not source_workout_id:
        return _terminal(entrance, FinalizationOutcome.SKIP_NO_SOURCE_WORKOUT, now)
    return FinalizationDecision(
        FinalizationOutcome.CREATE_MIRROR,
        entrance,
        None,
        f"no real workout on {entrance.local_date.isoformat()}; mirror workout {source_workout_id}",
        source_workout_id=source_workout_id,
    )


_TERMINAL_OUTCOMES = {
    FinalizationOutcome.SKIP_FEATURE_DISABLED: (
        EntranceStatus.SKIPPED_FEATURE_DISABLED,
        "app entrance tracking was turned off for the clinic before finalization",
    ),
    FinalizationOutcome.CANCEL_REAL_WORKOUT: (EntranceStatus.CANCELED_BY_REAL_WORKOUT, _REAL_WORKOUT_REASON),
    FinalizationOutcome.SKIP_NO_SOURCE_WORKOUT: (
        EntranceStatus.SKIPPED_NO_SOURCE_WORKOUT,
        "the patient has no completed real workout to mirror",
    ),
}


def _terminal(entrance: Entrance, outcome: FinalizationOutcome, now: datetime) -> FinalizationDecision:
    status, reason = _TERMINAL_OUTCOMES[outcome]
    change = transition(entrance, status, now, reason)
    return FinalizationDecision(outcome, change.entrance, change.transition, reason)


def mark_finalized(
    entrance: Entrance, mirror_workout_id: str, now: datetime, source_workout_id: str | None = None
) -> EntranceChange:
    """Record the mirror workout plans created: PENDING -> FINALIZED_TO_INFERRED_WORKOUT."""
    if not mirror_workout_id:
        raise EntranceError("a finalized entrance needs the id of its mirror workout")
    return transition(
        entrance,
        EntranceStatus.FINALIZED_TO_INFERRED_WORKOUT,
        now,
        f"mirror workout {mirror_workout_id} created",
        mirror_workout_id=mirror_workout_id,
        source_workout_id=source_workout_id or entrance.source_workout_id,
    )


def cancel_for_real_workout(entrance: Entrance, now: datetime) -> EntranceChange:
    """A real workout was completed on the entrance's day: PENDING -> CANCELED_BY_REAL_WORKOUT.

    Raises InvalidEntranceTransition when the entrance is already terminal (a mirror made
    earlier that day stays; the day counts once wherever days are counted).
    """
    return transition(entrance, EntranceStatus.CANCELED_BY_REAL_WORKOUT, now, _REAL_WORKOUT_REASON)


def due_for_sweep(entrance: Entrance, now: datetime, grace: timedelta) -> bool:
    """The repair sweep picks PENDING entrances whose deadline passed more than grace ago."""
    return entrance.is_pending and now - entrance.finalize_after > grace


def _require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
