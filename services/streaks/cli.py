"""`momentum streaks …`: recalculate stored streaks from the workout projection, replay a history from stdin."""

from __future__ import annotations

import sys
import uuid
from typing import Annotated, Any, Optional

import typer

from services.cli_kit import uuid_value, Json, emit, progress, run, service_database, table


def register(app: typer.Typer) -> None:
    streaks = typer.Typer(help="Streak operations: recalculate stored streaks, replay a history.", no_args_is_help=True)
    streaks.command("recalculate")(recalculate)
    streaks.command("replay")(replay)
    app.add_typer(streaks, name="streaks")


def recalculate(
    tenant: Annotated[
        Optional[uuid.UUID], typer.Option(help="Only this clinic (default: every clinic with streak data).", parser=uuid_value)
    ] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Write the replayed streaks (default: dry run).")] = False,
    restart: Annotated[
        bool, typer.Option("--restart", help="Ignore the saved position and start from the first patient.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Patients per transaction.")] = 200,
    max_patients: Annotated[
        Optional[int], typer.Option(min=1, help="Stop after this many patients (a rerun resumes).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Replay every patient's workouts and report (or with --apply, fix) stored streaks that differ.

    Dry run by default. Resumable: an interrupted run continues where it stopped (--restart starts over).
    Safe while the service runs: each patient is replaced under its row lock."""
    from services.common.clock import SystemClock
    from services.streaks.recalculate import recalculate as replay_everyone

    async def go() -> dict:
        async with service_database("streaks") as database:
            report = await replay_everyone(
                database, SystemClock(), tenant=tenant, apply=apply, restart=restart, batch_size=batch_size,
                max_patients=max_patients, on_progress=bar.update,
            )
        return report.as_json()

    with progress("recalculating streaks", as_json) as bar:
        summary = run(go())
    verb = "rewritten" if apply else "would change (dry run; --apply writes)"
    line = (
        f"{summary['patientsDiffering']} of {summary['patientsChecked']} patients differ from a replay; "
        f"{summary['patientsWritten'] if apply else summary['patientsDiffering']} {verb}"
        + ("" if summary["complete"] else "; stopped early, rerun to resume")
    )
    if as_json:
        print(line, file=sys.stderr)
    emit(summary, as_json, lambda: "\n".join([line, _sample(summary["sampleOfDiffs"])]))


def _sample(diffs: list[dict[str, Any]]) -> str:
    if not diffs:
        return "no difference sampled"
    return "a sample of the differences:\n" + table(
        [{"clinic": d["tenantId"], "patient": d["patientId"], "fields": ", ".join(d["fields"])} for d in diffs],
        ["clinic", "patient", "fields"],
    )


def replay(
    tz: Annotated[str, typer.Option(help="The patient's IANA zone, e.g. Europe/Madrid.")],
    now: Annotated[str, typer.Option(help="The instant to evaluate at, ISO 8601 with an offset.")],
    explain: Annotated[
        bool, typer.Option("--explain", help="Add a day-by-day account of why the streak is what it is.")
    ] = False,
) -> None:
    """Print the streak view (one JSON document) of workouts given as JSON lines on stdin.

    Each line: {"completed_at": "2026-03-02T15:00:00Z", "minutes": 30, "timezone": "optional zone"}.
    A malformed line is reported by number and the exit code is non-zero."""
    from services.streaks.replay_command import run as replay_lines

    code, stdout, stderr = replay_lines(sys.stdin, tz, now, explain)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    if code:
        raise typer.Exit(code)
