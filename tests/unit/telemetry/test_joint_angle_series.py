"""Joint angles from landmarks, visibility gating, gap bridging and time-window smoothing."""

from __future__ import annotations

import numpy as np
import pytest

from services.telemetry.domain.joint_angles import fill_short_gaps, joint_angle_series, smooth


def frames_with(points: list[tuple[float, float, float]], visibility: float = 1.0, count: int = 3) -> np.ndarray:
    landmarks = np.zeros((count, 33, 4), np.float32)
    for index, (x, y, z) in enumerate(points):
        landmarks[:, index, :3] = (x, y, z)
    landmarks[:, :, 3] = visibility
    return landmarks


@pytest.mark.parametrize(
    "a, c, degrees",
    [
        ((0, -1, 0), (1, 0, 0), 90.0),
        ((0, -1, 0), (0, 1, 0), 180.0),
        ((1, 0, 0), (1, 1, 0), 45.0),
        ((1, 0, 0), (1, 0.001, 0), 0.0573),
    ],
)
def test_interior_angle_in_the_image_plane(a, c, degrees):
    landmarks = frames_with([a, (0, 0, 0), c])
    angles, low = joint_angle_series(landmarks, (0, 1, 2), 0.5)
    assert angles == pytest.approx([degrees] * 3, abs=1e-3)
    assert not low.any()


def test_depth_is_ignored_unless_asked_for():
    landmarks = frames_with([(0, -1, 0), (0, 0, 0), (1, 0, 1)])
    assert joint_angle_series(landmarks, (0, 1, 2), 0.5)[0][0] == pytest.approx(90.0)
    assert joint_angle_series(landmarks, (0, 1, 2), 0.5, use_depth=True)[0][0] == pytest.approx(90.0)
    tilted = frames_with([(1, 0, 0), (0, 0, 0), (1, 0, 1)])
    assert joint_angle_series(tilted, (0, 1, 2), 0.5)[0][0] == pytest.approx(0.0, abs=1e-6)
    assert joint_angle_series(tilted, (0, 1, 2), 0.5, use_depth=True)[0][0] == pytest.approx(45.0)


def test_aspect_ratio_undoes_normalised_coordinates():
    # A true 45-degree angle on a 16:9 frame: x is normalised by the wider side.
    aspect = 16 / 9
    landmarks = frames_with([(1 / aspect, 0, 0), (0, 0, 0), (1 / aspect, 1, 0)])
    skewed = joint_angle_series(landmarks, (0, 1, 2), 0.5)[0][0]
    true = joint_angle_series(landmarks, (0, 1, 2), 0.5, frame_aspect_ratio=aspect)[0][0]
    assert true == pytest.approx(45.0) and skewed != pytest.approx(45.0, abs=5)


def test_any_landmark_below_threshold_gates_the_frame():
    landmarks = frames_with([(0, -1, 0), (0, 0, 0), (1, 0, 0)])
    landmarks[1, 2, 3] = 0.49
    angles, low = joint_angle_series(landmarks, (0, 1, 2), 0.5)
    assert np.isnan(angles[1]) and low.tolist() == [False, True, False]


def test_collapsed_segments_are_untracked_not_zero():
    landmarks = frames_with([(0, 0, 0), (0, 0, 0), (1, 0, 0)])
    angles, low = joint_angle_series(landmarks, (0, 1, 2), 0.5)
    assert np.isnan(angles).all() and not low.any()


def test_short_gaps_are_interpolated_long_ones_kept():
    times = np.array([0, 100, 200, 300, 400, 1500, 1600, 1700])
    values = np.array([10.0, np.nan, np.nan, 40.0, 50.0, np.nan, np.nan, 80.0])
    values[5] = np.nan
    filled = fill_short_gaps(values, times, max_gap_ms=500)
    assert filled[:5] == pytest.approx([10, 20, 30, 40, 50])
    assert np.isnan(filled[5]) and np.isnan(filled[6])  # 400 -> 1700 ms is too long to invent
    leading = fill_short_gaps(np.array([np.nan, 1.0, 2.0]), np.array([0, 10, 20]), 500)
    assert np.isnan(leading[0])  # nothing before it to interpolate from


def test_smoothing_is_a_time_window_average_that_skips_untracked_frames():
    times = np.array([0, 33, 67, 100, 133, 500])
    values = np.array([0.0, 3.0, np.nan, 9.0, 12.0, 100.0])
    smoothed = smooth(values, times, window_ms=150)  # +-75 ms
    assert smoothed[1] == pytest.approx((0 + 3 + 9) / 3)  # 0..100 ms, the NaN skipped
    assert np.isnan(smoothed[2])
    assert smoothed[5] == 100.0  # alone in its window
    assert smooth(values, times, window_ms=0) is not values
