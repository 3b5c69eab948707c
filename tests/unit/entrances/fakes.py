"""In-memory stand-ins for what the entrance use cases talk to: plans, the delay queue, the database's
units of work and the entrance rows. No Postgres, RabbitMQ or network; what a test looks at is a field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone as _tz
from typing import Any

from google.protobuf.message import Message

from services.common.audit import AuditEntry
from services.common.errors import RuleViolation
from services.common.timezones import local_date
from services.entrances.activity_repository import AppOpen
from services.entrances.domain.entrance import Entrance, EntranceStatus, FinalizationSchedule, Transition
from services.entrances.plans_client import EntranceFinalization, MadeMirror, PatientContext
from services.entrances.repository import DayOpening, StoredEntrance


@dataclass(frozen=True)
class MirrorRequest:
    entrance_id: str
    source_workout_id: str
    local_date: date
    timezone: str


class FakePlansClient:
    """plans as one patient's clinic sees it: a zone, the tracking flag, the days with a real workout,
    the latest real workout. Mirrors are idempotent on the entrance id, as in plans."""

    def __init__(
        self, timezone: str = "Europe/Madrid", tracking: bool = True, latest_real_workout: str | None = None
    ) -> None:
        self.timezone = timezone
        self.tracking = tracking
        self.real_workout_days: set[date] = set()
        self.latest_real_workout_id = latest_real_workout
        self.mirror_failure: Exception | None = None
        self.refused: set[str] = set()  # entrances plans refuses (a rule broken): the whole call fails
        self.mirror_requests: list[MirrorRequest] = []
        self.fresh_context_asks = 0
        self.calls: list[str] = []
        self._mirrors: dict[str, str] = {}

    async def patient_context(self, tenant_id: uuid.UUID, patient_id: uuid.UUID, fresh: bool = False) -> PatientContext:
        self.calls.append("patient_context")
        self.fresh_context_asks += fresh
        return PatientContext(patient_id, tenant_id, self.timezone, {"appEntranceTracking": self.tracking})

    async def finalize_entrances(self, tenant_id: uuid.UUID, entrances: list[Entrance]) -> list[EntranceFinalization]:
        """plans' one transaction: for each entrance, the facts, and the mirror when tracking is on, the
        day has no real workout and there is one to copy; an entrance mirrored before gets its mirror back.
        A failure makes nothing (the transaction rolls back)."""
        self.calls.append("finalize_entrances")
        if self.refused & {entrance.id for entrance in entrances}:
            raise RuleViolation("not a completed real workout of the patient")
        answers, made = [], dict(self._mirrors)
        for entrance in entrances:
            has_real = entrance.local_date in self.real_workout_days
            source = self.latest_real_workout_id
            mirror_id = made.get(entrance.id)
            if mirror_id is None and self.tracking and not has_real and source is not None:
                self.mirror_requests.append(MirrorRequest(entrance.id, source, entrance.local_date, entrance.timezone))
                if self.mirror_failure is not None:
                    raise self.mirror_failure
                mirror_id = made[entrance.id] = str(uuid.uuid4())
            mirror = MadeMirror(mirror_id, datetime(2026, 1, 1, tzinfo=_tz.utc), entrance.timezone) if mirror_id else None
            answers.append(EntranceFinalization(self.tracking, has_real, source, mirror))
        self._mirrors = made
        return answers


class FakeContexts:
    """entrances' copy of plans' zones and flags. The fake repository reads the fake plans' own, as if
    every event had arrived, so a log never needs plans' first-use answer here."""

    def __init__(self, plans: FakePlansClient) -> None:
        self._plans = plans

    async def learn(self, uow: "FakeUnitOfWork", tenant_id: uuid.UUID, patient_id: uuid.UUID) -> PatientContext:
        uow.require_open()
        return await self._plans.patient_context(tenant_id, patient_id, fresh=True)


class FakeScheduler:
    """The delay queue: remembers what was scheduled; `accepts=False` is a broker refusing."""

    def __init__(self, accepts: bool = True) -> None:
        self.accepts = accepts
        self.scheduled: list[FinalizationSchedule] = []

    async def schedule(self, schedule: FinalizationSchedule, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
        if self.accepts:
            self.scheduled.append(schedule)
        return self.accepts


@dataclass
class _Rows:
    entrances: dict[str, Entrance] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    transitions: list[Transition] = field(default_factory=list)
    app_opens: list[AppOpen] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)

    def copy(self) -> "_Rows":
        return _Rows(
            dict(self.entrances), dict(self.reasons), list(self.transitions), list(self.app_opens), list(self.audit)
        )


