"""`momentum migrate [up|status|history|downgrade]`: each service's Alembic migrations, as the schema owner."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from services.cli_kit import Json, Refused, emit, storage_call, table
from services.common.settings import SERVICES, load_settings

# Named from the settings, not from services.common.migrations: importing Alembic costs every command a quarter
# second. tests/unit/operations/test_cli_help.py checks that each of these has its migrations.
Service = Enum("Service", {name: name for name in SERVICES}, type=str)  # type: ignore[misc]


class _UpByDefault(TyperGroup):
    """`momentum migrate` and `momentum migrate plans streaks` (what `make up`, infra/*.sh and tests run) mean
    `momentum migrate up ...`: anything that is not a subcommand or a request for help goes to `up`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["up", *args]
        return super().parse_args(ctx, args)


migrate = typer.Typer(
    cls=_UpByDefault,
    help="Apply, inspect or roll back each service's database migrations (as the schema owner). "
    "With no subcommand: `up`, every service.",
)


@migrate.command("up")
def up(
    service: Annotated[
        Optional[list[Service]], typer.Argument(help="Only these services (default: every service).", metavar="SERVICE...", show_default=False)
    ] = None,
    s3: Annotated[
        bool, typer.Option("--s3/--no-s3", help="Also create the replay bucket and state its lifecycle (`momentum s3 setup`).")
    ] = True,
) -> None:
    """Apply every migration not yet applied, up to each service's head."""
    from services.common.migrations import migrate as apply

    settings = load_settings()
    chosen = tuple(s.value for s in service) if service else None
    apply(settings, chosen)
    print("migrations applied")
    if s3 and (not chosen or "telemetry" in chosen):
        from services.telemetry.cli import setup_replay_bucket

        rules = storage_call(setup_replay_bucket(settings.s3))
        print(f"bucket {settings.s3.replay_bucket}: {len(rules)} lifecycle rules")


@migrate.command("status")
def status(as_json: Json = False) -> None:
    """For each service: the revision applied here and the newest one. Exits 1 when any is behind."""
    from services.common.migrations import migration_status

    states = [
        {"service": s.service, "current": s.current, "head": s.head, "upToDate": s.up_to_date}
        for s in migration_status(load_settings())
    ]
    emit(states, as_json, lambda: table(
        [{**s, "state": "up to date" if s["upToDate"] else ("not migrated" if s["current"] is None else "behind")}
         for s in states],
        ["service", "current", "head", "state"],
    ))
    if not all(s["upToDate"] for s in states):
        raise typer.Exit(1)


@migrate.command("history")
def history(
    service: Annotated[Service, typer.Argument(help="The service whose revisions to list.", metavar="SERVICE", show_default=False)],
    as_json: Json = False,
) -> None:
    """A service's revisions, newest first, marking those applied here and the current one."""
    from services.common.migrations import migration_history

    revisions = [
        {"revision": r.revision, "downRevision": r.down_revision, "description": r.description, "applied": r.applied,
         "current": r.current}
        for r in migration_history(load_settings(), service.value)
    ]
    emit(revisions, as_json, lambda: "\n".join(
        f"{'*' if r['current'] else ('+' if r['applied'] else ' ')} {r['revision']}  {r['description']}" for r in revisions
    ) + "\n(* current, + applied)")


@migrate.command("downgrade")
def downgrade(
    service: Annotated[Service, typer.Argument(help="The service to take down.", metavar="SERVICE", show_default=False)],
    revision: Annotated[
        str, typer.Argument(help="The revision to leave applied (see `momentum migrate history`), or base.", show_default=False)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Roll a service's schema back to a revision below the current one. Data of the dropped revisions is lost."""
    from services.common.migrations import downgrade as take_down

    if not yes:
        if not sys.stdin.isatty():  # a script cannot answer the question: it must say --yes
            raise Refused(f"downgrading {service.value} drops data: add --yes, or run it on a terminal to confirm")
        typer.confirm(f"downgrade {service.value} to {revision}? the dropped revisions' data is lost", abort=True, err=True)
    state = take_down(load_settings(), service.value, revision)
    print(f"{state.service} at {state.current or 'base'} (head {state.head}); `momentum migrate up {state.service}` restores")


def register(app: typer.Typer) -> None:
    app.add_typer(migrate, name="migrate")
