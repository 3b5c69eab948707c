"""The one place ids and instants are parsed and formatted, at every edge of every service."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from services.common.errors import InvalidInput


def parse_uuid(field: str, raw: str) -> uuid.UUID:
    """A UUID from a request or message field; a malformed one names the field."""
    try:
        return uuid.UUID(raw)
    except (TypeError, ValueError, AttributeError):
        raise InvalidInput(field, "must be a UUID") from None


def optional_uuid(field: str, raw: str | None) -> uuid.UUID | None:
    """Like parse_uuid, but an empty field (proto3's "not set") is None."""
    return parse_uuid(field, raw) if raw else None


def parse_date(field: str, raw: str) -> date:
    """A calendar day (YYYY-MM-DD) from a request or message field; a malformed one names the field."""
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise InvalidInput(field, "must be a YYYY-MM-DD date") from None


def to_timestamp(at: datetime) -> Timestamp:
    """A protobuf Timestamp of an aware instant."""
    stamp = Timestamp()
    stamp.FromDatetime(at.astimezone(timezone.utc))
    return stamp


def optional_timestamp(at: datetime | None) -> Timestamp | None:
    """Like to_timestamp, but a missing instant leaves the message field unset (None)."""
    return to_timestamp(at) if at is not None else None


def from_timestamp(stamp: Timestamp) -> datetime:
    """The aware UTC instant of a protobuf Timestamp."""
    return stamp.ToDatetime(tzinfo=timezone.utc)


def required_instant(field: str, stamp: Timestamp, present: bool) -> datetime:
    """A Timestamp field the request must carry."""
    if not present:
        raise InvalidInput(field, "is required")
    return from_timestamp(stamp)


# The window of instants any service accepts from a caller. Earlier is a phone clock reset to its epoch (or a
# typo) and cannot be published or shown; later than a day ahead is no clock at all. Protobuf Timestamps, Postgres
# and Python's datetime all hold every instant in it, whatever the offset it was written with.
EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST_AHEAD = timedelta(hours=24)
WINDOW = "between 2000-01-01T00:00:00Z and 24 h from now"


def instant_in_window(field: str, value: datetime, now: datetime) -> datetime:
    """An instant a caller sent, if it carries an offset and lies in the window; else InvalidInput naming the field."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "needs a timezone offset, e.g. 2026-03-02T15:00:00Z")
    # Aware comparisons subtract offsets without building a datetime, so year 9999 at -12:00 cannot overflow here.
    if not EARLIEST_INSTANT <= value <= now + LATEST_AHEAD:
        raise InvalidInput(field, f"must lie {WINDOW}")
    return value


def date_in_window(field: str, value: date, now: datetime, ahead: timedelta = LATEST_AHEAD) -> date:
    """A calendar date a caller sent, from 2000-01-01 to the UTC date of now + ahead (a day unless said otherwise:
    a plan may start later than that); else InvalidInput naming the field."""
    latest = (now + ahead).date()
    if not EARLIEST_INSTANT.date() <= value <= latest:
        raise InvalidInput(field, f"must lie between 2000-01-01 and {latest.isoformat()}")
    return value


def iso_utc(at: datetime | None) -> str:
    """RFC 3339 in UTC with a Z, or "" for no instant (proto3's "not set")."""
    return at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if at else ""
