"""Shared fixtures of the telemetry domain tests: profiles and ready-made pose batches."""

from __future__ import annotations

import numpy as np
import pytest

from services.telemetry.domain.pose_batch import encode_batch, encode_payload
from services.telemetry.domain.pose_profile import SHOULDER_ABDUCTION_RIGHT, SQUAT_LEFT, PoseProfile
from services.telemetry.simulator import synthetic_reps


@pytest.fixture
def squat() -> PoseProfile:
    return SQUAT_LEFT


@pytest.fixture
def abduction() -> PoseProfile:
    return SHOULDER_ABDUCTION_RIGHT


@pytest.fixture(scope="session")
def one_second() -> tuple[np.ndarray, np.ndarray]:
    """30 frames (one second at 30 fps) of a patient mid-squat."""
    landmarks, timestamps = synthetic_reps(SQUAT_LEFT, 1, 80, 3.0, noise_degrees=1.0, seed=7)
    return landmarks[30:60].copy(), timestamps[30:60].copy()


@pytest.fixture(scope="session")
def one_second_body(one_second) -> bytes:
    return encode_batch(*one_second, fps_hint=30)


@pytest.fixture(scope="session")
def one_second_payload(one_second) -> bytes:
    return encode_payload(*one_second, fps_hint=30)
