"""`momentum streaks …`: recalculate stored streaks from the workout projection, replay a history from stdin."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from services.common.parsing import uuid_argument


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def cmd_recalculate(args: argparse.Namespace) -> int:
    from services.common.clock import SystemClock
    from services.common.db import Database, create_engine
    from services.common.settings import load_settings
    from services.streaks.recalculate import recalculate

    settings = load_settings()

    async def run() -> dict:
        # The service's own role: row-level security applies here exactly as in the service.
        database = Database(create_engine(settings.database.app_url("streaks"), 2, settings=settings.database), "streaks")
        try:
            report = await recalculate(
                database, SystemClock(), tenant=args.tenant, apply=args.apply, restart=args.restart,
                batch_size=args.batch_size, max_patients=args.max_patients,
            )
        finally:
            await database.dispose()
        return report.as_json()

    summary = asyncio.run(run())
    verb = "rewritten" if args.apply else "would change (dry run; --apply writes)"
    print(
        f"{summary['patientsDiffering']} of {summary['patientsChecked']} patients differ from a replay; "
        f"{summary['patientsWritten'] if args.apply else summary['patientsDiffering']} {verb}"
        + ("" if summary["complete"] else "; stopped early, rerun to resume"),
        file=sys.stderr,
    )
    print(json.dumps(summary, indent=2))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from services.streaks.replay_command import run

    code, stdout, stderr = run(sys.stdin, args.tz, args.now, args.explain)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return code


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    streaks = commands.add_parser("streaks", help="streak operations").add_subparsers(dest="action", required=True)

    recalc = streaks.add_parser(
        "recalculate",
        help="replay every patient's workouts and report (or with --apply, fix) stored streaks that differ",
        description="Dry run by default. Resumable: an interrupted run continues where it stopped "
        "(--restart starts over). Safe while the service runs: each patient is replaced under its row lock.",
    )
    recalc.add_argument("--tenant", type=uuid_argument, help="only this clinic (default: every clinic with streak data)")
    recalc.add_argument("--apply", action="store_true", help="write the replayed streaks (default: dry run)")
    recalc.add_argument("--restart", action="store_true", help="ignore the saved position and start from the first patient")
    recalc.add_argument("--batch-size", type=_positive, default=200, help="patients per transaction (default 200)")
    recalc.add_argument("--max-patients", type=_positive, help="stop after this many patients (resume later)")
    recalc.set_defaults(run=cmd_recalculate)

    replay = streaks.add_parser(
        "replay",
        help="print the streak view of workouts given as JSON lines on stdin",
        description='Each line: {"completed_at": "2026-03-02T15:00:00Z", "minutes": 30, "timezone": "optional zone"}. '
        "A malformed line is reported by number and the exit code is non-zero.",
    )
    replay.add_argument("--tz", required=True, help="the patient's IANA zone, e.g. Europe/Madrid")
    replay.add_argument("--now", required=True, help="instant to evaluate at, ISO 8601 with offset")
    replay.add_argument("--explain", action="store_true", help="add a day-by-day account of why the streak is what it is")
    replay.set_defaults(run=cmd_replay)
