"""The synthetic patient: its angle curve is the one promised, and its batches are what an app would post."""

from __future__ import annotations

import numpy as np
import pytest

from services.telemetry.domain.joint_angles import joint_angle_series
from services.telemetry.domain.pose_batch import decode_batch, decode_replay
from services.telemetry.simulator import rep_curve, one_second_batches, synthetic_reps


def test_shapes_dtypes_and_clock(squat):
    landmarks, timestamps = synthetic_reps(squat, 3, 70.0, 2.0, fps=30)
    assert landmarks.dtype == np.float32 and landmarks.shape[1:] == (33, 4)
    assert timestamps.dtype == np.uint32 and timestamps.shape == (landmarks.shape[0],)
    assert timestamps[0] == 0 and (np.diff(timestamps.astype(np.int64)) > 0).all()
    assert landmarks.shape[0] == 2 * 30 + 3 * 60 + 1  # lead-in, reps, lead-out, both ends included
    assert (landmarks[:, :, 3] >= 0).all() and (landmarks[:, :, 3] <= 1).all()


def test_primary_angle_follows_the_curve_exactly_without_noise(squat):
    landmarks, timestamps = synthetic_reps(squat, 2, 70.0, 3.0, hold_seconds=1.0)
    angles, _ = joint_angle_series(landmarks, squat.primary_joint, squat.visibility_threshold)
    depth = rep_curve(timestamps / 1000.0, 2, 3.0, hold_seconds=1.0)
    np.testing.assert_allclose(angles, 175.0 - 70.0 * depth, atol=0.01)
    assert angles.min() == pytest.approx(105.0, abs=0.01)


def test_secondary_angle_tilts_with_depth(squat):
    landmarks, timestamps = synthetic_reps(squat, 2, 70.0, 3.0, secondary_deviation_degrees=10.0)
    angles, _ = joint_angle_series(landmarks, squat.secondary_joint, squat.visibility_threshold)
    assert angles.max() == pytest.approx(170.0, abs=0.01) and angles.min() == pytest.approx(160.0, abs=0.01)


def test_stop_after_rep_freezes_the_patient():
    times = np.linspace(0, 20, 2001)
    depth = rep_curve(times, 5, 2.0, stop_after_rep=2.5)
    assert depth[times >= 1 + 2 * 2.0 + 1.0] == pytest.approx(1.0)  # stopped at the bottom of rep 3
    assert rep_curve(times, 5, 2.0, stop_after_rep=2)[times >= 5.0].max() == 0.0


def test_same_seed_same_patient(squat):
    first = synthetic_reps(squat, 2, 70.0, 2.0, noise_degrees=2, dropped_frame_ratio=0.1, seed=9)
    again = synthetic_reps(squat, 2, 70.0, 2.0, noise_degrees=2, dropped_frame_ratio=0.1, seed=9)
    other = synthetic_reps(squat, 2, 70.0, 2.0, noise_degrees=2, dropped_frame_ratio=0.1, seed=10)
    np.testing.assert_array_equal(first[0], again[0])
    assert first[1].shape != other[1].shape or not np.array_equal(first[0], other[0])


def test_one_second_batches_decode_back_to_the_stream(squat):
    landmarks, timestamps = synthetic_reps(squat, 3, 70.0, 2.0, dropped_frame_ratio=0.2, seed=4)
    bodies = one_second_batches(landmarks, timestamps, 30)
    batches = [decode_batch(body) for body in bodies]
    assert len(batches) == int(timestamps[-1]) // 1000 + 1
    for second, batch in enumerate(batches):
        assert (batch.timestamps_ms // 1000 == second).all() and batch.fps_hint == 30
    np.testing.assert_array_equal(np.concatenate([b.landmarks for b in batches]), landmarks)
    replay = decode_replay(b"".join(bodies))
    np.testing.assert_array_equal(replay.timestamps_ms, timestamps)


def test_nothing_to_send():
    assert one_second_batches(np.zeros((0, 33, 4), np.float32), np.zeros(0, np.uint32), 30) == []
