"""RTM treatment-management track: therapist minutes per calendar month and their time codes."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.plans.domain.billing.status import (
    BillingRecord,
    BillingStatus,
    BillingTrack,
    CodeUnits,
    CountedDay,
    RtmCode,
)

MIN_BILLABLE_MINUTES = 10
FIRST_BLOCK_MINUTES = 20  # 98980 from here, 98979 below
EXTRA_BLOCK_MINUTES = 20  # each further full block adds one 98981
MAX_ENTRY_MINUTES = 24 * 60  # one entry cannot be longer than a day


class InvalidTimeEntry(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class TimeEntry:
    """Therapist time spent managing one patient's treatment."""

    minutes: int
    activity: str
    interactive: bool  # a real-time call with the patient (or caregiver)
    occurred_on: date
    entry_id: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int):
            raise InvalidTimeEntry("minutes", "must be a whole number")
        if not 1 <= self.minutes <= MAX_ENTRY_MINUTES:
            raise InvalidTimeEntry("minutes", f"must be between 1 and {MAX_ENTRY_MINUTES}")
        if not isinstance(self.interactive, bool):
            raise InvalidTimeEntry("interactive", "must be true or false")
        if not self.activity or not self.activity.strip():
            raise InvalidTimeEntry("activity", "must name what the time was spent on")


@dataclass(frozen=True)
class MonthClaim:
    """One calendar month of the management track for one patient."""

    month: date  # first day of the month
    total_minutes: int
    interactive_count: int
    codes: tuple[CodeUnits, ...]
    status: BillingStatus
    days: tuple[CountedDay, ...] = ()  # dates with entries, and their entry ids

    @property
    def track(self) -> BillingTrack:
        return BillingTrack.MANAGEMENT_TIME

    @property
    def period_start(self) -> date:
        return self.month

    @property
    def period_end(self) -> date:
        return month_end(self.month)

    @property
    def quantity(self) -> int:
        return self.total_minutes

    @property
    def evidence(self) -> tuple[CountedDay, ...]:
        return self.days


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def time_codes(total_minutes: int, interactive_count: int) -> tuple[CodeUnits, ...]:
    """98979 for 10-19 min; 98980 from 20 min plus one 98981 per further full 20 min.

    No code at all without a real-time interactive communication in the month.
    """
    if interactive_count < 1 or total_minutes < MIN_BILLABLE_MINUTES:
        return ()
    if total_minutes < FIRST_BLOCK_MINUTES:
        return (CodeUnits(RtmCode.MANAGEMENT_10_TO_19_MIN, 1),)
    codes = [CodeUnits(RtmCode.MANAGEMENT_FIRST_20_MIN, 1)]
    extra_blocks = (total_minutes - FIRST_BLOCK_MINUTES) // EXTRA_BLOCK_MINUTES
    if extra_blocks:
        codes.append(CodeUnits(RtmCode.MANAGEMENT_EACH_EXTRA_20_MIN, extra_blocks))
    return tuple(codes)


def compute_management_time_claims(entries: Iterable[TimeEntry], today: date) -> list[MonthClaim]:
    """One claim per calendar month that has entries, oldest first.

    A month is projected until its last day has passed, then ready.
    """
    by_month: dict[date, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        by_month[month_start(entry.occurred_on)].append(entry)

    claims = []
    for month in sorted(by_month):
        month_entries = by_month[month]
        total = sum(entry.minutes for entry in month_entries)
        interactive = sum(1 for entry in month_entries if entry.interactive)
        claims.append(
            MonthClaim(
                month=month,
                total_minutes=total,
                interactive_count=interactive,
                codes=time_codes(total, interactive),
                status=BillingStatus.PROJECTED if month_end(month) >= today else BillingStatus.READY,
                days=_entry_days(month_entries),
            )
        )
    return claims


def _entry_days(entries: list[TimeEntry]) -> tuple[CountedDay, ...]:
    ids_by_day: dict[date, set[str]] = defaultdict(set)
    for entry in entries:
        ids = ids_by_day[entry.occurred_on]
        if entry.entry_id:
            ids.add(entry.entry_id)
    return tuple(CountedDay(day, tuple(sorted(ids))) for day, ids in sorted(ids_by_day.items()))


def month_is_billed(records: Iterable[BillingRecord], day: date) -> bool:
    """Whether the management time of `day`'s month is already billed: time added to it would change
    a claim that went out, so it waits until an admin resets that record."""
    month = month_start(day)
    return any(
        r.track is BillingTrack.MANAGEMENT_TIME and r.period_start == month and r.status is BillingStatus.BILLED
        for r in records
    )
