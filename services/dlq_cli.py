"""`momentum dlq list|show|replay|purge`: the dead-letter queues of every consumer, from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys


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


def _run(coroutine):  # type: ignore[no-untyped-def]
    """Runs one broker operation; an unreachable broker is one line and exit status 1, not a traceback."""
    import aio_pika

    try:
        return asyncio.run(coroutine)
    except (OSError, aio_pika.exceptions.AMQPError) as exc:
        print(f"momentum dlq: cannot reach the broker: {exc!r}"[:300], file=sys.stderr)
        raise SystemExit(1) from None


def _table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max([len(c)] + [len(str(r[c])) for r in rows]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    from services.common import dlq

    queues = sorted(set(known_dead_letter_queues()) | set(args.queue))
    rows = dlq.as_rows(_run(dlq.summarize(_url(), queues)))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(_table(rows, ["queue", "count", "first_failure", "last_failure", "top_reason_count", "top_reason"]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from services.common import dlq

    try:
        rows = dlq.as_rows(_run(dlq.show(_url(), args.queue, args.limit)))
    except (dlq.NoSuchQueue, ValueError) as exc:
        print(f"momentum dlq show: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(_table(rows, ["routing_key", "message_id", "tenant_id", "attempts", "first_failure", "last_failure",
                            "reason"]))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from services.common import dlq

    try:
        moved = _run(dlq.replay(_url(), args.queue, args.limit))
    except (dlq.NoSuchQueue, ValueError) as exc:
        print(f"momentum dlq replay: {exc}", file=sys.stderr)
        return 2
    print(f"replayed {moved} message(s) from {args.queue} into its work queue")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from services.common import dlq

    if not args.yes:
        print("momentum dlq purge drops the messages for good: add --yes", file=sys.stderr)
        return 2
    try:
        dropped = _run(dlq.purge(_url(), args.queue))
    except (dlq.NoSuchQueue, ValueError) as exc:
        print(f"momentum dlq purge: {exc}", file=sys.stderr)
        return 2
    print(f"purged {dropped} message(s) from {args.queue}")
    return 0


def _limit(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    dlq = commands.add_parser("dlq", help="dead-letter queues: list, show, replay, purge").add_subparsers(
        dest="action", required=True
    )
    listing = dlq.add_parser("list", help="per dead-letter queue: count, first/last failure, most common reason")
    listing.add_argument("--queue", action="append", default=[], help="also this dead-letter queue (repeatable)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_list)
    show = dlq.add_parser("show", help="the messages of one dead-letter queue (they stay in it)")
    show.add_argument("queue", help="e.g. streaks.workout-events.dead")
    show.add_argument("--limit", type=_limit, default=20)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_show)
    replay = dlq.add_parser("replay", help="move messages back into their work queue (the inbox absorbs duplicates)")
    replay.add_argument("queue")
    replay.add_argument("--limit", type=_limit)
    replay.set_defaults(run=cmd_replay)
    purge = dlq.add_parser("purge", help="drop every message of a dead-letter queue")
    purge.add_argument("queue")
    purge.add_argument("--yes", action="store_true", help="required: purging cannot be undone")
    purge.set_defaults(run=cmd_purge)
