"""How the clinic dashboard judges its exercises and sums up its plans' outcomes."""

from __future__ import annotations

from typing import Any

# An exercise needs this many logged sessions before it is ranked best or worst: one lucky
# or unlucky session says nothing about how the exercise works for the clinic's patients.
MIN_RANKED_SESSIONS = 3
TOP_EXERCISES = 5
# Best and worst performance are judged on recent sessions: how an exercise works for patients now,
# and a bounded scan however long the clinic's history grows.
PERFORMANCE_WINDOW_DAYS = 90
FINISHED = ("completed", "expired", "cancelled")


def percent(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 2)


def with_completion(usage: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each exercise's share of prescribed sessions done (None when none was prescribed)."""
    for row in usage:
        done, prescribed = row["sessions_done"], row["sessions_prescribed"]
        row["completion_percent"] = percent(done / prescribed) if prescribed else None
    return usage


def rank_exercises(usage: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(most prescribed, best performing, worst performing), TOP_EXERCISES each. Performance is the
    completion share, then pose accuracy (none counts lowest), then the name for a stable order;
    only exercises with MIN_RANKED_SESSIONS are ranked on performance."""
    ranked = [row for row in usage if row["sessions_prescribed"] >= MIN_RANKED_SESSIONS]

    def performance(row: dict[str, Any]) -> tuple[float, float]:
        return (row["completion_percent"], row["average_pose"] if row["average_pose"] is not None else -1.0)

    best = sorted(ranked, key=lambda r: (-performance(r)[0], -performance(r)[1], r["name"]))[:TOP_EXERCISES]
    worst = sorted(ranked, key=lambda r: (performance(r)[0], performance(r)[1], r["name"]))[:TOP_EXERCISES]
    most = sorted(usage, key=lambda r: (-r["plans_prescribed"], -r["sessions_prescribed"], r["name"]))[:TOP_EXERCISES]
    return most, best, worst


def plan_outcomes(counts: dict[str, int]) -> dict[str, Any]:
    """Plans per status, and each way of finishing as a share of the finished plans."""
    figures: dict[str, Any] = {status: counts.get(status, 0) for status in ("active", *FINISHED)}
    finished = sum(counts.get(status, 0) for status in FINISHED)
    for status in FINISHED:
        figures[f"{status}_percent"] = percent(counts.get(status, 0) / finished) if finished else None
    return figures
