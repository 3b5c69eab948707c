"""A treatment plan's lifecycle and what a plan may prescribe."""

from __future__ import annotations

from datetime import date, timedelta

from services.common.errors import InvalidInput, RuleViolation
from services.plans.domain.schedule import MAX_DURATION_WEEKS, MAX_FREQUENCY_PER_WEEK

PLAN_STATUSES = ("active", "completed", "expired", "cancelled")
# A finished plan stays finished; an expired one may be reopened when the therapist extends care.
ALLOWED_STATUS_CHANGES = {
    "active": {"completed", "expired", "cancelled"},
    "expired": {"active", "completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}
MAX_TITLE_LENGTH = 200
MAX_EXERCISES = 50
MAX_SETS = 50
MAX_REPS = 500
MAX_HOLD_SECONDS = 600  # a hold longer than ten minutes is a duration typed in the wrong unit


def plan_title(title: str) -> str:
    """The title as stored (trimmed)."""
    if not title.strip() or len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput("title", f"must be 1 to {MAX_TITLE_LENGTH} characters")
    return title.strip()


def check_plan_length(duration_weeks: int, frequency_per_week: int) -> None:
    if not 1 <= duration_weeks <= MAX_DURATION_WEEKS:
        raise InvalidInput("durationWeeks", f"must be between 1 and {MAX_DURATION_WEEKS}")
    if not 1 <= frequency_per_week <= MAX_FREQUENCY_PER_WEEK:
        raise InvalidInput("frequencyPerWeek", f"must be between 1 and {MAX_FREQUENCY_PER_WEEK}")


def next_status(current: str, requested: str | None) -> str:
    """The plan's status after a therapist asks for `requested` (None: leave it)."""
    if requested is None or requested == current:
        return current
    if requested not in PLAN_STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(PLAN_STATUSES)}")
    if requested not in ALLOWED_STATUS_CHANGES[current]:
        raise RuleViolation(f"a {current} plan cannot become {requested}")
    return requested


def plan_last_day(start_date: date, duration_weeks: int) -> date:
    """The plan's last day: its dates are start_date .. start_date + 7 x weeks - 1, both included."""
    return start_date + timedelta(days=7 * duration_weeks - 1)


def within_plan(day: date, start_date: date, duration_weeks: int) -> bool:
    """Whether a completion dated `day` (the patient's local date) belongs to the plan's dates.

    A plan's analytics count only these, as RTM billing counts only data days inside the service
    period: a session done before the plan began or after it ended is not this plan's adherence."""
    return start_date <= day <= plan_last_day(start_date, duration_weeks)


def status_at_end_date(
    status: str, start_date: date, duration_weeks: int, today: date, sessions_planned: int, sessions_completed: int
) -> str | None:
    """What the daily lifecycle job makes of a plan in the patient's local `today`; None: leave it.

    Only an active plan whose last day is before today moves: to `completed` when every scheduled
    session was done, else to `expired` (which a therapist may reopen when extending care). A plan
    still on its last day stays active until that day is over where the patient lives."""
    if status != "active" or today <= plan_last_day(start_date, duration_weeks):
        return None
    if sessions_planned > 0 and sessions_completed >= sessions_planned:
        return "completed"
    return "expired"


def ended_on_after(status_before: str, status_after: str, ended_on: date | None, today: date,
                   start_date: date, duration_weeks: int) -> date | None:
    """The local date care ended, as stored after a status change: none while active; the patient's
    today when a plan stops (never past its last day: one ended by date ended on that day)."""
    if status_after == "active":
        return None
    if status_before != "active":
        return ended_on
    return min(today, plan_last_day(start_date, duration_weeks))


def require_prescription_editable(status: str) -> None:
    """Only a running plan's exercises change; a finished plan keeps what it prescribed."""
    if status != "active":
        raise RuleViolation(f"exercises of a {status} plan cannot change")


def check_exercise_count(count: int) -> None:
    if count == 0:
        raise InvalidInput("exercises", "a plan needs at least one exercise")
    if count > MAX_EXERCISES:
        raise InvalidInput("exercises", f"at most {MAX_EXERCISES} exercises per plan")


def check_dose(where: str, sets: int, reps: int, hold_seconds: int | None = None) -> None:
    if not 1 <= sets <= MAX_SETS:
        raise InvalidInput(f"{where}.sets", f"must be between 1 and {MAX_SETS}")
    if not 1 <= reps <= MAX_REPS:
        raise InvalidInput(f"{where}.reps", f"must be between 1 and {MAX_REPS}")
    if hold_seconds is not None and not 1 <= hold_seconds <= MAX_HOLD_SECONDS:
        raise InvalidInput(f"{where}.holdSeconds", f"must be between 1 and {MAX_HOLD_SECONDS} seconds")
