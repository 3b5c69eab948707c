"""Validation of the exercise-video events the patient app sends (session_start ... session_end), per type.

Every event carries:
    event_id          client-generated UUID, the de-duplication key
    media_session_id  UUID of one playback of one exercise video
    type              one of EVENT_TYPES
    occurred_at       ISO 8601 with a zone  } exactly one of the two
    client_ts_ms      unix epoch ms         }
    position_seconds  playhead position when it happened
and per type (optional ones marked ?):
    session_start     video_duration_seconds, startup_ms (play pressed -> first frame), quality?, bitrate?
    heartbeat         watched_seconds (cumulative), dropped_frames, total_frames (cumulative), quality?, bitrate?
    buffering_start   -
    buffering_end     -
    quality_change    from_quality, to_quality, bitrate (bits/s of the new rendition)
bitrate is always bits/s of the rendition being shown (1..1e9); on session_start and heartbeat it is
optional and feeds the bitrate distribution (renditions.py).
    milestone         percent (25, 50, 75 or 95)
    session_end       reason (snake_case word, e.g. completed, user_exit, error), watched_seconds?
The app sends session_start when the first frame is shown, so a session_end
without one means the patient left before the video started.

Anything else is refused with the offending field named: a typo in a field name
would otherwise silently become a missing figure on a therapist's dashboard.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

EVENT_TYPES = (
    "session_start",
    "heartbeat",
    "buffering_start",
    "buffering_end",
    "quality_change",
    "milestone",
    "session_end",
)
MILESTONE_PERCENTS = frozenset({25, 50, 75, 95})

_COMMON_REQUIRED = ("event_id", "media_session_id", "type", "position_seconds")
_TIME_FIELDS = ("occurred_at", "client_ts_ms")
# type -> (required extras, optional extras)
_EXTRAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "session_start": (("video_duration_seconds", "startup_ms"), ("quality", "bitrate")),
    "heartbeat": (("watched_seconds", "dropped_frames", "total_frames"), ("quality", "bitrate")),
    "buffering_start": ((), ()),
    "buffering_end": ((), ()),
    "quality_change": (("from_quality", "to_quality", "bitrate"), ()),
    "milestone": (("percent",), ()),
    "session_end": (("reason",), ("watched_seconds",)),
}

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_QUALITY = re.compile(r"^[A-Za-z0-9_.+-]{1,16}$")
_REASON = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_MAX_SECONDS = 24 * 3600.0  # no exercise video, and no watch session, is longer than a day
_EARLIEST_MS = 946_684_800_000  # 2000-01-01: an earlier client clock is a broken clock
_LATEST_MS = 4_102_444_800_000  # 2100-01-01
_MAX_FRAMES = 2**31 - 1
_MAX_BITRATE = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class MediaEventRejected(ValueError):
    """A media event that fails validation; `field` names the culprit for the 4xx answer."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class MediaEvent:
    """One validated event. Per-type fields are None on types that do not carry them."""

    event_id: str
    media_session_id: str
    type: str
    occurred_ms: int  # unix epoch ms, from occurred_at or client_ts_ms
    position_seconds: float
    video_duration_seconds: float | None = None
    startup_ms: int | None = None
    quality: str | None = None
    watched_seconds: float | None = None
    dropped_frames: int | None = None
    total_frames: int | None = None
    from_quality: str | None = None
    to_quality: str | None = None
    bitrate: int | None = None
    percent: int | None = None
    reason: str | None = None


def parse_media_event(obj: Any) -> MediaEvent:
    """Validate one decoded JSON event; MediaEventRejected names the first bad field."""
    if not isinstance(obj, Mapping):
        raise MediaEventRejected("event", "must be a JSON object")
    event_type = obj.get("type")
    if "type" not in obj:
        raise MediaEventRejected("type", "is required")
    if not isinstance(event_type, str) or event_type not in _EXTRAS:
        raise MediaEventRejected("type", f"must be one of {', '.join(EVENT_TYPES)}")
    required, optional = _EXTRAS[event_type]
    allowed = set(_COMMON_REQUIRED) | set(_TIME_FIELDS) | set(required) | set(optional)
    for key in obj:
        if key not in allowed:
            raise MediaEventRejected(str(key), f"unknown field for a {event_type} event")
    for key in (*_COMMON_REQUIRED, *required):
        if key not in obj:
            raise MediaEventRejected(key, "is required")

    extras: dict[str, Any] = {}
    for key in (*required, *optional):
        if key in obj:
            extras[key] = _EXTRA_PARSERS[key](key, obj[key])
    if event_type == "heartbeat" and extras["dropped_frames"] > extras["total_frames"]:
        raise MediaEventRejected("dropped_frames", "cannot exceed total_frames")
    if event_type == "quality_change" and extras["from_quality"] == extras["to_quality"]:
        raise MediaEventRejected("to_quality", "equals from_quality")

    return MediaEvent(
        event_id=_uuid("event_id", obj["event_id"]),
        media_session_id=_uuid("media_session_id", obj["media_session_id"]),
        type=event_type,
        occurred_ms=_occurred_ms(obj),
        position_seconds=_seconds("position_seconds", obj["position_seconds"]),
        **extras,
    )


