"""`momentum streaks replay` as support staff run it: JSON lines on stdin, the view (and why) on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MOMENTUM = str(Path(sys.executable).parent / "momentum")

HISTORY = [
    {"completed_at": "2026-03-02T15:00:00Z", "minutes": 30},
    {"completed_at": "2026-03-03T03:00:00Z", "minutes": 20, "timezone": "America/New_York"},  # 10 PM EST on Monday
    {"completed_at": "2026-03-04T15:00:00Z", "minutes": 10},
]


def replay(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MOMENTUM, "streaks", "replay", *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_replay_prints_the_view_as_one_json_object():
    done = replay("\n".join(json.dumps(line) for line in HISTORY) + "\n", "--tz", "America/New_York", "--now", "2026-03-05T14:00:00Z")
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    # Monday 10:00 and 22:00 EST are one day; Wednesday is the next workout day.
    assert view["currentDailyStreak"] == 2
    assert view["weeklyMinutes"] == 60 and view["currentWeeklyStreak"] == 1
    assert view["weeklyWorkoutDays"] == [1, 3]
    assert view["lastWorkoutDate"] == "2026-03-04T15:00:00Z"
    assert view["weeklyDaysOffUsed"] == 1 and view["weeklyDaysOffRemaining"] == 2 and view["daysOffPerWeek"] == 3
    assert [d["status"] for d in view["weekCalendar"]] == ["done", "rest", "done", "today", "future", "future", "future"]
    assert "explain" not in view


def test_explain_adds_a_day_by_day_account():
    done = replay(
        "\n".join(json.dumps(line) for line in HISTORY), "--tz", "America/New_York", "--now", "2026-03-12T14:00:00Z",
        "--explain",
    )
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    assert isinstance(view["explain"], list) and len(view["explain"]) >= len(HISTORY)
    assert all(isinstance(line, str) and line for line in view["explain"])


def test_a_malformed_line_is_reported_by_number_and_exits_non_zero():
    lines = [json.dumps(HISTORY[0]), '{"completed_at": "yesterday", "minutes": 5}', json.dumps(HISTORY[2])]
    done = replay("\n".join(lines), "--tz", "UTC", "--now", "2026-03-05T14:00:00Z")
    assert done.returncode != 0
    assert done.stdout == ""
    assert "line 2" in done.stderr

    broken_json = replay(json.dumps(HISTORY[0]) + "\n{not json\n", "--tz", "UTC", "--now", "2026-03-05T14:00:00Z")
    assert broken_json.returncode != 0 and "line 2" in broken_json.stderr

    negative = replay('{"completed_at": "2026-03-02T15:00:00Z", "minutes": -3}\n', "--tz", "UTC", "--now", "2026-03-05T14:00:00Z")
    assert negative.returncode != 0 and "line 1" in negative.stderr


def test_missing_arguments_are_named():
    done = replay("", "--tz", "UTC")
    assert done.returncode == 2 and "--now" in done.stderr
