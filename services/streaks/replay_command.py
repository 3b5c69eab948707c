"""`momentum streaks replay`: the streak view of workouts read as JSON lines, with an optional explanation."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime

from services.common.timezones import is_valid_zone, resolve_zone_name
from services.streaks.domain import (
    InvalidWorkout,
    WorkoutRecord,
    build_view,
    explain as explain_history,
    replay,
    validate_workout,
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class _BadLine(Exception):
    pass


def run(lines: Iterable[str], tz: str, now_iso: str, explain: bool) -> tuple[int, str, str]:
    """Replay JSON-line workouts; returns (exit code, stdout, stderr) so the CLI and tests share it."""
    warnings: list[str] = []
    try:
        now = datetime.fromisoformat(now_iso.strip())
    except (ValueError, AttributeError):
        return EXIT_BAD_INPUT, "", f"error: --now {now_iso!r} is not an ISO 8601 instant (e.g. 2026-03-02T15:00:00Z)\n"
    if now.tzinfo is None:
        return EXIT_BAD_INPUT, "", f"error: --now {now_iso!r} has no UTC offset (add Z or +hh:mm)\n"

    zone_name = resolve_zone_name(tz)
    if zone_name != tz:
        warnings.append(f"warning: --tz {tz!r} is not a known IANA zone; counting days in {zone_name}")

    workouts: list[WorkoutRecord] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            workouts.append(_parse_line(line, now, zone_name, number, warnings))
        except _BadLine as problem:
            return EXIT_BAD_INPUT, "", "".join(f"{text}\n" for text in warnings) + f"error: line {number}: {problem}\n"

    view = build_view(replay(workouts, now, zone_name), now, zone_name)
    if explain:
        view["explain"] = explain_history(workouts, now, zone_name)
    # ASCII escapes keep the output safe on any terminal encoding; jq shows the real characters.
    stdout = json.dumps(view) + "\n"
    return EXIT_OK, stdout, "".join(f"{text}\n" for text in warnings)


def _parse_line(line: str, now: datetime, zone_name: str, number: int, warnings: list[str]) -> WorkoutRecord:
    try:
        fields = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(fields, dict):
        raise _BadLine("expected a JSON object with completed_at and minutes")
    for name in ("completed_at", "minutes"):
        if name not in fields:
            raise _BadLine(f"missing field {name!r}")
    text = fields["completed_at"]
    if not isinstance(text, str):
        raise _BadLine(f"completed_at must be an ISO 8601 string, got {text!r}")
    try:
        completed_at = datetime.fromisoformat(text)
    except ValueError:
        raise _BadLine(f"completed_at {text!r} is not an ISO 8601 instant") from None
    recorded_zone = fields.get("timezone")
    if recorded_zone is not None and not isinstance(recorded_zone, str):
        raise _BadLine(f"timezone must be an IANA zone name or null, got {recorded_zone!r}")
    if recorded_zone is not None and not is_valid_zone(recorded_zone):
        # The rules never fail on a zone: the workout counts in the patient's zone instead.
        warnings.append(f"warning: line {number}: timezone {recorded_zone!r} is unknown; using {zone_name}")
        recorded_zone = None
    try:
        validate_workout(completed_at, fields["minutes"], now)
    except InvalidWorkout as invalid:
        raise _BadLine(invalid.reason) from None
    return WorkoutRecord(completed_at=completed_at, minutes=fields["minutes"], timezone=recorded_zone)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="momentum streaks replay", description=__doc__)
    parser.add_argument("--tz", required=True, help="the patient's IANA zone, e.g. Europe/Madrid")
    parser.add_argument("--now", required=True, help="instant to evaluate at, ISO 8601 with offset")
    parser.add_argument("--explain", action="store_true", help="add a day-by-day account of the streak")
    arguments = parser.parse_args(argv)
    code, stdout, stderr = run(sys.stdin, arguments.tz, arguments.now, arguments.explain)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
