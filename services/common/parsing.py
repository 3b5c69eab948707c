"""The one place ids and instants are parsed and formatted, at every edge of every service."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

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


def from_timestamp(stamp: Timestamp) -> datetime:
    """The aware UTC instant of a protobuf Timestamp."""
    return stamp.ToDatetime(tzinfo=timezone.utc)


def required_instant(field: str, stamp: Timestamp, present: bool) -> datetime:
    """A Timestamp field the request must carry."""
    if not present:
        raise InvalidInput(field, "is required")
    return from_timestamp(stamp)


def iso_utc(at: datetime | None) -> str:
    """RFC 3339 in UTC with a Z, or "" for no instant (proto3's "not set")."""
    return at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if at else ""
