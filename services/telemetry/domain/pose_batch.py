"""The pose-frame wire format: encode, defensively decode and de-duplicate 1-second landmark batches."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

# Layout of the decompressed payload, all little-endian:
#   u8 version | u32 frame_count | u32 fps_hint
#   frame_count x 33 landmarks x (x, y, z, visibility) float32
#   frame_count x u32 timestamp (ms since the exercise session started)
WIRE_VERSION = 1
LANDMARK_COUNT = 33  # MediaPipe Pose
LANDMARK_CHANNELS = 4  # x, y, z, visibility
HEADER = struct.Struct("<BII")
HEADER_BYTES = HEADER.size  # 9
FRAME_LANDMARK_BYTES = LANDMARK_COUNT * LANDMARK_CHANNELS * 4
FRAME_BYTES = FRAME_LANDMARK_BYTES + 4  # landmarks + timestamp

# Comfortably above the largest compressed request member (120 frames = 64 KiB raw).
_REPLAY_WINDOW_BYTES = 128 * 1024
_GZIP_ONLY = 31  # zlib wbits: gzip container, no zlib/raw fallback
_LANDMARK_DTYPE = np.dtype("<f4")
_TIMESTAMP_DTYPE = np.dtype("<u4")

REJECTION_CODES = frozenset(
    {
        "empty",
        "too_large",
        "bad_gzip",
        "bad_version",
        "bad_fps_hint",
        "length_mismatch",
        "too_many_frames",
        "non_finite",
        "visibility_out_of_range",
        "timestamps_not_increasing",
    }
)


class PoseBatchRejected(ValueError):
    """A batch the patient app sent that telemetry refuses; `code` is stable, `reason` is for humans."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class PoseBatchLimits:
    """What one request may carry. The defaults fit a 1-second batch at up to 120 fps."""

    max_compressed_bytes: int = 512 * 1024
    max_frames: int = 120
    max_fps_hint: int = 240


@dataclass(frozen=True, eq=False)
class PoseBatch:
    """Decoded frames of one batch. Arrays may be read-only views of the request body."""

    landmarks: np.ndarray  # float32 (n, 33, 4)
    timestamps_ms: np.ndarray  # uint32 (n,), strictly increasing
    fps_hint: int

    @property
    def frame_count(self) -> int:
        return int(self.timestamps_ms.shape[0])

    @property
    def first_timestamp_ms(self) -> int:
        return int(self.timestamps_ms[0])

    @property
    def last_timestamp_ms(self) -> int:
        return int(self.timestamps_ms[-1])


def encode_batch(
    landmarks: np.ndarray, timestamps_ms: np.ndarray, fps_hint: int, compresslevel: int = 1
) -> bytes:
    """The gzip body a patient app posts for these frames (also the replay blob's format)."""
    payload = encode_payload(landmarks, timestamps_ms, fps_hint)
    # Level 1: float noise barely compresses better at 9, and 9 costs several times the CPU.
    # wbits=31 writes a gzip member with mtime 0, so equal frames give equal bytes.
    compressor = zlib.compressobj(compresslevel, zlib.DEFLATED, _GZIP_ONLY)
    return compressor.compress(payload) + compressor.flush()


def encode_payload(landmarks: np.ndarray, timestamps_ms: np.ndarray, fps_hint: int) -> bytes:
    """The uncompressed payload (header + landmarks + timestamps)."""
    landmarks = np.asarray(landmarks)
    timestamps_ms = np.asarray(timestamps_ms)
    if landmarks.ndim != 3 or landmarks.shape[1:] != (LANDMARK_COUNT, LANDMARK_CHANNELS):
        raise ValueError(f"landmarks must have shape (n, 33, 4), got {landmarks.shape}")
    if timestamps_ms.shape != (landmarks.shape[0],):
        raise ValueError(
            f"timestamps_ms must have shape ({landmarks.shape[0]},), got {timestamps_ms.shape}"
        )
    if not 0 <= fps_hint <= 0xFFFFFFFF:
        raise ValueError(f"fps_hint must fit in uint32, got {fps_hint}")
    if timestamps_ms.size and (timestamps_ms.min() < 0 or timestamps_ms.max() > 0xFFFFFFFF):
        raise ValueError("timestamps_ms must fit in uint32")
    return b"".join(
        (
            HEADER.pack(WIRE_VERSION, landmarks.shape[0], fps_hint),
            np.ascontiguousarray(landmarks, dtype=_LANDMARK_DTYPE).tobytes(),
            np.ascontiguousarray(timestamps_ms, dtype=_TIMESTAMP_DTYPE).tobytes(),
        )
    )


