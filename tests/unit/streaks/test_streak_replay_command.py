"""`momentum streaks replay`: JSON lines in, one JSON view out, exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.streaks.replay_command import run

NOW = "2026-03-07T15:00:00Z"
GOOD = [
    '{"completed_at": "2026-03-02T15:00:00Z", "minutes": 30}',
    "",
    '{"completed_at": "2026-03-03T03:00:00Z", "minutes": 20, "timezone": "America/New_York"}',
]


def test_good_input_prints_one_json_view():
    code, stdout, stderr = run(GOOD, "America/New_York", "2026-03-04T15:00:00Z", explain=False)
    assert (code, stderr) == (0, "")
    assert stdout.count("\n") == 1
    view = json.loads(stdout)
    # 10:00 and 22:00 on Monday in New York (the second is Tuesday in UTC): one workout day.
    assert view["currentDailyStreak"] == 1
    assert view["weeklyWorkoutDays"] == [1]
    assert view["lastWorkoutDate"] == "2026-03-03T03:00:00Z"
    assert view["weeklyMinutes"] == 50 and view["currentWeeklyStreak"] == 1
    assert [day["status"] for day in view["weekCalendar"]][:3] == ["done", "rest", "today"]
    assert "explain" not in view


def test_explain_adds_the_account():
    code, stdout, _ = run(GOOD[:1], "America/New_York", NOW, explain=True)
    assert code == 0
    view = json.loads(stdout)
    assert view["currentDailyStreak"] == 0
    assert any(
        "streak broken — 4th day off in week of 2026-03-02: Tue, Wed, Thu, Fri" in line for line in view["explain"]
    )


@pytest.mark.parametrize(
    "bad_line, problem",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"minutes": 30}', "missing field 'completed_at'"),
        ('{"completed_at": "2026-03-02T15:00:00Z"}', "missing field 'minutes'"),
        ('{"completed_at": "yesterday", "minutes": 30}', "not an ISO 8601 instant"),
        ('{"completed_at": 1772463600, "minutes": 30}', "must be an ISO 8601 string"),
        ('{"completed_at": "2026-03-02T15:00:00", "minutes": 30}', "no timezone offset"),
        ('{"completed_at": "2026-03-02T15:00:00Z", "minutes": -5}', "less than 0"),
        ('{"completed_at": "2026-03-02T15:00:00Z", "minutes": 1441}', "more than 24 hours"),
        ('{"completed_at": "2026-03-02T15:00:00Z", "minutes": 12.5}', "whole number"),
        ('{"completed_at": "2026-03-09T15:00:00Z", "minutes": 30}', "more than a day after now"),
        ('{"completed_at": "2026-03-02T15:00:00Z", "minutes": 30, "timezone": 5}', "timezone must be"),
    ],
)
def test_malformed_line_names_its_number(bad_line, problem):
    code, stdout, stderr = run(GOOD + [bad_line], "UTC", NOW, explain=False)
    assert (code, stdout) == (2, "")
    assert stderr.startswith("error: line 4: ")
    assert problem in stderr


@pytest.mark.parametrize("now", ["not-a-date", "2026-03-07T15:00:00", ""])
def test_invalid_now_exits_2(now):
    code, stdout, stderr = run(GOOD, "UTC", now, explain=False)
    assert (code, stdout) == (2, "")
    assert "--now" in stderr


def test_unknown_zones_fall_back_with_a_warning():
    lines = ['{"completed_at": "2026-03-02T15:00:00Z", "minutes": 30, "timezone": "Atlantis/Capital"}']
    code, stdout, stderr = run(lines, "Mars/Base", NOW, explain=False)
    assert code == 0
    assert "warning: --tz 'Mars/Base' is not a known IANA zone; counting days in UTC" in stderr
    assert "warning: line 1: timezone 'Atlantis/Capital' is unknown; using UTC" in stderr
    assert json.loads(stdout)["weekTimezone"] == "UTC"


def test_no_workouts_is_an_empty_streak():
    code, stdout, _ = run([], "UTC", NOW, explain=False)
    assert code == 0
    assert json.loads(stdout)["currentDailyStreak"] == 0


def test_runs_as_a_program_on_stdin():
    root = Path(__file__).resolve().parents[3]
    finished = subprocess.run(
        [sys.executable, "-m", "services.streaks.replay_command", "--tz", "UTC", "--now", NOW],
        input="\n".join(GOOD),
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root)},
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["lastWorkoutDate"] == "2026-03-03T03:00:00Z"
