"""The gateway's pose streams against a fake telemetry call: an ack answers its own batch, a late ack is a 504
that retires the stream, a quiet stream is closed, and a session held elsewhere is followed there."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from momentum.telemetry.v1 import telemetry_pb2
from services.gateway.errors import ApiError
from services.gateway.pose_streams import PoseStreams


class FakeCall:
    """One StreamPoseBatches call: what was written, and acks the test releases."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.written: list[telemetry_pb2.PoseBatchInStream] = []
        self.acks: asyncio.Queue[Any] = asyncio.Queue()
        self.cancelled = self.finished_writing = False

    async def write(self, batch: telemetry_pb2.PoseBatchInStream) -> None:
        self.written.append(batch)

    async def read(self) -> Any:
        return await self.acks.get()

    async def done_writing(self) -> None:
        self.finished_writing = True
        await self.acks.put(grpc.aio.EOF)

    def done(self) -> bool:
        return self.cancelled

    def cancel(self) -> bool:
        self.cancelled = True
        self.acks.put_nowait(grpc.aio.EOF)
        return True


class FakeRing:
    targets = ("a:1", "b:1")

    def __init__(self) -> None:
        self.calls: list[FakeCall] = []

    def target_for(self, session_key: str) -> str:
        return "a:1"

    def open_pose_stream(self, target: str) -> FakeCall:
        self.calls.append(FakeCall(target))
        return self.calls[-1]


def stored(frames: int) -> telemetry_pb2.PoseBatchAck:
    return telemetry_pb2.PoseBatchAck(stored=telemetry_pb2.IngestPoseBatchReply(session_id="s", frames_accepted=frames))


def refused(status: grpc.StatusCode, detail: str) -> telemetry_pb2.PoseBatchAck:
    return telemetry_pb2.PoseBatchAck(refused=telemetry_pb2.PoseBatchRefusal(status=status.value[0], detail=detail))


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_acks_answer_the_batches_in_the_order_they_were_sent_on_one_stream():
    ring = FakeRing()
    streams = PoseStreams(ring, deadline_seconds=5)
    first = asyncio.create_task(streams.ingest("s", "t", b"one", "r1"))
    second = asyncio.create_task(streams.ingest("s", "t", b"two", "r2"))
    await _settle()
    [call] = ring.calls
    assert [b.body for b in call.written] == [b"one", b"two"] and call.written[1].request_id == "r2"
    await call.acks.put(stored(10))
    await call.acks.put(stored(20))
    assert (await first).frames_accepted == 10 and (await second).frames_accepted == 20


async def test_a_refusal_is_the_status_telemetry_named_and_an_ended_session_closes_its_stream():
    ring = FakeRing()
    streams = PoseStreams(ring, deadline_seconds=5)
    pending = asyncio.create_task(streams.ingest("s", "t", b"x", "r"))
    await _settle()
    await ring.calls[0].acks.put(refused(grpc.StatusCode.ALREADY_EXISTS, "exercise session s has ended"))
    with pytest.raises(ApiError) as error:
        await pending
    assert (error.value.status, error.value.error) == (409, "already_exists")
    assert streams.open_sessions() == {} and ring.calls[0].finished_writing


async def test_a_late_ack_is_a_504_and_the_next_batch_goes_out_on_a_new_stream():
    ring = FakeRing()
    streams = PoseStreams(ring, deadline_seconds=0.05)
    with pytest.raises(ApiError) as late:
        await streams.ingest("s", "t", b"x", "r")
    assert late.value.status == 504 and ring.calls[0].cancelled
    pending = asyncio.create_task(streams.ingest("s", "t", b"x", "r"))
    await _settle()
    assert len(ring.calls) == 2 and ring.calls[1].written[0].body == b"x"
    await ring.calls[1].acks.put(stored(30))
    assert (await pending).frames_accepted == 30


async def test_a_stream_that_ends_under_a_batch_answers_it_503_never_200():
    ring = FakeRing()
    streams = PoseStreams(ring, deadline_seconds=5)
    pending = asyncio.create_task(streams.ingest("s", "t", b"x", "r"))
    await _settle()
    await ring.calls[0].acks.put(grpc.aio.EOF)  # telemetry ended the call without acking the batch
    with pytest.raises(ApiError) as broken:
        await pending
    assert broken.value.status == 503 and broken.value.headers["Retry-After"]


async def test_a_session_held_elsewhere_is_followed_there_on_a_new_stream():
    ring = FakeRing()
    streams = PoseStreams(ring, deadline_seconds=5)
    pending = asyncio.create_task(streams.ingest("s", "t", b"x", "r"))
    await _settle()
    await ring.calls[0].acks.put(refused(grpc.StatusCode.ABORTED, "session s is held by another telemetry instance [owner=b:1]"))
    await _settle()
    assert [c.target for c in ring.calls] == ["a:1", "b:1"] and ring.calls[1].written[0].body == b"x"
    await ring.calls[1].acks.put(stored(30))
    assert (await pending).frames_accepted == 30
    assert streams.open_sessions() == {"s": "b:1"}


async def test_a_quiet_stream_is_closed_and_the_next_batch_opens_another():
    ring = FakeRing()
    streams = PoseStreams(ring, deadline_seconds=5, idle_seconds=0.1)
    streams.start()
    try:
        pending = asyncio.create_task(streams.ingest("s", "t", b"x", "r"))
        await _settle()
        await ring.calls[0].acks.put(stored(30))
        await pending
        await asyncio.sleep(0.4)
        assert streams.open_sessions() == {} and ring.calls[0].finished_writing
        again = asyncio.create_task(streams.ingest("s", "t", b"y", "r"))
        await _settle()
        assert len(ring.calls) == 2
        await ring.calls[1].acks.put(stored(30))
        await again
    finally:
        await streams.stop()
