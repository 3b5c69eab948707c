"""The clinic's figures per exercise video from summed plays, and the period they are asked for."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.telemetry.domain.video_quality_summary import BadPeriod, ExercisePlays, period, summarise

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def plays(**changes) -> ExercisePlays:
    base = dict(
        exercise_id="e", plays=4, completion_percentage_sum=100 + 80 + 30 + 0, completed_plays=1,
        exits_before_video_start=1, watched_seconds=120.0, rebuffer_seconds=6.0, rebuffer_count=3,
        median_startup_ms=900.0, score_sum=88.0 + 61.5 + 0.0, scored_plays=3,
        band_counts={"poor": 1, "fair": 1, "excellent": 0, "good": 1}, quality_seconds={"720p": 100.0, "480p": 20.0},
    )
    return ExercisePlays(**{**base, **changes})


def test_rates_are_shares_of_the_plays_and_rebuffering_of_the_total_watch_time():
    row = summarise(plays())
    assert row.average_watch_percentage == 52.5  # 210 / 4
    assert (row.completion_rate, row.exit_before_video_start_rate) == (25.0, 25.0)
    assert row.rebuffer_percentage == 5.0  # 6 s stalled per 120 s played
    assert row.rebuffers_per_minute == 1.5  # 3 stalls in 2 minutes played
    assert row.average_score == round(149.5 / 3, 1)
    # One play recorded before scores existed is unscored, not a zero.
    assert row.score_bands == {"poor": 1, "fair": 1, "good": 1, "excellent": 0, "unscored": 1}
    assert list(row.quality_seconds) == ["480p", "720p"]


def test_nothing_played_or_scored_is_zero_or_null_not_a_division_by_zero():
    row = summarise(plays(plays=1, completion_percentage_sum=0, completed_plays=0, watched_seconds=0.0,
                          rebuffer_seconds=0.0, rebuffer_count=0, median_startup_ms=None, score_sum=0.0, scored_plays=0,
                          band_counts={}))
    assert (row.rebuffer_percentage, row.rebuffers_per_minute, row.average_score, row.median_startup_ms) == (0.0, 0.0, None, None)


def test_the_period_defaults_to_the_last_30_days_and_is_bounded():
    assert period(None, None, NOW) == (NOW - timedelta(days=30), NOW)
    assert period(None, NOW - timedelta(days=1), NOW) == (NOW - timedelta(days=31), NOW - timedelta(days=1))
    with pytest.raises(BadPeriod) as backwards:
        period(NOW, NOW, NOW)
    assert backwards.value.field == "to"
    with pytest.raises(BadPeriod) as too_long:
        period(NOW - timedelta(days=367), NOW, NOW)
    assert too_long.value.field == "from"
    assert period(NOW - timedelta(days=366), NOW, NOW)[0] == NOW - timedelta(days=366)
