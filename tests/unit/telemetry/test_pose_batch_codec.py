"""Pose batch wire format: round trip, every rejection code, the gzip bomb, de-duplication, replay blobs."""

from __future__ import annotations

import struct
import time
import tracemalloc
import zlib

import numpy as np
import pytest

from services.telemetry.domain.pose_batch import (
    HEADER,
    REJECTION_CODES,
    PoseBatch,
    PoseBatchLimits,
    PoseBatchRejected,
    decode_batch,
    decode_replay,
    encode_batch,
    encode_payload,
    in_time_order,
    unseen_frames,
)

def gzip(payload: bytes, level: int = 6) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(payload) + compressor.flush()


def rejected(body: bytes, limits: PoseBatchLimits = PoseBatchLimits()) -> str:
    with pytest.raises(PoseBatchRejected) as caught:
        decode_batch(body, limits)
    assert caught.value.reason and str(caught.value).startswith(caught.value.code)
    return caught.value.code


def with_values(frames: tuple[np.ndarray, np.ndarray], edit) -> bytes:
    """Re-encode the fixture frames after `edit(landmarks, timestamps)` (bypassing nothing: encode is dumb)."""
    landmarks, timestamps = frames[0].copy(), frames[1].astype(np.int64)
    edit(landmarks, timestamps)
    return gzip(
        HEADER.pack(1, landmarks.shape[0], 30)
        + landmarks.astype("<f4").tobytes()
        + timestamps.astype("<u4").tobytes()
    )


def test_round_trip_keeps_every_value(one_second):
    landmarks, timestamps = one_second
    batch = decode_batch(encode_batch(landmarks, timestamps, fps_hint=30))
    assert batch.frame_count == 30 and batch.fps_hint == 30
    assert batch.landmarks.dtype == np.float32 and batch.landmarks.shape == (30, 33, 4)
    assert batch.timestamps_ms.dtype == np.uint32
    np.testing.assert_array_equal(batch.landmarks, landmarks)
    np.testing.assert_array_equal(batch.timestamps_ms, timestamps)
    assert (batch.first_timestamp_ms, batch.last_timestamp_ms) == (int(timestamps[0]), int(timestamps[-1]))


def test_encoding_is_deterministic_and_any_level_decodes(one_second):
    assert encode_batch(*one_second, fps_hint=30) == encode_batch(*one_second, fps_hint=30)
    for level in (0, 1, 6, 9):
        decoded = decode_batch(encode_batch(*one_second, fps_hint=30, compresslevel=level))
        np.testing.assert_array_equal(decoded.landmarks, one_second[0])


def test_payload_layout_is_little_endian_header_landmarks_timestamps(one_second):
    payload = encode_payload(*one_second, fps_hint=25)
    assert payload[:9] == struct.pack("<BII", 1, 30, 25)
    assert len(payload) == 9 + 30 * 33 * 4 * 4 + 30 * 4
    assert struct.unpack("<I", payload[-4:])[0] == int(one_second[1][-1])


def test_encode_refuses_wrong_shapes(one_second):
    landmarks, timestamps = one_second
    with pytest.raises(ValueError):
        encode_batch(landmarks[:, :32], timestamps, 30)
    with pytest.raises(ValueError):
        encode_batch(landmarks, timestamps[:-1], 30)


def test_empty_body_and_empty_batch():
    assert rejected(b"") == "empty"
    assert rejected(gzip(HEADER.pack(1, 0, 30))) == "empty"


def test_oversized_body_is_refused_before_decompression(one_second_body):
    assert rejected(b"\x1f\x8b" + bytes(512 * 1024)) == "too_large"
    assert rejected(one_second_body, PoseBatchLimits(max_compressed_bytes=len(one_second_body) - 1)) == "too_large"


@pytest.mark.parametrize(
    "body",
    [
        b"not gzip at all",
        b"\x1f\x8b\x08\x00garbage-after-a-gzip-magic",
        zlib.compress(b"\x01" + bytes(100)),  # zlib container, not gzip
    ],
)
def test_bad_gzip(body):
    assert rejected(body) == "bad_gzip"


