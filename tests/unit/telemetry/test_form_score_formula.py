"""The documented form-score formula, case by case (pose_metrics module docstring)."""

from __future__ import annotations

import dataclasses

import pytest

from services.telemetry.domain.pose_metrics import form_score, position_score
from services.telemetry.domain.pose_profile import SQUAT_LEFT

# Target ROM 90..175 -> 85 degrees wide; alignment tolerance 5, limit 25; target rep 2 s.
PROFILE = SQUAT_LEFT
FULL = 85.0


@pytest.mark.parametrize(
    "peak_rom, deviation, duration_ms, expected",
    [
        (FULL, 0.0, 2000, 100.0),  # everything reached
        (FULL * 1.3, 4.9, 5000, 100.0),  # beyond target and within tolerance: no bonus above 100
        (FULL / 2, 0.0, 2000, 75.0),  # half the range: loses half of the 50 ROM points
        (FULL, 25.0, 2000, 70.0),  # drift at the limit: all 30 alignment points gone
        (FULL, 40.0, 2000, 70.0),  # beyond the limit costs no more
        (FULL, 15.0, 2000, 85.0),  # halfway between tolerance and limit
        (FULL, 0.0, 1000, 90.0),  # twice as fast as the target tempo: half of 20 tempo points
        (0.0, 25.0, 0, 0.0),  # nothing right
        (FULL * 0.8, 10.0, 1500, 100 * (0.5 * 0.8 + 0.3 * 0.75 + 0.2 * 0.75)),
    ],
)
def test_weighted_components(peak_rom, deviation, duration_ms, expected):
    assert form_score(peak_rom, deviation, duration_ms, PROFILE) == pytest.approx(expected, abs=0.05)


def test_unmeasured_alignment_is_left_out_not_scored():
    # Weights renormalise over ROM (0.5) and tempo (0.2): (0.5*0.5 + 0.2*1) / 0.7.
    assert form_score(FULL / 2, None, 2000, PROFILE) == pytest.approx(100 * 0.45 / 0.7, abs=0.05)
    assert form_score(FULL, None, 2000, PROFILE) == 100.0


def test_score_is_rounded_to_one_decimal():
    score = form_score(61.234, 7.77, 1234, PROFILE)
    assert score == round(score, 1)


def test_profile_knobs_change_the_score():
    strict = dataclasses.replace(PROFILE, deviation_tolerance_degrees=0.0, deviation_limit_degrees=10.0)
    assert form_score(FULL, 5.0, 2000, strict) == pytest.approx(85.0)
    slow = dataclasses.replace(PROFILE, target_rep_seconds=4.0)
    assert form_score(FULL, 0.0, 2000, slow) == pytest.approx(90.0)


def test_position_score_is_form_without_tempo():
    assert position_score(FULL, 0.0, PROFILE) == pytest.approx(100.0)
    assert position_score(FULL / 2, 0.0, PROFILE) == pytest.approx(100 * (0.25 + 0.3) / 0.8)
    assert position_score(FULL / 2, None, PROFILE) == pytest.approx(50.0)
