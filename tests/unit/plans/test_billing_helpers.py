"""The pure parts around RTM recalculation: the board's current window, conflict markers, and the
dry-run description."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from services.plans.billing.handlers import Recalculation
from services.plans.billing.repository import BoardRow, StoredRecord
from services.plans.domain.billing import (
    BillingRecord, BillingStatus, BillingTrack, CodeUnits, CountedDay, RtmCode, current_window, reconcile,
)
from services.plans.domain.billing import conflict_marks as _conflict_marks

START = date(2026, 1, 1)


def stored(record: BillingRecord, conflict: str | None = None) -> StoredRecord:
    return StoredRecord(uuid.uuid4(), uuid.uuid4(), record, conflict, None, datetime(2026, 3, 1, tzinfo=timezone.utc))


def window(start: date, end: date, days: list[date], status: BillingStatus = BillingStatus.PROJECTED,
           codes: tuple[CodeUnits, ...] = ()) -> BillingRecord:
    return BillingRecord(BillingTrack.DATA_DAYS, start, end, codes, status, len(days),
                         tuple(CountedDay(d, (f"workout_real:{d}",)) for d in days),
                         datetime(2026, 2, 5, tzinfo=timezone.utc) if status is BillingStatus.BILLED else None)


def board(latest: BillingRecord | None, monitoring_start: date | None = START) -> BoardRow:
    return BoardRow(uuid.uuid4(), "Ana", "UTC", True, monitoring_start, stored(latest) if latest else None)


def test_no_window_before_monitoring_begins() -> None:
    assert current_window(board(None, None), date(2026, 1, 5)) is None
    assert current_window(board(None), date(2025, 12, 31)) is None


def test_the_stored_window_holding_today_is_used() -> None:
    latest = window(START, date(2026, 1, 30), [date(2026, 1, 2), date(2026, 1, 3)])
    found = current_window(board(latest), date(2026, 1, 20))
    assert found is not None and (found.window_index, found.data_days, found.end) == (0, 2, date(2026, 1, 30))


def test_a_window_past_the_stored_ones_is_empty() -> None:
    latest = window(START, date(2026, 1, 30), [date(2026, 1, 2)])
    found = current_window(board(latest), date(2026, 3, 5))  # day 64: third window
    assert found is not None
    assert (found.window_index, found.start, found.end, found.data_days) == (2, date(2026, 3, 2), date(2026, 3, 31), 0)


def test_conflict_markers_are_set_and_cleared_only_when_they_change() -> None:
    billed = window(START, date(2026, 1, 30), [date(2026, 1, d) for d in range(2, 17)], BillingStatus.BILLED,
                    (CodeUnits(RtmCode.SETUP_AND_EDUCATION, 1), CodeUnits(RtmCode.DEVICE_SUPPLY_2_TO_15_DAYS, 1)))
    sixteen = window(START, date(2026, 1, 30), [date(2026, 1, d) for d in range(2, 18)], BillingStatus.READY,
                     (CodeUnits(RtmCode.SETUP_AND_EDUCATION, 1), CodeUnits(RtmCode.DEVICE_SUPPLY_16_PLUS_DAYS, 1)))
    result = reconcile([billed], [sixteen])
    key = ("data_days", START)
    assert _conflict_marks([stored(billed)], result) == {key: "codes_changed"}
    assert _conflict_marks([stored(billed, "codes_changed")], result) == {}  # already marked: no write
    agreeing = reconcile([billed], [window(START, date(2026, 1, 30), [date(2026, 1, d) for d in range(2, 17)],
                                           BillingStatus.READY, billed.codes)])
    assert _conflict_marks([stored(billed, "codes_changed")], agreeing) == {key: None}  # resolved


def test_description_of_a_dry_run() -> None:
    before = window(START, date(2026, 1, 30), [date(2026, 1, 2)], BillingStatus.PROJECTED)
    after = window(START, date(2026, 1, 30), [date(2026, 1, 2), date(2026, 1, 9)], BillingStatus.READY,
                   (CodeUnits(RtmCode.SETUP_AND_EDUCATION, 1), CodeUnits(RtmCode.DEVICE_SUPPLY_2_TO_15_DAYS, 1)))
    outcome = Recalculation(uuid.uuid4(), reconcile([before], [after]))
    assert outcome.changes == 1
    assert outcome.describe() == [
        "update data_days 2026-01-01..2026-01-30 projected->ready [no code]->[98975, 98985] q=1->2"
    ]
    assert Recalculation(uuid.uuid4(), reconcile([after], [after])).changes == 0