def decode_batch(body: bytes, limits: PoseBatchLimits = PoseBatchLimits()) -> PoseBatch:
    """Decode one request body, or raise PoseBatchRejected saying why.

    Order matters for cost: the compressed size is checked before any work, the
    9-byte header is inflated on its own, and the rest is inflated with
    `max_length` = announced size + 1, so a gzip bomb is cut off after at most
    ~64 KiB of output (120 frames) and an oversized payload is detected by that
    single extra byte instead of by inflating it.
    """
    if not body:
        raise PoseBatchRejected("empty", "request body is empty")
    if len(body) > limits.max_compressed_bytes:
        raise PoseBatchRejected(
            "too_large",
            f"compressed body is {len(body)} bytes; the limit is {limits.max_compressed_bytes}",
        )
    batch, leftover = _decode_member(body, limits)
    if leftover:
        raise PoseBatchRejected("bad_gzip", "data follows the end of the gzip stream")
    return batch


def decode_replay(blob: bytes, limits: PoseBatchLimits | None = None, *, any_order: bool = False) -> PoseBatch:
    """Decode a replay blob: one gzip member, or several concatenated (one per batch).

    A concatenation of gzip members is itself a valid .gz file, so telemetry can
    append each accepted batch to the replay stream without re-encoding. Timestamps
    must increase across members as well, unless `any_order`: then members may come
    in any order (the raw stream of a session whose batches arrived out of order) and
    the frames come back in time order, a repeated timestamp once. The blob is ours,
    so by default only the structure is checked, not the per-request frame cap.
    """
    limits = limits or PoseBatchLimits(max_frames=2**31)
    if not blob:
        raise PoseBatchRejected("empty", "replay blob is empty")
    view = memoryview(blob)
    members: list[PoseBatch] = []
    offset = 0
    while offset < len(view):
        # zlib copies everything after a member into unused_data; feeding a window that
        # fits one request-sized member keeps a 600-member blob linear instead of quadratic.
        window = view[offset : offset + _REPLAY_WINDOW_BYTES]
        try:
            batch, leftover = _decode_member(window, limits)
        except PoseBatchRejected:
            if len(window) == len(view) - offset:
                raise
            window = view[offset:]  # a member larger than the window: decode it from the whole rest
            batch, leftover = _decode_member(window, limits)
        offset += len(window) - len(leftover)
        if not any_order and members and batch.first_timestamp_ms <= members[-1].last_timestamp_ms:
            raise PoseBatchRejected(
                "timestamps_not_increasing", "a replay member starts before the previous one ended"
            )
        members.append(batch)
    if len(members) == 1:
        return members[0]
    landmarks, timestamps = in_time_order(
        np.concatenate([m.landmarks for m in members]), np.concatenate([m.timestamps_ms for m in members])
    )
    return PoseBatch(landmarks=landmarks, timestamps_ms=timestamps, fps_hint=members[-1].fps_hint)


