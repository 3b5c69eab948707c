"""Reading incoming events: a field that does not parse makes the message poison, never a retry."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from services.common.errors import InvalidInput
from services.common.messaging.consumer import PoisonMessage


@contextmanager
def poison_if_invalid() -> Iterator[None]:
    """Around services.common.parsing calls on an event's fields: a redelivery would fail the same way."""
    try:
        yield
    except InvalidInput as exc:
        raise PoisonMessage(exc.detail) from exc
