"""One StreamPoseBatches call per live exercise session, from the gateway to the session's telemetry instance.

A unary call per batch cost about three quarters of telemetry's CPU per batch (docs/performance.md): call
setup, metadata, the service signature, event-loop turns. A stream pays those once per session. It is
opened on the session's first batch and closed when the session ends, after `idle` without a batch, or when
its instance names another owner. Batches of a stream go out in order and telemetry acks them in the same
order, so the n-th ack answers the n-th batch. An HTTP request is answered 200 only with its batch's ack
(telemetry holds the frames); a stream that breaks fails the batches it had not acked with 503, and the
app's retry goes out on a new stream (frame timestamps de-duplicate what telemetry already held).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from typing import Any, Protocol

import grpc

from momentum.telemetry.v1 import telemetry_pb2
from services.common.logging import get_logger
from services.gateway.errors import ApiError, from_grpc, refused

log = get_logger(__name__)

# A patient posts a batch a second; half a minute of silence is a paused or finished session.
IDLE_SECONDS = 30.0
OWNER = re.compile(r"\[owner=([^\]\s]+)\]")


class Ring(Protocol):
    targets: tuple[str, ...]

    def target_for(self, session_key: str) -> str: ...

    def open_pose_stream(self, target: str) -> Any: ...


class StreamClosed(Exception):
    """The stream was closed before this batch was written: the batch may go out on a new one."""


def broken(reason: str) -> ApiError:
    return ApiError(503, "unavailable", f"the telemetry stream broke ({reason}); retry the batch")


class PoseStream:
    """One open call: the batches it has sent and not yet had acked, oldest first."""

    def __init__(self, call: Any, target: str, deadline_seconds: float) -> None:
        self.call = call
        self.target = target
        self.last_used = time.monotonic()
        self._deadline = deadline_seconds
        self._waiting: deque[asyncio.Future[telemetry_pb2.PoseBatchAck]] = deque()
        self._writing = asyncio.Lock()
        self.closed = False
        self._reader = asyncio.ensure_future(self._read())

    @property
    def idle(self) -> bool:
        return not self._waiting

    async def send(self, batch: telemetry_pb2.PoseBatchInStream) -> telemetry_pb2.PoseBatchAck:
        if self.closed:
            raise StreamClosed()
        loop = asyncio.get_running_loop()
        acked: asyncio.Future[telemetry_pb2.PoseBatchAck] = loop.create_future()
        # Queued before it is written, under the lock: the queue's order is the stream's order.
        async with self._writing:
            if self.closed:
                raise StreamClosed()
            self._waiting.append(acked)
            self.last_used = time.monotonic()
            try:
                await self.call.write(batch)
            except grpc.aio.AioRpcError as exc:
                self._fail(from_grpc(exc))
            except (asyncio.InvalidStateError, grpc.aio.UsageError) as exc:  # the call ended under the write
                self._fail(broken(type(exc).__name__))
        expiry = loop.call_later(self._deadline, self._expire, acked)
        try:
            return await acked
        finally:
            expiry.cancel()

    def close(self) -> None:
        """No more batches: telemetry acks what it has, then the call ends."""
        if not self.closed:
            self.closed = True
            asyncio.ensure_future(self._done_writing())

    def cancel(self, reason: str) -> None:
        self._fail(broken(reason))

    async def _done_writing(self) -> None:
        async with self._writing:
            try:
                await self.call.done_writing()
            except (grpc.aio.AioRpcError, asyncio.InvalidStateError, grpc.aio.UsageError):
                pass  # already ended: the reader fails what was waiting

    async def _read(self) -> None:
        failure = broken("telemetry ended it")
        try:
            while True:
                ack = await self.call.read()
                if ack is grpc.aio.EOF:
                    break
                acked = self._waiting.popleft()
                if not acked.done():  # else the deadline already answered it
                    acked.set_result(ack)
        except grpc.aio.AioRpcError as exc:
            failure = from_grpc(exc)
            if failure.status < 500:  # a status for the whole stream (its signature, say) is, for a batch, an outage
                log.warning("pose_stream.refused", target=self.target, status=exc.code().name, detail=exc.details())
                failure = broken(exc.code().name.lower())
        except IndexError:
            failure = broken("an ack without a batch")
            log.error("pose_stream.unexpected_ack", target=self.target)
        except asyncio.CancelledError:
            failure = broken("the gateway is stopping")
        self._fail(failure)

    def _expire(self, acked: asyncio.Future[telemetry_pb2.PoseBatchAck]) -> None:
        if not acked.done():
            acked.set_exception(ApiError(504, "deadline_exceeded", "telemetry did not acknowledge the batch in time; retry it"))
            # Later acks still arrive in order, but a stream this slow is better replaced.
            self._fail(broken("an ack was late"))

    def _fail(self, error: ApiError) -> None:
        self.closed = True
        while self._waiting:
            acked = self._waiting.popleft()
            if not acked.done():
                acked.set_exception(error)
        if not self.call.done():
            self.call.cancel()


class PoseStreams:
    """The gateway's open streams, one per live session, each on the instance that holds the session."""

    def __init__(self, ring: Ring, deadline_seconds: float, idle_seconds: float = IDLE_SECONDS) -> None:
        self._ring = ring
        self._deadline = deadline_seconds
        self._idle = idle_seconds
        self._open: dict[str, PoseStream] = {}
        self._sweeper: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._sweeper = asyncio.ensure_future(self._sweep())

    async def ingest(self, session_key: str, token: str, body: bytes, request_id: str) -> telemetry_pb2.IngestPoseBatchReply:
        """The batch's reply once telemetry holds it, or the ApiError of its refusal (nothing held)."""
        batch = telemetry_pb2.PoseBatchInStream(session_token=token, body=body, request_id=request_id)
        target: str | None = None
        for attempt in (1, 2, 3):
            stream = self._stream(session_key, target)
            try:
                ack = await stream.send(batch)
            except StreamClosed:
                continue  # closed by the idle sweep or a session end just now; nothing was sent
            if ack.WhichOneof("outcome") == "stored":
                return ack.stored
            refusal = ack.refused
            code = _CODES.get(refusal.status, grpc.StatusCode.UNKNOWN)
            owner = OWNER.search(refusal.detail) if code == grpc.StatusCode.ABORTED else None
            if owner and attempt < 3 and owner.group(1) in self._ring.targets and owner.group(1) != stream.target:
                # The session lives elsewhere (instances were added or removed): follow it, once.
                self.close(session_key)
                target = owner.group(1)
                continue
            if code == grpc.StatusCode.ALREADY_EXISTS:
                self.close(session_key)  # the session ended: no batch of it will be held any more
            raise refused(code, refusal.detail, refusal.code or None, refusal.field or None, str(refusal.retry_after_seconds or 1))
        raise ApiError(503, "unavailable", "the telemetry stream kept closing; retry the batch")

    def close(self, session_key: str) -> None:
        stream = self._open.pop(session_key, None)
        if stream is not None:
            stream.close()

    def open_sessions(self) -> dict[str, str]:
        """Session → the target its stream is open to."""
        return {key: stream.target for key, stream in self._open.items() if not stream.closed}

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for stream in self._open.values():
            stream.cancel("the gateway is stopping")
        self._open.clear()

    def _stream(self, session_key: str, target: str | None) -> PoseStream:
        stream = self._open.get(session_key)
        if stream is not None and not stream.closed and (target is None or stream.target == target):
            return stream
        target = target or self._ring.target_for(session_key)
        stream = PoseStream(self._ring.open_pose_stream(target), target, self._deadline)
        self._open[session_key] = stream
        return stream

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(max(self._idle / 4, 0.05))
            quiet_since = time.monotonic() - self._idle
            for key, stream in list(self._open.items()):
                if stream.closed:
                    del self._open[key]
                elif stream.idle and stream.last_used < quiet_since:
                    self.close(key)


_CODES = {code.value[0]: code for code in grpc.StatusCode}
