"""What every request body shares: unknown fields refused, text that can be stored, bounds on free-form JSON."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from google.protobuf.message import Message
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.parsing import from_timestamp, iso_utc

# Free-form JSON (a pose profile, form answers, media events) has no schema of its own here; these keep it to
# what a real client sends, so no service ever stores, or names in an error, a megabyte-long key.
MAX_FREE_KEY = 100
MAX_FREE_TEXT = 2000
MAX_FREE_DEPTH = 32
# An error detail names what was sent by at most this many characters of it.
ECHO = 40


# Reply fields carry the services' canonical text (ids, ISO dates and instants) as they come; these say in the
# document what the text is, so a generated client types it, without re-parsing every reply.
UuidText = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
DateText = Annotated[str, Field(json_schema_extra={"format": "date"})]
InstantText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]

# The values each status and code of a reply takes (the services' CHECK constraints and domain enums).
PlanStatus = Literal["active", "completed", "expired", "cancelled"]
WorkoutStatus = Literal["scheduled", "completed", "skipped"]
BillingStatus = Literal["projected", "ready", "billed"]
RtmCode = Literal["98975", "98985", "98977", "98979", "98980", "98981"]
EntranceStatus = Literal[
    "PENDING", "CANCELED_BY_REAL_WORKOUT", "SKIPPED_FEATURE_DISABLED", "SKIPPED_NO_SOURCE_WORKOUT",
    "FINALIZED_TO_INFERRED_WORKOUT",
]


def clip(text: str, limit: int = ECHO) -> str:
    """A short prefix of something the caller sent, fit to be named in an error detail."""
    return text if len(text) <= limit else text[:limit] + "…"


def _name(where: str, key: object) -> str:
    if isinstance(key, str):
        return f"{where}.{clip(key)}" if where else clip(key)
    return f"{where}[{key}]" if where else f"[{key}]"


def unstorable_text(value: Any, where: str = "", depth: int = 0) -> str | None:
    """Where in a JSON value something cannot be stored or sent, and why, or None: a NUL (Postgres text and jsonb
    refuse it), an unpaired surrogate (protobuf strings are UTF-8), a key or text past its bound, or nesting deeper
    than any real body."""
    if isinstance(value, str):
        if "\x00" in value:
            return f"{where or 'body'}: must not contain NUL characters"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where or 'body'}: must be valid Unicode (an unpaired surrogate was sent)"
        if len(value) > MAX_FREE_TEXT:
            return f"{where or 'body'}: text longer than {MAX_FREE_TEXT} characters"
        return None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    if depth >= MAX_FREE_DEPTH:
        return f"{where or 'body'}: nested deeper than {MAX_FREE_DEPTH} levels"
    for key, item in items:
        name = _name(where, key)
        if isinstance(key, str):
            if len(key) > MAX_FREE_KEY:
                return f"{name}: a key longer than {MAX_FREE_KEY} characters"
            problem = unstorable_text(key, name, depth + 1)
            if problem:
                return problem
        problem = unstorable_text(item, name, depth + 1)
        if problem:
            return problem
    return None


def example(**values: Any) -> ConfigDict:
    """A body model's configuration with the example the document shows (unknown fields still refused)."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [values]})


class StrictBody(BaseModel):
    # Unknown fields are an error, not silently dropped: a typo in a client must be visible.
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        problem = unstorable_text(data)
        if problem:
            raise ValueError(problem)
        if isinstance(data, dict):
            # An unknown field is named in the error's location, which would echo a long key whole: name it here.
            known = {field.alias or name for name, field in cls.model_fields.items()} | set(cls.model_fields)
            for key in data:
                if key not in known and len(key) > ECHO:
                    raise ValueError(f"{clip(key)}: unknown field")
        return data


class NoBody(StrictBody):
    """The apps may send `{}` or nothing; any field is a client bug and is refused."""


NO_BODY_EXAMPLE: dict[str, Any] = {"empty": {"summary": "an empty object (or no body at all)", "value": {}}}


def instant_or_none(message: Message, field: str) -> str | None:
    """A Timestamp field of a reply as ISO 8601 UTC with Z, or None when unset."""
    return iso_utc(from_timestamp(getattr(message, field))) if message.HasField(field) else None
