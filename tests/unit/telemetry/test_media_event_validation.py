"""Media event validation per type: what passes, and which field a refusal names."""

from __future__ import annotations

import pytest

from services.telemetry.domain.media_events import EVENT_TYPES, MediaEventRejected, parse_media_event

SESSION = "7d444840-9dc0-11d1-b245-5ffdce74fad2"

VALID = {
    "session_start": {"video_duration_seconds": 42.0, "startup_ms": 850, "quality": "720p"},
    "heartbeat": {"watched_seconds": 20.0, "dropped_frames": 3, "total_frames": 600},
    "buffering_start": {},
    "buffering_end": {},
    "quality_change": {"from_quality": "720p", "to_quality": "480p", "bitrate": 1_200_000},
    "milestone": {"percent": 50},
    "session_end": {"reason": "completed"},
}


def event(event_type: str, **changes) -> dict:
    data = {
        "event_id": "0b6f3a52-5e1f-4a43-9a0e-2f8d1c3b4a5d",
        "media_session_id": SESSION,
        "type": event_type,
        "occurred_at": "2026-02-16T09:03:00.250+01:00",
        "position_seconds": 12.5,
        **VALID[event_type],
    }
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_type_parses(event_type):
    parsed = parse_media_event(event(event_type))
    assert parsed.type == event_type and parsed.media_session_id == SESSION
    assert parsed.occurred_ms == 1_771_228_980_250  # 08:03:00.250 UTC
    assert parsed.position_seconds == 12.5


def test_typed_fields_land_on_the_event():
    start = parse_media_event(event("session_start"))
    assert (start.video_duration_seconds, start.startup_ms, start.quality) == (42.0, 850, "720p")
    switch = parse_media_event(event("quality_change"))
    assert (switch.from_quality, switch.to_quality, switch.bitrate) == ("720p", "480p", 1_200_000)
    assert parse_media_event(event("milestone")).percent == 50
    assert parse_media_event(event("session_end", watched_seconds=30)).watched_seconds == 30.0


def test_client_clock_instead_of_iso_time():
    parsed = parse_media_event(event("heartbeat", occurred_at=..., client_ts_ms=1_771_228_980_250))
    assert parsed.occurred_ms == 1_771_228_980_250


def test_ids_are_normalised_to_lower_case():
    parsed = parse_media_event(event("buffering_start", media_session_id=SESSION.upper()))
    assert parsed.media_session_id == SESSION


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_unknown_fields_are_refused_by_name(event_type):
    with pytest.raises(MediaEventRejected) as caught:
        parse_media_event(event(event_type, positon_seconds=3))
    assert caught.value.field == "positon_seconds"


def test_a_field_of_another_type_is_unknown_here():
    with pytest.raises(MediaEventRejected) as caught:
        parse_media_event(event("milestone", bitrate=100))
    assert caught.value.field == "bitrate"


@pytest.mark.parametrize(
    "event_type, missing",
    [
        (t, f)
        for t in EVENT_TYPES
        for f in ("event_id", "media_session_id", "position_seconds", *VALID[t])
        if f != "quality"  # optional
    ],
)
def test_missing_required_fields_are_named(event_type, missing):
    with pytest.raises(MediaEventRejected) as caught:
        parse_media_event(event(event_type, **{missing: ...}))
    assert caught.value.field == missing


@pytest.mark.parametrize(
    "event_type, changes, field",
    [
        ("heartbeat", {"type": "play"}, "type"),
        ("heartbeat", {"type": ...}, "type"),
        ("heartbeat", {"event_id": "not-a-uuid"}, "event_id"),
        ("heartbeat", {"event_id": "0b6f3a52-5e1f-4a43-9a0e-2f8d1c3b4a5d\n"}, "event_id"),
        ("heartbeat", {"media_session_id": 7}, "media_session_id"),
        ("heartbeat", {"occurred_at": ...}, "occurred_at"),
        ("heartbeat", {"occurred_at": "2026-02-16T09:03:00"}, "occurred_at"),  # no zone
        ("heartbeat", {"occurred_at": "yesterday"}, "occurred_at"),
        ("heartbeat", {"occurred_at": "1990-01-01T00:00:00Z"}, "occurred_at"),
        ("heartbeat", {"client_ts_ms": 1_771_228_980_250}, "client_ts_ms"),  # both clocks
        ("heartbeat", {"occurred_at": ..., "client_ts_ms": 1.5e12}, "client_ts_ms"),
        ("heartbeat", {"position_seconds": -1}, "position_seconds"),
        ("heartbeat", {"position_seconds": float("nan")}, "position_seconds"),
        ("heartbeat", {"position_seconds": "12"}, "position_seconds"),
        ("heartbeat", {"position_seconds": True}, "position_seconds"),
        ("heartbeat", {"watched_seconds": 90_000}, "watched_seconds"),
        ("heartbeat", {"dropped_frames": 601}, "dropped_frames"),
        ("heartbeat", {"total_frames": 3.0}, "total_frames"),
        ("heartbeat", {"quality": ""}, "quality"),
        ("session_start", {"video_duration_seconds": 0}, "video_duration_seconds"),
        ("session_start", {"startup_ms": -5}, "startup_ms"),
        ("quality_change", {"to_quality": "720p"}, "to_quality"),
        ("quality_change", {"from_quality": "<script>"}, "from_quality"),
        ("quality_change", {"bitrate": 0}, "bitrate"),
        ("milestone", {"percent": 30}, "percent"),
        ("milestone", {"percent": 50.0}, "percent"),
        ("session_end", {"reason": "Closed The Tab"}, "reason"),
    ],
)
def test_bad_values_name_the_field(event_type, changes, field):
    with pytest.raises(MediaEventRejected) as caught:
        parse_media_event(event(event_type, **changes))
    assert caught.value.field == field
    assert field in str(caught.value)


@pytest.mark.parametrize("not_an_object", [None, [], "event", 3])
def test_not_an_object(not_an_object):
    with pytest.raises(MediaEventRejected) as caught:
        parse_media_event(not_an_object)
    assert caught.value.field == "event"