def in_time_order(landmarks: np.ndarray, timestamps_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frames sorted by timestamp, a repeated timestamp kept once (its first arrival)."""
    if timestamps_ms.shape[0] < 2 or (timestamps_ms[1:] > timestamps_ms[:-1]).all():
        return landmarks, timestamps_ms  # the common case costs one comparison pass
    order = np.argsort(timestamps_ms, kind="stable")
    ordered = timestamps_ms[order]
    keep = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    return landmarks[order[keep]], ordered[keep]


def _decode_member(data: bytes | memoryview, limits: PoseBatchLimits) -> tuple[PoseBatch, bytes]:
    """Decode the first gzip member of `data`; return it and the bytes after it."""
    inflater = zlib.decompressobj(wbits=_GZIP_ONLY)
    try:
        header = inflater.decompress(data, HEADER_BYTES)
    except zlib.error as exc:
        raise PoseBatchRejected("bad_gzip", f"not a valid gzip stream ({exc})") from None
    if len(header) < HEADER_BYTES:
        if inflater.eof:
            raise PoseBatchRejected(
                "length_mismatch", f"payload is {len(header)} bytes, shorter than the 9-byte header"
            )
        raise PoseBatchRejected("bad_gzip", "gzip stream is truncated")

    version, frame_count, fps_hint = HEADER.unpack(header)
    if version != WIRE_VERSION:
        raise PoseBatchRejected("bad_version", f"wire version {version} is not supported; send {WIRE_VERSION}")
    if frame_count == 0:
        raise PoseBatchRejected("empty", "batch announces 0 frames")
    if frame_count > limits.max_frames:
        raise PoseBatchRejected(
            "too_many_frames", f"batch announces {frame_count} frames; the limit is {limits.max_frames}"
        )
    if fps_hint == 0 or fps_hint > limits.max_fps_hint:
        raise PoseBatchRejected(
            "bad_fps_hint", f"fps_hint {fps_hint} is outside 1..{limits.max_fps_hint}"
        )

    expected = frame_count * FRAME_BYTES
    try:
        # One byte more than announced: receiving it proves trailing excess without inflating it all.
        body = inflater.decompress(inflater.unconsumed_tail, expected + 1)
    except zlib.error as exc:
        raise PoseBatchRejected("bad_gzip", f"not a valid gzip stream ({exc})") from None
    if len(body) != expected:
        if len(body) > expected:
            raise PoseBatchRejected(
                "length_mismatch", f"payload is longer than the {frame_count} frames announced"
            )
        if inflater.eof:
            raise PoseBatchRejected(
                "length_mismatch",
                f"payload has {len(body)} bytes after the header; {frame_count} frames need {expected}",
            )
        raise PoseBatchRejected("bad_gzip", "gzip stream is truncated")
    if not inflater.eof:
        # All announced bytes arrived but the gzip trailer (CRC32, size) did not.
        if inflater.unconsumed_tail:
            raise PoseBatchRejected("length_mismatch", "payload is longer than the frames announced")
        raise PoseBatchRejected("bad_gzip", "gzip stream is truncated")

    values = frame_count * LANDMARK_COUNT * LANDMARK_CHANNELS
    landmarks = np.frombuffer(body, dtype=_LANDMARK_DTYPE, count=values)
    landmarks = landmarks.reshape(frame_count, LANDMARK_COUNT, LANDMARK_CHANNELS)
    timestamps = np.frombuffer(
        body, dtype=_TIMESTAMP_DTYPE, count=frame_count, offset=frame_count * FRAME_LANDMARK_BYTES
    )
    _check_values(landmarks, timestamps)
    # Little-endian dtypes are the native ones on every platform we run; astype is then free.
    batch = PoseBatch(
        landmarks=landmarks.astype(np.float32, copy=False),
        timestamps_ms=timestamps.astype(np.uint32, copy=False),
        fps_hint=fps_hint,
    )
    return batch, inflater.unused_data


def _check_values(landmarks: np.ndarray, timestamps: np.ndarray) -> None:
    # One reduction per check over ~4k floats: a few microseconds for a 30-frame batch.
    if not np.isfinite(landmarks).all():
        frame = int(np.argwhere(~np.isfinite(landmarks))[0][0])
        raise PoseBatchRejected("non_finite", f"frame {frame} holds NaN or infinity")
    visibility = landmarks[:, :, 3]
    if visibility.min() < 0.0 or visibility.max() > 1.0:
        frame = int(np.argwhere((visibility < 0.0) | (visibility > 1.0))[0][0])
        raise PoseBatchRejected("visibility_out_of_range", f"frame {frame} has visibility outside [0, 1]")
    # uint32 compared with uint32: no wrap-around, unlike a diff.
    if timestamps.shape[0] > 1 and not (timestamps[1:] > timestamps[:-1]).all():
        frame = int(np.argmax(timestamps[1:] <= timestamps[:-1])) + 1
        raise PoseBatchRejected(
            "timestamps_not_increasing",
            f"frame {frame} timestamp {int(timestamps[frame])} ms does not follow {int(timestamps[frame - 1])} ms",
        )


def unseen_frames(seen_timestamps_ms: np.ndarray, batch: PoseBatch) -> PoseBatch | None:
    """The frames of `batch` whose timestamps are not among those already seen, or None.

    Batches may arrive in any order (parallel uploads, a retry overtaken by the next
    batch): a frame is a duplicate only if its very timestamp was received before.
    """
    if seen_timestamps_ms.size == 0:
        return batch
    fresh = ~np.isin(batch.timestamps_ms, seen_timestamps_ms, assume_unique=True)
    if fresh.all():
        return batch
    if not fresh.any():
        return None
    return PoseBatch(landmarks=batch.landmarks[fresh], timestamps_ms=batch.timestamps_ms[fresh], fps_hint=batch.fps_hint)
