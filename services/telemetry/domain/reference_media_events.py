"""The reference shape of a media event (`{"event", "session_id", "media_id", "media_type", "timestamp", "data"}`),
read as the flat shape `media_events.parse_media_event` validates.

    event        -> type                 session_id -> media_session_id (one playback)
    timestamp    -> occurred_at (ISO 8601) or client_ts_ms (epoch ms)
    data.*       -> the type's own fields, renamed below (current_bitrate -> bitrate, bits/s); position_seconds defaults to 0 only on session_start
    event_id     -> data.event_id when the app sends one, else a UUID derived from the event's content, so a
                    resent identical event is stored once
media_id and media_type ("video") are checked and not stored (the exercise session names the exercise), and
the data fields the server computes itself or does not keep (ttfb_ms, cdn_response_time_ms, connection_type,
effective_bandwidth, rtt_ms, completion_percent, buffering_count, buffering_duration_ms, duration_ms) are
accepted and ignored: the figures are rebuilt from the events, never taken from the client.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Mapping

from services.telemetry.domain.media_events import MediaEventRejected

_NAMESPACE = uuid.UUID("6f1e5a8e-6a52-4d5e-9b0e-5a3c2f7d9b10")
_RENAMED = {
    "total_duration_seconds": "video_duration_seconds",
    "video_load_time_ms": "startup_ms",
    "watched_duration_seconds": "watched_seconds",
    "current_resolution": "quality",
    "from_resolution": "from_quality",
    "to_resolution": "to_quality",
    "current_bitrate": "bitrate",
}
IGNORED_DATA = frozenset({
    "ttfb_ms", "cdn_response_time_ms", "connection_type", "effective_bandwidth", "rtt_ms", "completion_percent",
    "buffering_count", "buffering_duration_ms", "duration_ms",
})
_TOP_LEVEL = frozenset({"event", "session_id", "media_id", "media_type", "timestamp", "data"})


def is_reference_shape(obj: Any) -> bool:
    return isinstance(obj, Mapping) and "event" in obj


def from_reference(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The flat event; MediaEventRejected names the field in the reference shape's own terms."""
    for key in obj:
        if key not in _TOP_LEVEL:
            raise MediaEventRejected(str(key), "unknown field of a media event")
    for key in ("session_id", "timestamp"):
        if key not in obj:
            raise MediaEventRejected(key, "is required")
    if obj.get("media_type", "video") != "video":
        raise MediaEventRejected("media_type", "must be video")
    media_id = obj.get("media_id")
    if media_id is not None and (not isinstance(media_id, str) or not 0 < len(media_id) <= 200):
        raise MediaEventRejected("media_id", "must be a string of 1..200 characters")
    data = obj.get("data", {})
    if not isinstance(data, Mapping):
        raise MediaEventRejected("data", "must be a JSON object")
    flat: dict[str, Any] = {"type": obj["event"], "media_session_id": obj["session_id"]}
    stamp = obj["timestamp"]
    flat["client_ts_ms" if isinstance(stamp, int) and not isinstance(stamp, bool) else "occurred_at"] = stamp
    for key, value in data.items():
        if key in IGNORED_DATA:
            continue
        name = _RENAMED.get(str(key), str(key))
        if name in flat:
            raise MediaEventRejected(f"data.{key}", "is not a field of data")
        flat[name] = value
    if obj["event"] == "session_start":
        flat.setdefault("position_seconds", 0.0)
    if "event_id" not in flat:
        content = json.dumps([obj.get("event"), obj["session_id"], stamp, dict(data)], sort_keys=True, default=str)
        flat["event_id"] = str(uuid.uuid5(_NAMESPACE, content))
    return flat


_FLAT_TO_REFERENCE = {"type": "event", "media_session_id": "session_id", "occurred_at": "timestamp", "client_ts_ms": "timestamp"}
# bitrate is the quality_change's own name too (heartbeat and session_start say current_bitrate): the schema at
# the gateway refuses a bad current_bitrate before telemetry sees it, so a refusal here names data.bitrate.
_RENAMED_BACK = {flat: reference for reference, flat in _RENAMED.items() if flat != "bitrate"}


def reference_field(flat: str) -> str:
    """A field of the flat shape named as the app sent it: the top-level names, everything else under data."""
    if flat in _FLAT_TO_REFERENCE:
        return _FLAT_TO_REFERENCE[flat]
    if flat in _TOP_LEVEL or flat.startswith("data."):
        return flat
    return f"data.{_RENAMED_BACK.get(flat, flat)}"
