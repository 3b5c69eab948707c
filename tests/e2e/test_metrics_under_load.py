"""What an engineer on call reads off each process's own metrics port while patients use Momentum: every metric
family issue 17 lists, scraped before, during and after a bounded run of the load driver (bench/load), with the
faults an on-call engineer is paged for injected on the way."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from datetime import datetime, timezone

import aio_pika
import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.load.patients import Pace
from bench.load.run import parse_args, run_load, seed, start_stack
from momentum.entrances.v1 import entrances_pb2
from services.common.messaging.topology import EVENTS_EXCHANGE
from services.common.settings import SERVICES, Settings
from tests.support.broker_probe import publish_event
from tests.support.db_probe import Probe
from tests.support.ports import free_port
from tests.support.waiting import eventually

# Counters and histograms (by their _count) the load itself moves, by the process that exports them.
MOVED_BY_LOAD = {
    "gateway": [
        "momentum_http_requests_total", "momentum_http_request_seconds_count",
        "momentum_grpc_client_handled_total", "momentum_grpc_client_handling_seconds_count",
    ],
    "plans": [
        "momentum_grpc_server_handled_total", "momentum_grpc_server_handling_seconds_count",
        "momentum_outbox_published_total", "momentum_consumer_deliveries_total", "momentum_consumer_handling_seconds_count",
        "momentum_plans_completions_total", "momentum_plans_mirror_workouts_total",
    ],
    "streaks": ["momentum_consumer_deliveries_total", "momentum_consumer_handling_seconds_count"],
    "entrances": [
        "momentum_grpc_server_handled_total", "momentum_grpc_client_handled_total", "momentum_outbox_published_total",
        "momentum_consumer_deliveries_total", "momentum_entrances_finalizations_total",
    ],
    "telemetry": [
        "momentum_grpc_server_handled_total", "momentum_telemetry_pose_batches_total", "momentum_telemetry_pose_bytes_total",
        "momentum_telemetry_pose_frames_total", "momentum_telemetry_sessions_ended_total",
        "momentum_telemetry_session_seconds_count",
    ],
}
# Gauges: some scrape during or after the run reads another value than before it.
GAUGES_THAT_MOVE = {
    "plans": ["momentum_billing_records", "momentum_outbox_backlog_rows", "momentum_outbox_oldest_age_seconds",
              "momentum_outbox_quarantined_rows"],
    "entrances": ["momentum_entrances_pending", "momentum_entrances_oldest_overdue_seconds"],
    "telemetry": ["momentum_telemetry_sessions_in_flight"],
}
# Moved by the faults the run injects, each what one alert of infra/observability/alerts is about:
# - a purged delay queue: the sweep finalizes those entrances late, so they are overdue for a while;
# - a finalization job no finalizer can read: parked, a dead letter;
# - a queue bound to one plans event that refuses every message: the broker nacks it, so plans' relay counts a
#   publish failure and the row waits, aging, in the backlog until the queue is gone;
# - a plans outbox row AMQP cannot carry (an instant before 1970): quarantined;
# - streaks' inbox locked and the connections waiting for it dropped (SQLSTATE 57P01, as when Postgres restarts):
#   streaks' consumer pauses for the outage and retries what it was handling.
MOVED_BY_FAULTS = {
    "entrances": ["momentum_consumer_parked_total", "momentum_dead_letter_messages"],
    "plans": ["momentum_outbox_publish_failures_total", "momentum_outbox_quarantined_total"],
    "streaks": ["momentum_consumer_retries_total", "momentum_consumer_pauses_total"],
}
# Every service exports the messaging families, whichever of them this run moves in its process.
EXPORTED_BY_EVERY_SERVICE = [
    "momentum_outbox_backlog_rows", "momentum_outbox_oldest_age_seconds", "momentum_outbox_publish_failures_total",
    "momentum_outbox_quarantined_rows", "momentum_consumer_retries_total", "momentum_consumer_pauses_total",
    "momentum_dead_letter_messages",
]
EXPORTED = {"plans": ["momentum_billing_records_unclosed"]}

WINDOW_SECONDS = 8
DELAY_QUEUE = f"entrances.finalize.delay-{WINDOW_SECONDS * 1000}ms.q"


def parse(text: str) -> tuple[dict[str, float], set[str]]:
    """(each sample name's sum over its labels, every family the text declares, counters with `_total`)."""
    sums: dict[str, float] = defaultdict(float)
    declared: set[str] = set()
    for family in text_string_to_metric_families(text):
        declared.add(family.name + ("_total" if family.type == "counter" else ""))
        for sample in family.samples:
            sums[sample.name] += sample.value
    return sums, declared


class Ports:
    """Every process's metrics endpoint: the gateway's /metrics, each service's MOMENTUM_<SVC>_METRICS_PORT."""

    def __init__(self, base_url: str, service_ports: dict[str, int]) -> None:
        self.urls = {"gateway": f"{base_url}/metrics"} | {s: f"http://127.0.0.1:{p}/" for s, p in service_ports.items()}
        self.seen: dict[str, dict[str, set[float]]] = defaultdict(lambda: defaultdict(set))

    async def scrape(self, http: httpx.AsyncClient) -> dict[str, tuple[dict[str, float], set[str]]]:
        found = {}
        for process, url in self.urls.items():
            reply = await http.get(url)
            assert reply.status_code == 200, f"{process} metrics: {reply.status_code}"
            found[process] = parse(reply.text)
            for name, value in found[process][0].items():
                self.seen[process][name].add(value)
        return found

    async def watch(self, http: httpx.AsyncClient, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.scrape(http)
            try:
                await asyncio.wait_for(stop.wait(), timeout=0.5)
            except TimeoutError:
                pass


async def inject_faults(ports: Ports, http: httpx.AsyncClient, broker_url: str) -> int:
    """Once entrances are pending: their finalization messages purged (the sweep's case), and one poison job."""
    await eventually(lambda: ports.scrape(http), lambda s: s["entrances"][0].get("momentum_entrances_pending", 0) > 0,
                     timeout=30, every=0.5)
    purged = await purge_queue_at(broker_url, DELAY_QUEUE)
    job = entrances_pb2.FinalizeEntranceJob(entrance_id="not-an-entrance", patient_id=str(uuid.uuid4()))
    message_id = f"poison-{uuid.uuid4()}"
    await publish_event(broker_url, "entrances.finalize", job.SerializeToString(), message_id,
                        {"tenant_id": str(uuid.uuid4()), "message_id": message_id}, "")
    return purged


async def refuse_one_plans_event(ports: Ports, http: httpx.AsyncClient, settings: Settings) -> None:
    """Two plans outbox rows: one whose only queue refuses it (the broker nacks; the relay keeps the row, counts a
    failure and backs off) until that queue is deleted, and one AMQP cannot carry (quarantined at once)."""
    failures = "momentum_outbox_publish_failures_total"
    before = (await ports.scrape(http))["plans"][0].get(failures, 0)
    connection = await aio_pika.connect(settings.broker.url)
    probe = await Probe.connect()
    try:
        channel = await connection.channel()
        refusing = await channel.declare_queue(
            "", exclusive=True, arguments={"x-max-length": 0, "x-overflow": "reject-publish"},
        )
        routing_key = f"probe.refused.{uuid.uuid4().hex}"
        await refusing.bind(EVENTS_EXCHANGE, routing_key=routing_key)
        await probe.connection.execute(
            "INSERT INTO plans.outbox (message_id, routing_key, tenant_id, message_type, body, occurred_at) "
            "VALUES ($1, $2, $3, 'probe', ''::bytea, $4), ($5, 'probe.before-1970', $3, 'probe', ''::bytea, $6)",
            f"refused-{uuid.uuid4()}", routing_key, uuid.uuid4(), datetime.now(timezone.utc),
            f"unencodable-{uuid.uuid4()}", datetime(1960, 1, 1, tzinfo=timezone.utc),
        )
        await eventually(
            lambda: ports.scrape(http),
            lambda s: s["plans"][0].get(failures, 0) > before
            and s["plans"][0].get("momentum_outbox_backlog_rows", 0) >= 1
            and s["plans"][0].get("momentum_outbox_oldest_age_seconds", 0) >= 1,
            timeout=20, every=0.5,
        )
        await refusing.delete(if_unused=False, if_empty=False)
    finally:
        await probe.close()
        await connection.close()


async def drop_streaks_waiting_for_its_inbox() -> int:
    """streaks' inbox locked against writes until some delivery waits for it; those connections dropped."""
    probe = await Probe.connect()
    held = await probe.hold("LOCK TABLE streaks.inbox IN EXCLUSIVE MODE")
    try:
        await eventually(lambda: probe.waiting_on(held, "momentum_streaks"), lambda n: n >= 1, timeout=20, every=0.2)
        return await probe.terminate_waiting_on(held, "momentum_streaks")
    finally:
        await held.release()
        await probe.close()


async def purge_queue_at(broker_url: str, name: str) -> int:
    connection = await aio_pika.connect(broker_url)
    try:
        queue = await (await connection.channel()).get_queue(name, ensure=True)
        return int((await queue.purge()).message_count)
    finally:
        await connection.close()


async def test_every_listed_metric_moves_on_its_own_port_under_the_load_driver() -> None:
    started = time.monotonic()
    metrics_ports = {service: free_port() for service in SERVICES}
    stack, settings = await start_stack(
        **{f"MOMENTUM_{s.upper()}_METRICS_PORT": str(p) for s, p in metrics_ports.items()},
        MOMENTUM_MONITOR_SECONDS="1", ENTRANCE_FINALIZE_DELAY=str(WINDOW_SECONDS), ENTRANCE_SWEEP_INTERVAL="2",
        ENTRANCE_SWEEP_GRACE="3",
    )
    try:
        args = parse_args([
            "--duration", "20", "--patients", "12", "--clinics", "2", "--open-every", "30", "--complete-every", "40",
            "--sample-every", "5",
        ])
        pace = Pace(open_every=args.open_every, streak_every=args.streak_every, complete_every=args.complete_every)
        population = await seed(settings, args.patients, args.clinics, weeks=2)
        ports = Ports(stack.base_url, metrics_ports)
        async with httpx.AsyncClient(timeout=10) as http:
            before = await ports.scrape(http)
            stop = asyncio.Event()
            watching = asyncio.create_task(ports.watch(http, stop))
            faults = asyncio.gather(
                inject_faults(ports, http, settings.broker.url),
                refuse_one_plans_event(ports, http, settings),
                drop_streaks_waiting_for_its_inbox(),
            )
            figures, _, _ = await run_load(args, stack.base_url, settings.broker.vhost, stack.memory, population, pace, stack)
            purged, _, dropped = await faults
            # Every entrance of the run finalized (the purged ones by the sweep), the poison job a dead letter, and
            # plans' refused row published once nothing refused it any more.
            after = await eventually(
                lambda: ports.scrape(http),
                lambda s: s["entrances"][0].get("momentum_entrances_pending", 1) == 0
                and s["entrances"][0].get("momentum_dead_letter_messages", 0) >= 1
                and s["plans"][0].get("momentum_outbox_backlog_rows", 1) == 0,
                timeout=30, every=0.5,
            )
            stop.set()
            await watching
    finally:
        await stack.stop_all()

    assert figures["error_rate"] < 0.01, figures
    assert purged >= 1, "the purge found no finalization message: the overdue gauge had nothing to show"
    assert dropped >= 1, "no streaks connection waited for the locked inbox"
    still = {
        process: [name for name in names if after[process][0].get(name, 0) <= before[process][0].get(name, 0)]
        for process, names in (MOVED_BY_LOAD | MOVED_BY_FAULTS).items()
    }
    assert not any(still.values()), f"counters that did not move: {still}"
    flat = {
        process: [name for name in names if ports.seen[process][name] <= {before[process][0].get(name, 0.0)}]
        for process, names in GAUGES_THAT_MOVE.items()
    }
    assert not any(flat.values()), f"gauges that never left their first value: {flat}"
    missing = {
        process: [
            name for name in EXPORTED_BY_EVERY_SERVICE + EXPORTED.get(process, []) if name not in after[process][1]
        ]
        for process in SERVICES
    }
    assert not any(missing.values()), f"families a service does not export: {missing}"
    assert time.monotonic() - started < 120