class FakeEntranceRepository:
    """services.entrances.repository in memory, with the same guards: one entrance per patient and day,
    extensions and terminal states only while PENDING."""

    def __init__(self, plans: FakePlansClient) -> None:
        self.rows = _Rows()
        # entrances' copies of plans' zone, flag and real workouts by local day, all in step with plans
        self._plans = plans

    # what tests read
    @property
    def transitions(self) -> list[Transition]:
        return self.rows.transitions

    @property
    def app_opens(self) -> list[AppOpen]:
        return self.rows.app_opens

    @property
    def audit(self) -> list[AuditEntry]:
        return self.rows.audit

    def get(self, entrance_id: str) -> Entrance:
        return self.rows.entrances[entrance_id]

    def add(self, entrance: Entrance) -> Entrance:
        self.rows.entrances[entrance.id] = entrance
        return entrance

    # the repository
    async def lock_entrance_for_day(self, uow: "FakeUnitOfWork", patient_id: str, local_date: date) -> Entrance | None:
        uow.require_open()
        return next(
            (e for e in self.rows.entrances.values() if e.patient_id == patient_id and e.local_date == local_date), None
        )

    async def insert_entrance_if_absent(self, uow: "FakeUnitOfWork", entrance: Entrance, reason: str) -> bool:
        if await self.lock_entrance_for_day(uow, entrance.patient_id, entrance.local_date) is not None:
            return False
        self.rows.entrances[entrance.id] = entrance
        self.rows.reasons[entrance.id] = reason
        return True

    async def lock_entrance(self, uow: "FakeUnitOfWork", entrance_id: str) -> Entrance | None:
        uow.require_open()
        return self.rows.entrances.get(entrance_id)

    async def lock_due_entrances(self, uow: "FakeUnitOfWork", now: datetime, besides: str, limit: int) -> list[Entrance]:
        uow.require_open()
        due = [e for e in self.rows.entrances.values() if e.is_pending and e.is_due(now) and e.id != besides]
        return sorted(due, key=lambda e: e.finalize_after, reverse=True)[:limit]

    async def open_day(
        self, uow: "FakeUnitOfWork", patient_id: str, now: datetime, day: date | None = None
    ) -> DayOpening | None:
        uow.require_open()
        zone, tracking = self._plans.timezone, self._plans.tracking
        day = day or local_date(now, zone)
        real = day in self._plans.real_workout_days
        entrance = await self.lock_entrance_for_day(uow, patient_id, day) if tracking and not real else None
        return DayOpening(zone, tracking, day, real, entrance)

    async def save_terminal(
        self, uow: "FakeUnitOfWork", tenant_id: str, entrance: Entrance, change: Transition, request_id: str | None
    ) -> None:
        uow.require_open()
        stored = self.rows.entrances.get(entrance.id)
        if stored is None or stored.status is not EntranceStatus.PENDING:
            raise RuntimeError(f"entrance {entrance.id} was not PENDING when saving {entrance.status}")
        self.rows.entrances[entrance.id] = entrance
        self.rows.reasons[entrance.id] = change.reason
        self.rows.transitions.append(change)

    async def list_entrances(self, uow: "FakeUnitOfWork", patient_id: uuid.UUID, limit: int) -> list[StoredEntrance]:
        uow.require_open()
        mine = [e for e in self.rows.entrances.values() if e.patient_id == str(patient_id)]
        mine.sort(key=lambda e: e.local_date, reverse=True)
        return [StoredEntrance(e, self.rows.reasons.get(e.id)) for e in mine[:limit]]

    async def record_entrance_log(
        self, uow: "FakeUnitOfWork", opened: AppOpen, entry: AuditEntry,
        extended: Entrance | None = None, born: tuple[str, Transition] | None = None,
    ) -> None:
        uow.require_open()
        self.rows.app_opens.append(opened)
        self.rows.audit.append(entry)
        if extended is not None and self.rows.entrances[extended.id].status is EntranceStatus.PENDING:
            stored = self.rows.entrances[extended.id]
            self.rows.entrances[extended.id] = replace(
                stored, last_seen_at=extended.last_seen_at, finalize_after=extended.finalize_after,
                entries_count=extended.entries_count,
            )
        if born is not None:
            self.rows.transitions.append(born[1])


@dataclass(frozen=True)
class OutboxEvent:
    routing_key: str
    body: Message
    tenant_id: uuid.UUID | str
    message_id: str | None


class FakeUnitOfWork:
    """One transaction over the fake rows: what it wrote is undone unless it commits; its events reach
    the database's outbox only on commit."""

    schema = "entrances"

    def __init__(self, database: "FakeDatabase", tenant_id: uuid.UUID | str | None) -> None:
        self._database = database
        self.tenant_id = tenant_id
        self.committed = False
        self._open = False
        self._events: list[OutboxEvent] = []
        self._after_commit: list[Any] = []
        self._before: _Rows | None = None

    async def __aenter__(self) -> "FakeUnitOfWork":
        self._open = True
        self._before = self._database.repository.rows.copy()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._open = False
        if not self.committed and self._before is not None:
            self._database.repository.rows = self._before

    def require_open(self) -> None:
        assert self._open, "repository used outside its unit of work"

    async def commit(self) -> None:
        self.require_open()
        self.committed = True
        self._database.outbox.extend(self._events)
        self._database.commits += 1
        for callback in self._after_commit:
            callback()

    def after_commit(self, callback: Any) -> None:
        self._after_commit.append(callback)

    async def add_event(
        self, routing_key: str, body: Message, tenant_id: uuid.UUID | str, message_id: str | None = None,
        occurred_at: Any = None,
    ) -> str:
        self.require_open()
        self._events.append(OutboxEvent(routing_key, body, tenant_id, message_id))
        return message_id or str(uuid.uuid4())

    async def execute(self, statement: Any, params: Any = None) -> Any:
        raise AssertionError("the entrance use cases reach storage only through their repository")


class FakeDatabase:
    """What the handlers take as their Database: a factory of units of work over one fake repository."""

    def __init__(self, repository: FakeEntranceRepository) -> None:
        self.repository = repository
        self.outbox: list[OutboxEvent] = []
        self.commits = 0

    def unit_of_work(self, tenant_id: uuid.UUID | str | None) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, tenant_id)
