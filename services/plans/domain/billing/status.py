"""RTM billing vocabulary, record states, and reconciling recomputed claims with stored records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple, Protocol


class RtmCode(StrEnum):
    SETUP_AND_EDUCATION = "98975"
    DEVICE_SUPPLY_2_TO_15_DAYS = "98985"
    DEVICE_SUPPLY_16_PLUS_DAYS = "98977"
    MANAGEMENT_10_TO_19_MIN = "98979"
    MANAGEMENT_FIRST_20_MIN = "98980"
    MANAGEMENT_EACH_EXTRA_20_MIN = "98981"


class BillingTrack(StrEnum):
    DATA_DAYS = "data_days"
    MANAGEMENT_TIME = "management_time"


class BillingStatus(StrEnum):
    PROJECTED = "projected"
    READY = "ready"
    BILLED = "billed"


class CodeUnits(NamedTuple):
    code: RtmCode
    units: int


class CountedDay(NamedTuple):
    """One local date that counted toward a claim, with the ids of the records behind it."""

    local_date: date
    record_ids: tuple[str, ...]


BillingKey = tuple[BillingTrack, date]


class Claim(Protocol):
    """What both tracks compute; WindowClaim and MonthClaim satisfy it."""

    @property
    def track(self) -> BillingTrack: ...
    @property
    def period_start(self) -> date: ...
    @property
    def period_end(self) -> date: ...
    @property
    def codes(self) -> tuple[CodeUnits, ...]: ...
    @property
    def status(self) -> BillingStatus: ...
    @property
    def quantity(self) -> int: ...
    @property
    def evidence(self) -> tuple[CountedDay, ...]: ...


class BillingError(ValueError):
    """A billing rule was broken by the caller (bad transition, duplicate period)."""


class InvalidBillingTransition(BillingError):
    def __init__(self, from_status: BillingStatus, to_status: BillingStatus) -> None:
        super().__init__(f"a billing record cannot go from {from_status} to {to_status}")
        self.from_status = from_status
        self.to_status = to_status


class DuplicateBillingPeriod(BillingError):
    def __init__(self, key: BillingKey, where: str) -> None:
        super().__init__(f"{where} holds two records for {key[0]} starting {key[1].isoformat()}")
        self.key = key


@dataclass(frozen=True)
class BillingRecord:
    """A stored claim: one data-days window or one management month of one patient.

    quantity is data days for the data-days track and minutes for the management track;
    evidence is every counted day with the ids of the records behind it.
    """

    track: BillingTrack
    period_start: date
    period_end: date
    codes: tuple[CodeUnits, ...]
    status: BillingStatus
    quantity: int
    evidence: tuple[CountedDay, ...] = ()
    billed_at: datetime | None = None

    @property
    def key(self) -> BillingKey:
        return (self.track, self.period_start)

    def overlaps(self, other: BillingRecord) -> bool:
        return (
            self.track == other.track
            and self.period_start <= other.period_end
            and other.period_start <= self.period_end
        )


def record_from_claim(claim: Claim) -> BillingRecord:
    return BillingRecord(
        track=BillingTrack(claim.track),
        period_start=claim.period_start,
        period_end=claim.period_end,
        codes=tuple(claim.codes),
        status=BillingStatus(claim.status),
        quantity=claim.quantity,
        evidence=tuple(claim.evidence),
    )


# Only these moves exist; recalculation of a non-billed record follows the clock instead.
_ALLOWED_TRANSITIONS = frozenset(
    {
        (BillingStatus.PROJECTED, BillingStatus.READY),
        (BillingStatus.READY, BillingStatus.BILLED),
        (BillingStatus.BILLED, BillingStatus.READY),
    }
)


def can_transition(from_status: BillingStatus, to_status: BillingStatus) -> bool:
    return (from_status, to_status) in _ALLOWED_TRANSITIONS


def mark_ready(record: BillingRecord) -> BillingRecord:
    """The period closed: a projected record becomes ready to bill."""
    if record.status is not BillingStatus.PROJECTED:
        raise InvalidBillingTransition(record.status, BillingStatus.READY)
    return _move(record, BillingStatus.READY, billed_at=None)


def mark_billed(record: BillingRecord, at: datetime) -> BillingRecord:
    """An admin submitted the claim: only a ready (closed) period can be billed."""
    if at.tzinfo is None:
        raise ValueError("billed_at must be timezone-aware")
    return _move(record, BillingStatus.BILLED, billed_at=at)


def reset_to_ready(record: BillingRecord) -> BillingRecord:
    """Undo a billing (claim rejected or sent by mistake); recalculation may then update it."""
    if record.status is not BillingStatus.BILLED:
        raise InvalidBillingTransition(record.status, BillingStatus.READY)
    return _move(record, BillingStatus.READY, billed_at=None)


def _move(record: BillingRecord, to_status: BillingStatus, billed_at: datetime | None) -> BillingRecord:
    if not can_transition(record.status, to_status):
        raise InvalidBillingTransition(record.status, to_status)
    return replace(record, status=to_status, billed_at=billed_at)


class ConflictReason(StrEnum):
    CODES_CHANGED = "codes_changed"  # billed; the recomputed codes differ
    PERIOD_WITHDRAWN = "period_withdrawn"  # billed; recalculation no longer yields this period
    OVERLAPS_BILLED = "overlaps_billed"  # new period overlaps a withdrawn billed one; held back


@dataclass(frozen=True)
class BillingConflict:
    """Something only a person may settle: the billed record stays as it is."""

    reason: ConflictReason
    existing: BillingRecord | None
    computed: BillingRecord | None


@dataclass(frozen=True)
class RecordUpdate:
    before: BillingRecord
    after: BillingRecord


@dataclass(frozen=True)
class ReconcileResult:
    inserts: tuple[BillingRecord, ...]
    updates: tuple[RecordUpdate, ...]
    unchanged: tuple[BillingRecord, ...]
    conflicts: tuple[BillingConflict, ...]
    deletes: tuple[BillingRecord, ...]

    @property
    def has_writes(self) -> bool:
        return bool(self.inserts or self.updates or self.deletes)


def reconcile(
    existing: Iterable[BillingRecord], computed: Iterable[Claim | BillingRecord]
) -> ReconcileResult:
    """Compare one patient's stored records with a fresh computation of the same tracks.

    Records are matched on (track, period_start). A billed record is never rewritten:
    same codes -> unchanged (its counts are a snapshot of what was billed), other codes or
    a vanished period -> conflict. Non-billed records follow the computation (insert,
    update, delete). A new period overlapping a withdrawn billed one is held back, so the
    same days are never claimed twice. Output is sorted by key, so it is deterministic, and
    applying it then reconciling again yields no writes.
    """
    stored = _index(existing, "existing")
    fresh = _index(
        (c if isinstance(c, BillingRecord) else record_from_claim(c) for c in computed), "computed"
    )
    if any(r.status is BillingStatus.BILLED for r in fresh.values()):
        raise BillingError("a computed claim cannot be billed: only an admin bills a stored record")

    inserts: list[BillingRecord] = []
    updates: list[RecordUpdate] = []
    unchanged: list[BillingRecord] = []
    conflicts: list[BillingConflict] = []
    deletes: list[BillingRecord] = []
    withdrawn_billed: list[BillingRecord] = []

    for key in sorted(stored.keys() | fresh.keys()):
        before, after = stored.get(key), fresh.get(key)
        if before is None:
            assert after is not None
            inserts.append(after)
        elif after is None:
            if before.status is BillingStatus.BILLED:
                withdrawn_billed.append(before)
                conflicts.append(BillingConflict(ConflictReason.PERIOD_WITHDRAWN, before, None))
            else:
                deletes.append(before)
        elif before.status is BillingStatus.BILLED:
            if before.codes == after.codes:
                unchanged.append(before)
            else:
                conflicts.append(BillingConflict(ConflictReason.CODES_CHANGED, before, after))
        elif _same_content(before, after):
            unchanged.append(before)
        else:
            updates.append(RecordUpdate(before, replace(after, billed_at=None)))

    held = [i for i in inserts if any(i.overlaps(b) for b in withdrawn_billed)]
    for record in held:
        blocker = next(b for b in withdrawn_billed if record.overlaps(b))
        conflicts.append(BillingConflict(ConflictReason.OVERLAPS_BILLED, blocker, record))
    inserts = [i for i in inserts if i not in held]

    return ReconcileResult(
        inserts=tuple(inserts),
        updates=tuple(updates),
        unchanged=tuple(unchanged),
        conflicts=tuple(sorted(conflicts, key=_conflict_order)),
        deletes=tuple(deletes),
    )


def apply_reconcile(existing: Iterable[BillingRecord], result: ReconcileResult) -> tuple[BillingRecord, ...]:
    """The stored state after the writes of a reconcile result (what the repository ends with)."""
    state = _index(existing, "existing")
    for record in result.deletes:
        state.pop(record.key, None)
    for update in result.updates:
        state[update.after.key] = update.after
    for record in result.inserts:
        state[record.key] = record
    return tuple(state[key] for key in sorted(state))


def _same_content(a: BillingRecord, b: BillingRecord) -> bool:
    return (
        a.period_end == b.period_end
        and a.codes == b.codes
        and a.status == b.status
        and a.quantity == b.quantity
        and a.evidence == b.evidence
    )


def _index(records: Iterable[BillingRecord], where: str) -> dict[BillingKey, BillingRecord]:
    indexed: dict[BillingKey, BillingRecord] = {}
    for record in records:
        if record.key in indexed:
            raise DuplicateBillingPeriod(record.key, where)
        indexed[record.key] = record
    return indexed


def _conflict_order(conflict: BillingConflict) -> tuple[BillingKey, str]:
    anchor = conflict.computed if conflict.reason is ConflictReason.OVERLAPS_BILLED else conflict.existing
    assert anchor is not None
    return (anchor.key, conflict.reason.value)


def codes_summary(codes: Sequence[CodeUnits]) -> str:
    """'98980, 98981×2' — for logs and the dry run of the recalculation command."""
    return ", ".join(code if units == 1 else f"{code}×{units}" for code, units in codes)


class MarkedRecord(Protocol):
    """A stored record with the conflict marker it carries (the repository's StoredRecord)."""

    @property
    def record(self) -> BillingRecord: ...

    @property
    def conflict(self) -> str | None: ...


def conflict_marks(stored: Iterable[MarkedRecord], result: ReconcileResult) -> dict[tuple[str, date], str | None]:
    """The billed records whose conflict marker changes, keyed by (track, period start): set to the
    reason where recalculation now disagrees with what was billed, cleared (None) where it agrees
    again. A marker that is already right is left out, so an unchanged recalculation writes nothing."""
    wanted: dict[tuple[str, date], str | None] = {}
    for conflict in result.conflicts:
        if conflict.existing is not None and conflict.existing.status is BillingStatus.BILLED:
            wanted[(str(conflict.existing.track), conflict.existing.period_start)] = conflict.reason.value
    marks = {}
    for s in stored:
        key = (str(s.record.track), s.record.period_start)
        if s.record.status is BillingStatus.BILLED and wanted.get(key) != s.conflict:
            marks[key] = wanted.get(key)
    return marks