def test_truncated_compressed_body(one_second_body):
    assert rejected(one_second_body[:-4]) == "bad_gzip"  # trailer cut: CRC/size missing
    assert rejected(one_second_body[: len(one_second_body) // 2]) == "bad_gzip"
    assert rejected(one_second_body[:12]) == "bad_gzip"


def test_corrupted_checksum(one_second_body):
    broken = bytearray(one_second_body)
    broken[-8] ^= 0xFF  # CRC32 of the payload
    assert rejected(bytes(broken)) == "bad_gzip"


def test_data_after_the_gzip_stream(one_second_body):
    assert rejected(one_second_body + b"\x00") == "bad_gzip"
    assert rejected(one_second_body + one_second_body) == "bad_gzip"


def test_payload_shorter_or_longer_than_announced(one_second_payload):
    assert rejected(gzip(one_second_payload[:-1])) == "length_mismatch"
    assert rejected(gzip(one_second_payload + b"\x00")) == "length_mismatch"
    assert rejected(gzip(one_second_payload + bytes(10_000))) == "length_mismatch"
    assert rejected(gzip(one_second_payload[:5])) == "length_mismatch"  # not even a header
    frames_29 = HEADER.pack(1, 29, 30) + one_second_payload[9:]
    assert rejected(gzip(frames_29)) == "length_mismatch"
    frames_31 = HEADER.pack(1, 31, 30) + one_second_payload[9:]
    assert rejected(gzip(frames_31)) == "length_mismatch"


@pytest.mark.parametrize("version", [0, 2, 255])
def test_wrong_version(one_second_payload, version):
    assert rejected(gzip(bytes([version]) + one_second_payload[1:])) == "bad_version"


def test_frame_count_over_the_cap(one_second_payload):
    assert rejected(gzip(HEADER.pack(1, 121, 30))) == "too_many_frames"
    assert rejected(gzip(HEADER.pack(1, 2**32 - 1, 30))) == "too_many_frames"
    assert rejected(gzip(one_second_payload), PoseBatchLimits(max_frames=29)) == "too_many_frames"


@pytest.mark.parametrize("fps", [0, 241, 2**32 - 1])
def test_fps_hint_out_of_range(one_second_payload, fps):
    assert rejected(gzip(HEADER.pack(1, 30, fps) + one_second_payload[9:])) == "bad_fps_hint"


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("channel", [0, 2, 3])
def test_non_finite_values(one_second, value, channel):
    def poison(landmarks, _):
        landmarks[17, 5, channel] = value

    assert rejected(with_values(one_second, poison)) == "non_finite"


@pytest.mark.parametrize("visibility", [-0.01, 1.0001, 7.0])
def test_visibility_outside_unit_range(one_second, visibility):
    def blur(landmarks, _):
        landmarks[3, 30, 3] = visibility

    assert rejected(with_values(one_second, blur)) == "visibility_out_of_range"


def test_visibility_bounds_themselves_are_fine(one_second):
    def extremes(landmarks, _):
        landmarks[0, :, 3] = 0.0
        landmarks[1, :, 3] = 1.0

    assert decode_batch(with_values(one_second, extremes)).frame_count == 30


@pytest.mark.parametrize("edit", ["repeat", "decrease", "wrap"])
def test_timestamps_must_increase(one_second, edit):
    def disorder(_, timestamps):
        if edit == "repeat":
            timestamps[10] = timestamps[9]
        elif edit == "decrease":
            timestamps[10] = timestamps[9] - 1
        else:
            timestamps[-1] = 0

    assert rejected(with_values(one_second, disorder)) == "timestamps_not_increasing"


def test_a_single_frame_batch_is_fine(one_second):
    batch = decode_batch(encode_batch(one_second[0][:1], one_second[1][:1], 30))
    assert batch.frame_count == 1


@pytest.fixture(scope="module")
def zeros_200_mb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    return b"".join([compressor.compress(chunk) for _ in range(200)] + [compressor.flush()])


def _decode_measured(body: bytes) -> tuple[str, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        code = rejected(body)
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return code, elapsed, peak


def test_gzip_bomb_of_zeros_costs_nothing(zeros_200_mb):
    assert len(zeros_200_mb) < PoseBatchLimits().max_compressed_bytes  # it passes the size cap
    code, elapsed, peak = _decode_measured(zeros_200_mb)
    assert code == "bad_version"
    assert elapsed < 0.5
    assert peak < 4 * 1024 * 1024


def test_gzip_bomb_behind_a_valid_header_is_cut_at_the_announced_size():
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(HEADER.pack(1, 120, 30))]
    chunk = bytes(1 << 20)
    parts += [compressor.compress(chunk) for _ in range(200)]
    bomb = b"".join(parts + [compressor.flush()])
    assert len(bomb) < PoseBatchLimits().max_compressed_bytes
    code, elapsed, peak = _decode_measured(bomb)
    assert code == "length_mismatch"
    assert elapsed < 0.5
    assert peak < 4 * 1024 * 1024  # 120 frames are 64 KiB; nothing near 200 MB is ever inflated


def test_every_rejection_code_has_an_example(one_second_payload):
    # A code added to REJECTION_CODES without an example here fails this test.
    frames = one_second_payload[9:]
    landmark_bytes = 30 * 33 * 16
    nan = struct.pack("<f", float("nan"))
    blurred = struct.pack("<f", 1.5)
    examples = {
        "empty": b"",
        "too_large": bytes(600_000),
        "bad_gzip": b"plain text",
        "bad_version": gzip(b"\x02" + one_second_payload[1:]),
        "bad_fps_hint": gzip(HEADER.pack(1, 30, 0) + frames),
        "length_mismatch": gzip(one_second_payload + b"\x00"),
        "too_many_frames": gzip(HEADER.pack(1, 500, 30)),
        "non_finite": gzip(one_second_payload[:9] + nan + one_second_payload[13:]),
        "visibility_out_of_range": gzip(one_second_payload[:21] + blurred + one_second_payload[25:]),
        "timestamps_not_increasing": gzip(
            one_second_payload[: 9 + landmark_bytes] + bytes(4) * 30
        ),
    }
    assert set(examples) == REJECTION_CODES
    for code, body in examples.items():
        assert rejected(body) == code, code


def test_unseen_without_history_keeps_everything(one_second_body):
    batch = decode_batch(one_second_body)
    assert unseen_frames(np.empty((0,), dtype=np.uint32), batch) is batch


def test_unseen_drops_only_timestamps_already_received(one_second):
    landmarks, timestamps = one_second
    batch = decode_batch(encode_batch(landmarks, timestamps, 30))
    seen = np.concatenate((timestamps[:5], timestamps[20:]))  # a later batch arrived before this one
    fresh = unseen_frames(seen, batch)
    assert fresh is not None and fresh.frame_count == 15
    np.testing.assert_array_equal(fresh.timestamps_ms, timestamps[5:20])
    np.testing.assert_array_equal(fresh.landmarks, landmarks[5:20])
    assert unseen_frames(timestamps, batch) is None  # a full retry
    assert unseen_frames(np.array([10_000_000], dtype=np.uint32), batch) is batch  # nothing in common


def test_batches_in_any_order_make_one_clean_stream(one_second):
    landmarks, timestamps = one_second
    posted = [(20, 30), (0, 20), (10, 30), (0, 30), (5, 10)]  # overtaken, overlap, full retry, middle retry
    seen = np.empty((0,), dtype=np.uint32)
    kept: list[PoseBatch] = []
    for i, j in posted:
        fresh = unseen_frames(seen, decode_batch(encode_batch(landmarks[i:j], timestamps[i:j], 30)))
        if fresh is not None:
            kept.append(fresh)
            seen = np.concatenate((seen, fresh.timestamps_ms))
    ordered_landmarks, ordered = in_time_order(
        np.concatenate([b.landmarks for b in kept]), np.concatenate([b.timestamps_ms for b in kept])
    )
    np.testing.assert_array_equal(ordered, timestamps)
    np.testing.assert_array_equal(ordered_landmarks, landmarks)


def test_replay_blob_of_concatenated_batches(one_second):
    landmarks, timestamps = one_second
    blob = b"".join(encode_batch(landmarks[i : i + 10], timestamps[i : i + 10], 30) for i in (0, 10, 20))
    replay = decode_replay(blob)
    np.testing.assert_array_equal(replay.landmarks, landmarks)
    np.testing.assert_array_equal(replay.timestamps_ms, timestamps)


def test_replay_blob_as_one_large_member():
    frames = 600
    landmarks = np.random.default_rng(1).uniform(0, 1, (frames, 33, 4)).astype(np.float32)
    timestamps = (np.arange(frames) * 33).astype(np.uint32)
    replay = decode_replay(encode_batch(landmarks, timestamps, 30))
    assert replay.frame_count == frames
    with pytest.raises(PoseBatchRejected):
        decode_batch(encode_batch(landmarks, timestamps, 30))  # too many frames for one request


def test_replay_members_out_of_order_are_refused(one_second):
    landmarks, timestamps = one_second
    first = encode_batch(landmarks[:15], timestamps[:15], 30)
    second = encode_batch(landmarks[15:], timestamps[15:], 30)
    with pytest.raises(PoseBatchRejected) as caught:
        decode_replay(second + first)
    assert caught.value.code == "timestamps_not_increasing"
    # The raw stream of a session whose batches arrived out of order: read back in time order.
    replay = decode_replay(second + first + encode_batch(landmarks[10:20], timestamps[10:20], 30), any_order=True)
    np.testing.assert_array_equal(replay.timestamps_ms, timestamps)
    np.testing.assert_array_equal(replay.landmarks, landmarks)
    with pytest.raises(PoseBatchRejected):
        decode_replay(first + b"junk")
