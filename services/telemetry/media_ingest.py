"""Media events: validate a request's events, store the new ones, rebuild each playback's figures and stalls."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import InvalidInput
from services.common.identity import Identity
from services.telemetry import repository
from services.telemetry.domain.media_events import MediaEvent, MediaEventRejected, parse_media_event
from services.telemetry.domain.media_metrics import aggregate_media
from services.telemetry.domain.reference_media_events import from_reference, is_reference_shape, reference_field
from services.telemetry.sessions import SessionIdentity

MAX_EVENTS_PER_REQUEST = 200


@dataclass(frozen=True)
class PlaybackFigures:
    media_session_id: str
    events: int
    watched_seconds: float
    completion_percentage: float
    rebuffer_count: int
    ended: bool


@dataclass(frozen=True)
class MediaIngestOutcome:
    session_id: str
    events_received: int
    events_stored: int
    playbacks: list[PlaybackFigures]


class MediaIngest:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def parse(self, events_json: bytes) -> list[MediaEvent]:
        """Every event valid, or a 400 naming the first bad one: a request is stored whole or not at all."""
        try:
            raw = json.loads(events_json)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInput("events", "is not valid JSON") from exc
        if not isinstance(raw, list) or not raw:
            raise InvalidInput("events", "must be a non-empty array of media events")
        if len(raw) > MAX_EVENTS_PER_REQUEST:
            raise InvalidInput("events", f"at most {MAX_EVENTS_PER_REQUEST} events per request")
        events = []
        for index, item in enumerate(raw):
            try:
                reference = is_reference_shape(item)
                events.append(parse_media_event(from_reference(item) if reference else item))
            except MediaEventRejected as exc:
                field = reference_field(exc.field) if reference else exc.field
                raise InvalidInput(f"events[{index}].{field}", exc.reason) from exc
        return events

    async def store(self, who: SessionIdentity, events: list[MediaEvent], actor: Identity) -> MediaIngestOutcome:
        now = self._clock.now()
        by_playback: dict[str, list[tuple[int, MediaEvent]]] = {}
        for index, event in enumerate(events):
            by_playback.setdefault(event.media_session_id, []).append((index, event))
        stored = 0
        playbacks: list[PlaybackFigures] = []
        async with self._db.unit_of_work(who.tenant_id) as uow:
            # Sorted, so two requests touching the same playbacks take their locks in one order.
            for media_session_id in sorted(by_playback):
                arrived = by_playback[media_session_id]
                await repository.lock_playback(uow, media_session_id)
                anchor = await repository.playback_anchor(uow, media_session_id)
                if anchor is not None and anchor[1] != who.session_id:
                    raise InvalidInput(
                        f"events[{arrived[0][0]}].media_session_id", "belongs to another exercise session"
                    )
                started_at = anchor[0] if anchor is not None else now
                new = await repository.insert_media_events(
                    uow, [_row(who, media_session_id, started_at, event, now) for _, event in arrived]
                )
                stored += new
                history = [MediaEvent(**e) for e in await repository.playback_events(uow, media_session_id, started_at)]
                metrics, stalls = aggregate_media(history)
                await repository.save_playback_metrics(
                    uow, who.tenant_id, who.patient_id, who.session_id, started_at, metrics, len(arrived) - new, now
                )
                await repository.replace_stalls(uow, who.tenant_id, who.session_id, media_session_id, started_at, stalls)
                playbacks.append(
                    PlaybackFigures(
                        media_session_id, metrics.events_received, metrics.watched_seconds,
                        metrics.completion_percentage, metrics.rebuffer_count, metrics.ended,
                    )
                )
            await audit(
                uow, actor, "media_events.ingest", "exercise_session", who.session_id, now,
                received=len(events), stored=stored, playbacks=sorted(by_playback),
            )
            await uow.commit()
        return MediaIngestOutcome(who.session_id, len(events), stored, playbacks)


def _row(who: SessionIdentity, media_session_id: str, started_at: datetime, event: MediaEvent, now: datetime) -> dict:
    return {
        "tenant_id": str(who.tenant_id),
        "media_session_id": media_session_id,
        "session_started_at": started_at.isoformat(),
        "event_id": event.event_id,
        "session_id": who.session_id,
        "event_type": event.type,
        "occurred_at": datetime.fromtimestamp(event.occurred_ms / 1000.0, tz=timezone.utc).isoformat(),
        "received_at": now.isoformat(),
        "event": asdict(event),
    }