def _occurred_ms(obj: Mapping[str, Any]) -> int:
    has_iso, has_ms = "occurred_at" in obj, "client_ts_ms" in obj
    if has_iso and has_ms:
        raise MediaEventRejected("client_ts_ms", "send occurred_at or client_ts_ms, not both")
    if not has_iso and not has_ms:
        raise MediaEventRejected("occurred_at", "is required (or client_ts_ms)")
    if has_ms:
        value = _integer("client_ts_ms", obj["client_ts_ms"], 0, _LATEST_MS)
    else:
        raw = obj["occurred_at"]
        if not isinstance(raw, str) or len(raw) > 40:
            raise MediaEventRejected("occurred_at", "must be an ISO 8601 timestamp string")
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise MediaEventRejected("occurred_at", "is not an ISO 8601 timestamp") from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise MediaEventRejected("occurred_at", "needs a zone (Z or an offset)")
        # Integer arithmetic on the timedelta: timestamp() floats would round away milliseconds.
        since_epoch = moment - _EPOCH
        value = since_epoch.days * 86_400_000 + since_epoch.seconds * 1000 + since_epoch.microseconds // 1000
    field = "client_ts_ms" if has_ms else "occurred_at"
    if not _EARLIEST_MS <= value < _LATEST_MS:
        raise MediaEventRejected(field, "is outside 2000..2100")
    return value


def _uuid(field: str, value: Any) -> str:
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise MediaEventRejected(field, "must be a UUID string")
    return value.lower()


def _seconds(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise MediaEventRejected(field, "must be a number of seconds")
    if not 0 <= value <= _MAX_SECONDS:
        raise MediaEventRejected(field, f"must be within 0..{int(_MAX_SECONDS)} seconds")
    return float(value)


def _positive_seconds(field: str, value: Any) -> float:
    seconds = _seconds(field, value)
    if seconds == 0:
        raise MediaEventRejected(field, "must be positive")
    return seconds


def _integer(field: str, value: Any, low: int, high: int) -> int:
    # JSON has one number type; 3.0 is not an integer count here, and booleans are never numbers.
    if isinstance(value, bool) or not isinstance(value, int):
        raise MediaEventRejected(field, "must be an integer")
    if not low <= value <= high:
        raise MediaEventRejected(field, f"must be within {low}..{high}")
    return value


def _quality(field: str, value: Any) -> str:
    if not isinstance(value, str) or not _QUALITY.fullmatch(value):
        raise MediaEventRejected(field, "must be a rendition label such as 720p (1-16 characters)")
    return value


def _percent(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in MILESTONE_PERCENTS:
        raise MediaEventRejected(field, "must be 25, 50, 75 or 95")
    return value


def _reason(field: str, value: Any) -> str:
    if not isinstance(value, str) or not _REASON.fullmatch(value):
        raise MediaEventRejected(field, "must be a snake_case word such as completed or user_exit")
    return value


_EXTRA_PARSERS = {
    "video_duration_seconds": _positive_seconds,
    "startup_ms": lambda f, v: _integer(f, v, 0, 10 * 60 * 1000),
    "quality": _quality,
    "watched_seconds": _seconds,
    "dropped_frames": lambda f, v: _integer(f, v, 0, _MAX_FRAMES),
    "total_frames": lambda f, v: _integer(f, v, 0, _MAX_FRAMES),
    "from_quality": _quality,
    "to_quality": _quality,
    "bitrate": lambda f, v: _integer(f, v, 1, _MAX_BITRATE),
    "percent": _percent,
    "reason": _reason,
}
