"""RTM data-days track: 30-day monitoring windows, their counted days, codes and progress board."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from services.plans.domain.billing.status import (
    BillingStatus,
    BillingTrack,
    CodeUnits,
    CountedDay,
    MarkedRecord,
    RtmCode,
)

WINDOW_DAYS = 30
MIN_DATA_DAYS = 2  # fewer than this in a window bills nothing
FULL_SUPPLY_DATA_DAYS = 16  # 98977 from here, 98985 below


class SourceKind(StrEnum):
    WORKOUT_REAL = "workout_real"
    EXERCISE_SESSION = "exercise_session"
    APP_ENTRANCE = "app_entrance"
    WORKOUT_INFERRED = "workout_inferred"


class QualifyingPolicy(StrEnum):
    """Tenant setting: what makes a day a data day."""

    ACTIVITY_DAYS = "activity_days"  # the patient exercised
    ACCESS_DAYS = "access_days"  # the patient at least opened the app

    @property
    def qualifying_kinds(self) -> frozenset[SourceKind]:
        return _QUALIFYING_KINDS[self]

    def qualifies(self, kind: SourceKind) -> bool:
        return kind in _QUALIFYING_KINDS[self]


_QUALIFYING_KINDS = {
    QualifyingPolicy.ACTIVITY_DAYS: frozenset({SourceKind.WORKOUT_REAL, SourceKind.EXERCISE_SESSION}),
    QualifyingPolicy.ACCESS_DAYS: frozenset(SourceKind),
}

DEFAULT_POLICY = QualifyingPolicy.ACTIVITY_DAYS


@dataclass(frozen=True)
class BillingSourceRecord:
    """A record that may make its local date a data day (a workout, a session, an entrance)."""

    local_date: date
    kind: SourceKind
    record_id: str

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", SourceKind(self.kind))
        except ValueError:
            kinds = ", ".join(k.value for k in SourceKind)
            raise ValueError(f"unknown source kind {self.kind!r}: expected one of {kinds}") from None
        if not self.record_id:
            raise ValueError("a billing source record needs its record id")


@dataclass(frozen=True)
class WindowClaim:
    """One 30-day window of the data-days track, as recalculation computed it."""

    window_index: int
    start: date
    end: date
    data_days: int
    days: tuple[CountedDay, ...]
    codes: tuple[CodeUnits, ...]
    status: BillingStatus

    @property
    def track(self) -> BillingTrack:
        return BillingTrack.DATA_DAYS

    @property
    def period_start(self) -> date:
        return self.start

    @property
    def period_end(self) -> date:
        return self.end

    @property
    def quantity(self) -> int:
        return self.data_days

    @property
    def evidence(self) -> tuple[CountedDay, ...]:
        return self.days

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def is_data_day(self, day: date) -> bool:
        return any(counted.local_date == day for counted in self.days)


def window_bounds(monitoring_start: date, window_index: int) -> tuple[date, date]:
    if window_index < 0:
        raise ValueError("window index starts at 0")
    start = monitoring_start + timedelta(days=WINDOW_DAYS * window_index)
    return start, start + timedelta(days=WINDOW_DAYS - 1)


def window_index_of(monitoring_start: date, day: date) -> int:
    if day < monitoring_start:
        raise ValueError(f"{day.isoformat()} is before the first day of monitoring")
    return (day - monitoring_start).days // WINDOW_DAYS


def qualifying_days(
    plan_start: date,
    records: Iterable[BillingSourceRecord],
    policy: QualifyingPolicy,
    *,
    episode_end: date | None = None,
) -> dict[date, tuple[str, ...]]:
    """Local date -> sorted distinct record ids, for the records that count in this episode."""
    policy = QualifyingPolicy(policy)
    ids_by_day: dict[date, set[str]] = defaultdict(set)
    for record in records:
        if record.local_date < plan_start or (episode_end is not None and record.local_date > episode_end):
            continue
        if policy.qualifies(record.kind):
            ids_by_day[record.local_date].add(record.record_id)
    return {day: tuple(sorted(ids)) for day, ids in sorted(ids_by_day.items())}


def first_day_of_monitoring(
    plan_start: date,
    records: Iterable[BillingSourceRecord],
    policy: QualifyingPolicy,
    *,
    episode_end: date | None = None,
) -> date | None:
    """Day 1 of the episode: the first qualifying day on or after the plan start."""
    days = qualifying_days(plan_start, records, policy, episode_end=episode_end)
    return min(days) if days else None


def data_day_codes(data_days: int, includes_setup: bool) -> tuple[CodeUnits, ...]:
    codes: list[CodeUnits] = []
    if includes_setup:
        codes.append(CodeUnits(RtmCode.SETUP_AND_EDUCATION, 1))
    if data_days >= FULL_SUPPLY_DATA_DAYS:
        codes.append(CodeUnits(RtmCode.DEVICE_SUPPLY_16_PLUS_DAYS, 1))
    elif data_days >= MIN_DATA_DAYS:
        codes.append(CodeUnits(RtmCode.DEVICE_SUPPLY_2_TO_15_DAYS, 1))
    return tuple(codes)


def compute_data_day_claims(
    plan_start: date,
    records: Iterable[BillingSourceRecord],
    policy: QualifyingPolicy,
    today: date,
    *,
    episode_end: date | None = None,
) -> list[WindowClaim]:
    """Every window of the episode from day 1 through the window holding today.

    Windows are listed even when empty, so the board and the stored records see gaps.
    Records before the plan start or after episode_end (when the plan has ended) do not
    count. A window is projected while it is open (its last day, or the episode's last
    day if earlier, is today or later) and ready once closed. The setup code rides on the
    window holding the episode's second data day.
    """
    days = qualifying_days(plan_start, records, policy, episode_end=episode_end)
    if not days:
        return []
    monitoring_start = min(days)
    last_day = max(days)
    horizon = today if episode_end is None else min(today, episode_end)
    last_index = window_index_of(monitoring_start, max(last_day, horizon, monitoring_start))

    ordered = list(days)
    setup_index = window_index_of(monitoring_start, ordered[1]) if len(ordered) >= MIN_DATA_DAYS else None

    by_window: dict[int, list[CountedDay]] = defaultdict(list)
    for day, ids in days.items():
        by_window[window_index_of(monitoring_start, day)].append(CountedDay(day, ids))

    claims = []
    for index in range(last_index + 1):
        start, end = window_bounds(monitoring_start, index)
        counted = tuple(by_window.get(index, ()))
        closes_on = end if episode_end is None else min(end, max(episode_end, start))
        claims.append(
            WindowClaim(
                window_index=index,
                start=start,
                end=end,
                data_days=len(counted),
                days=counted,
                codes=data_day_codes(len(counted), includes_setup=index == setup_index),
                status=BillingStatus.PROJECTED if closes_on >= today else BillingStatus.READY,
            )
        )
    return claims


def window_for(claims: Sequence[WindowClaim], day: date) -> WindowClaim | None:
    """The window holding a day (the progress board asks for today's)."""
    return next((claim for claim in claims if claim.contains(day)), None)


class ProgressStatus(StrEnum):
    NEVER_LOGGED_IN = "never_logged_in"
    NEEDS_ENGAGEMENT = "needs_engagement"
    ON_TRACK = "on_track"


@dataclass(frozen=True)
class ProgressBoard:
    status: ProgressStatus
    days_remaining: int  # days left in the window that could still become data days
    days_needed: int  # data days still missing for 16
    window_index: int | None = None  # None before monitoring has begun
    window_end: date | None = None


def progress_status(window: WindowClaim | None, has_ever_logged_in: bool, today: date) -> ProgressBoard:
    """Where a patient stands against 16 data days in the current window.

    days_remaining counts today through the window's end, less those already counted (so
    today counts only while it is not yet a data day). needs_engagement means even a data
    day on every remaining day cannot reach 16. Without a window monitoring has not begun:
    a full window is still ahead, so a patient who has logged in is on track.
    """
    if window is None:
        days_remaining, days_needed = WINDOW_DAYS, FULL_SUPPLY_DATA_DAYS
    else:
        first_open_day = max(today, window.start)
        open_days = max(0, (window.end - first_open_day).days + 1)
        already_counted = sum(1 for counted in window.days if counted.local_date >= first_open_day)
        days_remaining = open_days - already_counted
        days_needed = max(0, FULL_SUPPLY_DATA_DAYS - window.data_days)

    if not has_ever_logged_in:
        status = ProgressStatus.NEVER_LOGGED_IN
    elif days_remaining < days_needed:
        status = ProgressStatus.NEEDS_ENGAGEMENT
    else:
        status = ProgressStatus.ON_TRACK
    return ProgressBoard(
        status=status,
        days_remaining=days_remaining,
        days_needed=days_needed,
        window_index=None if window is None else window.window_index,
        window_end=None if window is None else window.end,
    )


class BoardPosition(Protocol):
    """Where a patient stands for the board: when monitoring began and their latest stored window."""

    @property
    def monitoring_start(self) -> date | None: ...

    @property
    def latest(self) -> MarkedRecord | None: ...


def current_window(position: BoardPosition, today: date) -> WindowClaim | None:
    """The window holding the patient's today: the stored one when it covers today (recalculation
    keeps stored windows current), else the window today falls in, with no data days yet. None before
    monitoring begins."""
    if position.monitoring_start is None or today < position.monitoring_start:
        return None
    index = (today - position.monitoring_start).days // WINDOW_DAYS
    latest = position.latest.record if position.latest is not None else None
    if latest is not None and latest.period_start <= today <= latest.period_end:
        return WindowClaim(index, latest.period_start, latest.period_end, latest.quantity, latest.evidence, latest.codes,
                           latest.status)
    start, end = window_bounds(position.monitoring_start, index)
    return WindowClaim(index, start, end, 0, (), (), BillingStatus.PROJECTED)
