"""What staff read about a finalized exercise session: its status and reason, totals, reps, and the page cursor."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

COMPLETED = "completed"
INCOMPLETE = "incomplete"
# How a session's end (telemetry.exercise_sessions.end_reason) reads to a clinician. Only the app's
# own POST /end completes a session; every other end cut it short.
INCOMPLETE_REASONS = {
    "silence": "silence_timeout",  # no data for MOMENTUM_TELEMETRY_SILENCE_SECONDS (the phone was locked, the app died)
    "recovered": "instance_crash",  # the telemetry instance holding it died; finalized from its uploaded parts
    "shutdown": "ended_early",  # the telemetry instance stopped and ended it before the app did
}
REASON_VALUES = tuple(INCOMPLETE_REASONS.values())
STATUS_VALUES = (COMPLETED, INCOMPLETE)


class BadCursor(ValueError):
    """A page cursor this service did not write."""


@dataclass(frozen=True)
class RepView:
    rep_number: int
    start_ms: int
    end_ms: int
    peak_rom_degrees: float
    deepest_angle_degrees: float | None
    form_score: float
    eccentric_ms: int
    hold_ms: int
    concentric_ms: int
    max_deviation_degrees: float | None


@dataclass(frozen=True)
class SessionTotals:
    rep_count: int
    average_form_score: float | None
    active_duration_ms: int
    pose_accuracy_score: float | None
    frames_low_visibility: int


def session_status(end_reason: str | None) -> tuple[str, str | None]:
    """(status, incomplete reason or None) of a finalized session."""
    if end_reason == "ended":
        return COMPLETED, None
    return INCOMPLETE, INCOMPLETE_REASONS.get(end_reason or "", "ended_early")


def totals(pose_summary: dict[str, Any] | None) -> SessionTotals:
    """Session totals from the stored pose summary. Without a detected rep there is no score: a 0.0 stored by an
    older version for such a session is read as "not measured", never as a score of zero."""
    summary = pose_summary or {}
    reps = int(summary.get("rep_count") or 0)
    return SessionTotals(
        rep_count=reps,
        average_form_score=_measured(summary.get("average_form_score")) if reps else None,
        active_duration_ms=int(summary.get("active_duration_ms") or 0),
        pose_accuracy_score=_measured(summary.get("pose_accuracy_score")) if reps else None,
        frames_low_visibility=int(summary.get("frames_low_visibility") or 0),
    )


def rep_rows(pose_summary: dict[str, Any] | None) -> list[RepView]:
    return [
        RepView(
            rep_number=int(rep["rep_number"]), start_ms=int(rep["start_ms"]), end_ms=int(rep["end_ms"]),
            peak_rom_degrees=float(rep["peak_rom_degrees"]), deepest_angle_degrees=_measured(rep.get("deepest_angle_degrees")),
            form_score=float(rep["form_score"]), eccentric_ms=int(rep["eccentric_ms"]), hold_ms=int(rep["hold_ms"]),
            concentric_ms=int(rep["concentric_ms"]), max_deviation_degrees=_measured(rep.get("max_deviation_degrees")),
        )
        for rep in (pose_summary or {}).get("reps") or []
    ]


def encode_cursor(started_at: datetime, session_id: str) -> str:
    """The position after the last row of a page (sessions are listed newest first)."""
    raw = json.dumps([started_at.isoformat(), session_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        started_at, session_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at = datetime.fromisoformat(started_at)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor("not a cursor of this list; pass nextCursor of the previous page") from exc
    if at.tzinfo is None or not isinstance(session_id, str):
        raise BadCursor("not a cursor of this list; pass nextCursor of the previous page")
    return at, session_id


def _measured(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
