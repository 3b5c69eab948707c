"""Pose profiles as stored in the exercise catalogue: JSON round trip and refusal of bad profiles."""

from __future__ import annotations

import json

import pytest

from services.telemetry.domain.pose_profile import (
    SHOULDER_ABDUCTION_RIGHT,
    SQUAT_LEFT,
    InvalidPoseProfile,
    PoseLandmark,
    PoseProfile,
)


@pytest.mark.parametrize("profile", [SQUAT_LEFT, SHOULDER_ABDUCTION_RIGHT])
def test_json_round_trip(profile):
    stored = json.dumps(profile.to_dict())
    assert PoseProfile.from_dict(json.loads(stored)) == profile


def test_minimal_profile_takes_defaults():
    profile = PoseProfile.from_dict(
        {
            "primary_joint": [23, 25, 27],
            "target_rom_degrees": [30, 150],
            "flexed_threshold_degrees": 90,
            "extended_threshold_degrees": 140,
        }
    )
    assert profile.primary_joint == (PoseLandmark.LEFT_HIP, PoseLandmark.LEFT_KNEE, PoseLandmark.LEFT_ANKLE)
    assert profile.secondary_joint is None and profile.visibility_threshold == 0.5
    assert profile.closes_to_work and profile.target_rom_span_degrees == 120


def test_direction_follows_threshold_order():
    assert SQUAT_LEFT.closes_to_work
    assert not SHOULDER_ABDUCTION_RIGHT.closes_to_work


def base(**changes):
    data = SQUAT_LEFT.to_dict()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "data, field",
    [
        (base(smoothing=3), "smoothing"),  # unknown field, named
        ({"primary_joint": [23, 25, 27]}, "target_rom_degrees"),
        (base(primary_joint=[23, 25]), "primary_joint"),
        (base(primary_joint=[23, 25, 33]), "primary_joint"),
        (base(primary_joint=[23, 23, 27]), "primary_joint"),
        (base(primary_joint=[23, 25, True]), "primary_joint"),
        (base(secondary_joint="11,23,25"), "secondary_joint"),
        (base(target_rom_degrees=[150, 30]), "target_rom_degrees"),
        (base(target_rom_degrees=[0, 200]), "target_rom_degrees"),
        (base(flexed_threshold_degrees=160), "extended_threshold_degrees"),
        (base(flexed_threshold_degrees="130"), "flexed_threshold_degrees"),
        (base(extended_threshold_degrees=float("nan")), "extended_threshold_degrees"),
        (base(min_rep_seconds=0), "min_rep_seconds"),
        (base(visibility_threshold=1.5), "visibility_threshold"),
        (base(smoothing_window_ms=-1), "smoothing_window_ms"),
        (base(max_gap_ms=0.5), "max_gap_ms"),
        (base(deviation_tolerance_degrees=30), "deviation_tolerance_degrees"),
        (base(use_depth="yes"), "use_depth"),
    ],
)
def test_bad_profiles_name_the_field(data, field):
    with pytest.raises(InvalidPoseProfile) as caught:
        PoseProfile.from_dict(data)
    assert caught.value.field == field


def test_not_an_object():
    with pytest.raises(InvalidPoseProfile):
        PoseProfile.from_dict([1, 2, 3])
