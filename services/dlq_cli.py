"""`momentum dlq list|show|replay|purge`: the dead-letter queues of every consumer, from the command line."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from services.cli_kit import Json, Refused, broker_call, emit, progress, table

dlq_app = typer.Typer(help="Dead-letter queues: list, show, replay, purge.", no_args_is_help=True)

Queue = Annotated[str, typer.Argument(help="A dead-letter queue, e.g. streaks.workout-events.dead.", show_default=False)]


def known_dead_letter_queues() -> list[str]:
    """Every consumer queue the services declare under a fixed name, as `<queue>.dead`. Per-instance queues
    (telemetry's consent queue carries its instance) are named on the command line: `dlq list --queue Q`."""
    from services.entrances.consumers import WORKOUT_EVENTS as ENTRANCE_WORKOUTS
    from services.entrances.finalizer import FINALIZE_QUEUE
    from services.plans.billing.consumers import BILLING_EVENTS
    from services.plans.care.consumers import TELEMETRY_EVENTS
    from services.streaks.consumers import USER_EVENTS, WORKOUT_EVENTS as STREAK_WORKOUTS

    specs = (BILLING_EVENTS, TELEMETRY_EVENTS, USER_EVENTS, STREAK_WORKOUTS, ENTRANCE_WORKOUTS, FINALIZE_QUEUE)
    return sorted(spec.dead_letter_name for spec in specs)


def _url() -> str:
    from services.common.settings import load_settings

    return load_settings().broker.url


def _refusing(call):  # type: ignore[no-untyped-def]
    """A queue that does not exist or is not a dead-letter queue is the operator's mistake: exit 2."""
    from services.common import dlq

    try:
        return broker_call(call)
    except (dlq.NoSuchQueue, ValueError) as exc:
        raise Refused(str(exc)) from None


@dlq_app.command("list")
def listing(
    queue: Annotated[
        Optional[list[str]], typer.Option(help="Also this dead-letter queue (repeatable), e.g. a per-instance one.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Per dead-letter queue: count, first and last failure, the most common reason."""
    from services.common import dlq

    queues = sorted(set(known_dead_letter_queues()) | set(queue or []))
    rows = dlq.as_rows(broker_call(dlq.summarize(_url(), queues)))
    emit(rows, as_json, lambda: table(rows, ["queue", "count", "first_failure", "last_failure", "top_reason_count",
                                             "top_reason"]))


@dlq_app.command("show")
def show(
    queue: Queue,
    limit: Annotated[int, typer.Option(min=1, help="At most this many messages.")] = 20,
    as_json: Json = False,
) -> None:
    """The messages of one dead-letter queue (they stay in it)."""
    from services.common import dlq

    rows = dlq.as_rows(_refusing(dlq.show(_url(), queue, limit)))
    emit(rows, as_json, lambda: table(rows, ["routing_key", "message_id", "tenant_id", "attempts", "first_failure",
                                             "last_failure", "reason"]))


@dlq_app.command("replay")
def replay(
    queue: Queue,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most this many messages (default: all).")] = None,
    as_json: Json = False,
) -> None:
    """Move messages back into their work queue (the consumers' inbox absorbs duplicates)."""
    from services.common import dlq

    with progress(f"replaying {queue}", as_json) as bar:
        moved = _refusing(dlq.replay(_url(), queue, limit, on_moved=bar.update))
    emit({"queue": queue, "replayed": moved}, as_json,
         lambda: f"replayed {moved} message(s) from {queue} into its work queue")


@dlq_app.command("purge")
def purge(
    queue: Queue,
    yes: Annotated[bool, typer.Option("--yes", help="Required: purging cannot be undone.")] = False,
    as_json: Json = False,
) -> None:
    """Drop every message of a dead-letter queue, for good."""
    from services.common import dlq

    if not yes:
        raise Refused("momentum dlq purge drops the messages for good: add --yes")
    dropped = _refusing(dlq.purge(_url(), queue))
    emit({"queue": queue, "purged": dropped}, as_json, lambda: f"purged {dropped} message(s) from {queue}")


def register(app: typer.Typer) -> None:
    app.add_typer(dlq_app, name="dlq")
