"""How the clinic dashboard ranks its exercises and sums up its plans' outcomes."""

from __future__ import annotations

import uuid
from typing import Any

from services.plans.domain.dashboard import plan_outcomes, rank_exercises, with_completion


def usage(name: str, prescribed: int, done: int, pose: float | None = None, plans: int = 1) -> dict[str, Any]:
    return {"exercise_id": uuid.uuid4(), "name": name, "plans_prescribed": plans, "sessions_prescribed": prescribed,
            "sessions_done": done, "average_pose": pose, "average_watch": None}


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["name"] for row in rows]


def test_completion_is_the_share_of_prescribed_sessions_done() -> None:
    [squat, idle] = with_completion([usage("squat", 8, 6), usage("idle", 0, 0)])
    assert (squat["completion_percent"], idle["completion_percent"]) == (75.0, None)


def test_an_exercise_needs_three_sessions_before_it_is_ranked_on_performance() -> None:
    rows = with_completion([usage("lucky", 2, 2, plans=9), usage("steady", 3, 3), usage("weak", 4, 1)])
    most, best, worst = rank_exercises(rows)
    assert names(best) == ["steady", "weak"] and names(worst) == ["weak", "steady"]
    assert names(most)[0] == "lucky"  # prescription counts rank every exercise


def test_equal_completion_is_decided_by_pose_accuracy_then_name() -> None:
    rows = with_completion([usage("b", 4, 4, 80.0), usage("a", 4, 4, 80.0), usage("c", 4, 4, None), usage("d", 4, 4, 95.0)])
    _, best, worst = rank_exercises(rows)
    assert names(best) == ["d", "a", "b", "c"]
    assert names(worst) == ["c", "a", "b", "d"]


def test_at_most_five_of_each_are_shown() -> None:
    rows = with_completion([usage(f"e{i}", 5, i) for i in range(8)])
    assert [len(part) for part in rank_exercises(rows)] == [5, 5, 5]


def test_outcomes_are_shares_of_the_finished_plans() -> None:
    figures = plan_outcomes({"active": 4, "completed": 3, "cancelled": 1})
    assert (figures["active"], figures["completed"], figures["expired"], figures["cancelled"]) == (4, 3, 0, 1)
    assert (figures["completed_percent"], figures["expired_percent"], figures["cancelled_percent"]) == (75.0, 0.0, 25.0)
    assert plan_outcomes({"active": 2})["completed_percent"] is None
