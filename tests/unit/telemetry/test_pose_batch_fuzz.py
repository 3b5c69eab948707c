"""Fuzzing decode_batch: whatever arrives, the answer is a valid PoseBatch or PoseBatchRejected, never a crash."""

from __future__ import annotations

import zlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.telemetry.domain.pose_batch import (
    REJECTION_CODES,
    PoseBatch,
    PoseBatchRejected,
    decode_batch,
    encode_batch,
    encode_payload,
)
from services.telemetry.simulator import synthetic_reps
from services.telemetry.domain.pose_profile import SQUAT_LEFT

FUZZ = settings(
    max_examples=500,
    deadline=None,
    database=None,  # no .hypothesis folder in the repository
    suppress_health_check=[HealthCheck.too_slow],
)

_LANDMARKS, _TIMESTAMPS = synthetic_reps(SQUAT_LEFT, 1, 80, 2.0, noise_degrees=1.0, seed=3)
VALID_PAYLOAD = encode_payload(_LANDMARKS[:30], _TIMESTAMPS[:30], 30)
VALID_BODY = encode_batch(_LANDMARKS[:30], _TIMESTAMPS[:30], 30)


def gzip(payload: bytes) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    return compressor.compress(payload) + compressor.flush()


def decodes_or_rejects(body: bytes) -> None:
    try:
        batch = decode_batch(body)
    except PoseBatchRejected as rejection:
        assert rejection.code in REJECTION_CODES
        return
    assert isinstance(batch, PoseBatch)
    n = batch.frame_count
    assert 1 <= n <= 120
    assert batch.landmarks.shape == (n, 33, 4) and batch.landmarks.dtype == np.float32
    assert batch.timestamps_ms.shape == (n,) and batch.timestamps_ms.dtype == np.uint32
    assert np.isfinite(batch.landmarks).all()
    assert batch.landmarks[:, :, 3].min() >= 0 and batch.landmarks[:, :, 3].max() <= 1
    assert (np.diff(batch.timestamps_ms.astype(np.int64)) > 0).all()


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(body):
    decodes_or_rejects(body)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_payload_inside_valid_gzip(payload):
    decodes_or_rejects(gzip(payload))


@st.composite
def mutated(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if action == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "set":
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at : at + draw(st.integers(1, 16))]
    return bytes(data)


@FUZZ
@given(mutated(VALID_BODY))
def test_mutations_of_a_valid_compressed_body(body):
    decodes_or_rejects(body)


@FUZZ
@given(mutated(VALID_PAYLOAD))
def test_mutations_of_a_valid_payload_recompressed(payload):
    # Re-gzipping gets mutations past the CRC check into header, length and value checks.
    decodes_or_rejects(gzip(payload))


def test_the_unmutated_originals_decode():
    assert decode_batch(VALID_BODY).frame_count == 30
    assert decode_batch(gzip(VALID_PAYLOAD)).frame_count == 30
