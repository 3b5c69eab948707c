"""The retry ladder's pure parts: the wait after each failure, the failure history carried in headers, the
settings that set them, and the checks that keep an unpublishable event out of the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from momentum.events.v1 import events_pb2
from services.common.db import UnitOfWork
from services.common.errors import InvalidInput
from services.common.messaging.broker import Unencodable, event_message
from services.common.messaging.consumer import failure_history, retry_step
from services.common.messaging.topology import ATTEMPT_HEADER, FIRST_FAILURE_HEADER, retry_queue_name, work_queue_of
from services.common.settings import SettingsError, load_settings

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def test_default_ladder_and_park_after() -> None:
    broker = load_settings({}).broker
    assert [s.total_seconds() for s in broker.retry_ladder] == [1, 5, 30, 120, 600]
    assert broker.retry_park_after == timedelta(minutes=15)
    # With the defaults a message survives at least 15 minutes of outage: 1+5+30+120+600+600 s before parking.
    waited, attempt = timedelta(0), 0
    while waited < broker.retry_park_after:
        attempt += 1
        waited += retry_step(broker.retry_ladder, attempt)
    assert attempt == 6


def test_each_failure_waits_its_step_and_the_last_step_repeats() -> None:
    ladder = tuple(timedelta(seconds=s) for s in (1, 5, 30))
    assert [retry_step(ladder, n).total_seconds() for n in range(1, 7)] == [1, 5, 30, 30, 30, 30]


def test_settings_read_a_short_ladder_and_refuse_a_bad_one() -> None:
    broker = load_settings({"MOMENTUM_AMQP_RETRY_LADDER": "0.2, 0.5", "MOMENTUM_AMQP_RETRY_PARK_AFTER": "2"}).broker
    assert broker.retry_ladder == (timedelta(seconds=0.2), timedelta(seconds=0.5))
    assert broker.retry_park_after == timedelta(seconds=2)
    for bad in ("0", "1,-5", "soon", ","):
        with pytest.raises(SettingsError, match="MOMENTUM_AMQP_RETRY_LADDER"):
            load_settings({"MOMENTUM_AMQP_RETRY_LADDER": bad})


def test_failure_history_from_headers() -> None:
    first = NOW - timedelta(minutes=3)
    assert failure_history({}, NOW) == (0, NOW)
    assert failure_history({ATTEMPT_HEADER: 4, FIRST_FAILURE_HEADER: first.isoformat()}, NOW) == (4, first)
    # Garbage from a hand-made message restarts the count rather than crashing the consumer.
    assert failure_history({ATTEMPT_HEADER: "many", FIRST_FAILURE_HEADER: "yesterday"}, NOW) == (0, NOW)
    # A first failure "in the future" (clock skew between consumers) is now.
    assert failure_history({FIRST_FAILURE_HEADER: (NOW + timedelta(hours=1)).isoformat()}, NOW)[1] == NOW


def test_queue_names() -> None:
    assert retry_queue_name("streaks.workout-events", timedelta(seconds=30)) == "streaks.workout-events.retry-30000ms.q"
    assert work_queue_of("streaks.workout-events.dead") == "streaks.workout-events"
    with pytest.raises(ValueError):
        work_queue_of("streaks.workout-events")


@pytest.mark.parametrize("at", [datetime(1969, 12, 31, 23, 10, tzinfo=timezone.utc), datetime(1, 1, 1, tzinfo=timezone.utc)])
def test_an_instant_amqp_cannot_carry_is_unencodable_before_any_publish(at: datetime) -> None:
    with pytest.raises(Unencodable, match="int too large"):
        event_message(b"x", "m", {"tenant_id": "t"}, "momentum.events.v1.UserTimezoneChanged", at)
    assert event_message(b"x", "m", {}, "t", NOW).message_id == "m"


@pytest.mark.parametrize(
    "occurred_at",
    [
        datetime(1970, 1, 1, 0, 10, tzinfo=timezone(timedelta(hours=1))),
        datetime(1, 1, 1, tzinfo=timezone.utc),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12))),
        datetime(2026, 1, 1),  # no offset
    ],
)
async def test_add_event_refuses_an_event_the_relay_could_never_publish(occurred_at: datetime) -> None:
    # Not entered: the check runs before any statement, so no database is needed to see it refuse.
    uow = UnitOfWork(engine=None, schema="plans", tenant_id=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="occurred_at"):
        await uow.add_event("plans.user.timezone_changed", events_pb2.UserTimezoneChanged(), "t", occurred_at=occurred_at)
