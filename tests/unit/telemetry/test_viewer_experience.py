"""The viewer-experience score's edges: never started or failed is 0, perfect is 100, worse playback scores lower."""

from __future__ import annotations

import math

import pytest

from services.telemetry.domain.viewer_experience import viewer_experience

PERFECT = dict(
    exit_before_video_start=False, end_reason="completed", startup_ms=0, watched_seconds=60.0, rebuffer_count=0,
    rebuffer_seconds=0.0, quality_seconds={"720p": 30.0, "1080p": 30.0}, dropped_frame_ratio=0.0,
)


def score(**changes) -> float:
    return viewer_experience(**{**PERFECT, **changes}).score


def test_perfect_playback_scores_100():
    assert viewer_experience(**PERFECT).score == 100.0
    assert viewer_experience(**PERFECT) == viewer_experience(**PERFECT).__class__(100.0, 100.0, 100.0, 100.0, 100.0)


def test_exit_before_video_start_scores_0_with_no_other_parts():
    early = viewer_experience(**{**PERFECT, "exit_before_video_start": True, "startup_ms": None, "watched_seconds": 0.0,
                                 "quality_seconds": {}})
    assert (early.score, early.playback_success, early.startup, early.smoothness, early.video_quality) == (
        0.0, 0.0, None, None, None
    )


def test_a_failed_playback_scores_0():
    failed = viewer_experience(**{**PERFECT, "end_reason": "error"})
    assert failed.score == 0.0 and failed.playback_success == 0.0 and failed.startup == 100.0


@pytest.mark.parametrize("startup_ms, expected", [(400, 95.2), (2000, 80.0), (8000, 50.0), (20_000, 28.6)])
def test_startup_part_follows_muxs_curve(startup_ms, expected):
    # 8 / (8 + s) * 100, Mux's published examples: 400 ms -> 95, 2 s -> 80, 8 s -> 50, 20 s -> 29.
    assert viewer_experience(**{**PERFECT, "startup_ms": startup_ms}).startup == expected


def test_an_8_second_startup_alone_scores_the_cube_root():
    # (50 * 100 * 100) ^ (1/3); not the arithmetic 83.3.
    assert score(startup_ms=8000) == round((50 * 100 * 100) ** (1 / 3), 1) == 79.4


def test_score_falls_as_startup_grows():
    scores = [score(startup_ms=ms) for ms in (0, 500, 1000, 3000, 10_000, 60_000)]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_score_falls_as_rebuffer_share_grows_at_a_fixed_count():
    scores = [score(rebuffer_count=1, rebuffer_seconds=s) for s in (0.5, 2.0, 6.0, 15.0, 40.0)]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    assert max(scores) < 100.0


def test_smoothness_reproduces_muxs_worked_example():
    # Mux: a 20-minute video with four 15 s stalls -> the mean of 44 (count) and 60 (share) = 52-54.
    part = viewer_experience(**{**PERFECT, "watched_seconds": 1200.0, "rebuffer_count": 4, "rebuffer_seconds": 60.0}).smoothness
    by_count = 100 / math.sqrt(1 + (4 / 2) ** 2)  # 44.7
    by_share = 100 * math.exp(-10 * 60 / (0 + 1200 + 60))  # r over viewing time: 62.1
    assert part == round((by_count + by_share) / 2, 1) == 53.4


def test_upscaled_renditions_and_dropped_frames_lower_video_quality():
    # 480p is 720/480 - 1 = 0.5 upscaled throughout: e^(-0.33 * 0.5) = 84.8, Mux's "50 % upscaling -> 85".
    assert viewer_experience(**{**PERFECT, "quality_seconds": {"480p": 60.0}}).video_quality == 84.8
    # Half at 360p (U 1.0), half at 1080p (0): U_avg 0.5, U_max 1.0, 10 % frames dropped.
    mixed = viewer_experience(**{**PERFECT, "quality_seconds": {"360p": 30.0, "1080p": 30.0}, "dropped_frame_ratio": 0.1})
    assert mixed.video_quality == round(100 * math.exp(-0.33 * (0.15 * 1.0 + 0.85 * 0.5)) * 0.9, 1) == 74.4
    # A label without a height is no evidence of upscaling.
    assert viewer_experience(**{**PERFECT, "quality_seconds": {"auto": 60.0}}).video_quality == 100.0


def test_no_startup_figure_leaves_that_part_out():
    no_start = viewer_experience(**{**PERFECT, "startup_ms": None, "quality_seconds": {"480p": 60.0}})
    assert no_start.startup is None and no_start.score == round(math.sqrt(100 * 84.8), 1)
