"""How a finalized session reads to staff: completed or incomplete and why, totals where no rep means no score,
rep rows from the stored summary, and a page cursor that refuses what this service did not write."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.telemetry.domain.pose_metrics import aggregate_session
from services.telemetry.domain.pose_profile import SQUAT_LEFT
from services.telemetry.domain.session_view import (
    BadCursor, decode_cursor, encode_cursor, rep_rows, session_status, totals,
)
from services.telemetry.simulator import synthetic_reps


@pytest.mark.parametrize("end_reason, expected", [
    ("ended", ("completed", None)),
    ("silence", ("incomplete", "silence_timeout")),
    ("recovered", ("incomplete", "instance_crash")),
    ("shutdown", ("incomplete", "ended_early")),
])
def test_status_and_reason(end_reason, expected):
    assert session_status(end_reason) == expected


def test_totals_and_reps_of_a_scored_session():
    summary = aggregate_session(*synthetic_reps(SQUAT_LEFT, 3, 70.0, 3.0, secondary_deviation_degrees=8.0), SQUAT_LEFT).to_dict()
    figures = totals(summary)
    assert (figures.rep_count, figures.average_form_score, figures.pose_accuracy_score) == (
        3, summary["average_form_score"], summary["pose_accuracy_score"]
    )
    rows = rep_rows(summary)
    assert [r.rep_number for r in rows] == [1, 2, 3]
    assert all(r.deepest_angle_degrees is not None and r.deepest_angle_degrees < 130 for r in rows)  # a squat's knee closes
    assert all(r.eccentric_ms + r.hold_ms + r.concentric_ms == r.end_ms - r.start_ms for r in rows)


def test_no_rep_is_no_score_even_where_an_older_version_stored_zero():
    assert totals({"rep_count": 0, "average_form_score": 0.0, "pose_accuracy_score": 0.0}).pose_accuracy_score is None
    assert totals({"rep_count": 0, "average_form_score": None, "pose_accuracy_score": None}).average_form_score is None
    assert totals(None).rep_count == 0
    old_rep = {"rep_number": 1, "start_ms": 0, "end_ms": 900, "peak_rom_degrees": 60.0, "eccentric_ms": 300,
               "hold_ms": 200, "concentric_ms": 400, "max_deviation_degrees": None, "form_score": 80.0}
    [row] = rep_rows({"reps": [old_rep]})
    assert (row.deepest_angle_degrees, row.max_deviation_degrees) == (None, None)


def test_cursor_round_trip_and_refusal():
    at = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    assert decode_cursor(encode_cursor(at, "s-1")) == (at, "s-1")
    for bad in ("nonsense", "W10", encode_cursor(at, "s")[:-3] + "!!!", "WyIyMDI2LTAzLTAxVDA5OjMwOjAwIiwgInMiXQ"):
        with pytest.raises(BadCursor):
            decode_cursor(bad)
