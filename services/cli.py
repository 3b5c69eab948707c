"""The `momentum` command: tokens and sign-in links, migrations, clinics and users, demo data, operations."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from importlib import import_module, metadata
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from services.cli_kit import uuid_value, EXIT_DEPENDENCY_AWAY, EXIT_REFUSED, DependencyAway, Json, Refused, Role, emit, one_line, run
from services.common.errors import DomainError, NotFound
from services.common.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent

app = typer.Typer(
    name="momentum",
    help="Operate Momentum: tokens and sign-in links, migrations, clinics and users, demo data, streaks, billing, "
    "dead letters, entrances, telemetry. Exit codes: 0 done, 1 failed, 2 refused or bad input (nothing written), "
    "3 a dependency (database, broker, object storage) is away (try again).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version_text() -> str:
    """The installed package's version and, when known, the commit it was built from."""
    commit = os.environ.get("MOMENTUM_BUILD_COMMIT") or _git_commit()
    return f"momentum {metadata.version('momentum')} ({f'commit {commit}' if commit else 'commit unknown'})"


def _git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except OSError:  # no git on this machine (a container image)
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _show_version(value: bool) -> None:
    if value:
        print(version_text())
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and commit, then exit.")
    ] = False,
) -> None:
    """Operate Momentum from the command line."""


TenantOption = Annotated[uuid.UUID, typer.Option("--tenant", help="The clinic's id.", parser=uuid_value)]
UserOption = Annotated[uuid.UUID, typer.Option("--user", help="The user's id.", parser=uuid_value)]


@app.command("token")
def token(
    tenant: TenantOption,
    user: UserOption,
    role: Annotated[Role, typer.Option(help="The role the token claims (the gateway checks it against the stored one).")],
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 30, help="How long the token is valid, in hours.")] = 12,
    as_json: Json = False,
) -> None:
    """Print a local HS256 bearer token: the token alone on the last line."""
    from services.gateway.auth import issue_local_token

    settings = load_settings()
    if settings.auth.jwt_algorithm != "HS256":
        raise Refused("momentum token signs with the local HS256 secret; this environment uses RS256")
    signed = issue_local_token(settings.auth, tenant, user, role.value, timedelta(hours=hours))
    if not as_json:
        print(f"# {role.value} {user} of tenant {tenant}, valid {hours:g} h", file=sys.stderr)
    emit({"token": signed, "tenantId": str(tenant), "userId": str(user), "role": role.value, "hours": hours},
         as_json, lambda: signed)


@app.command("login")
def login(
    tenant: TenantOption,
    user: UserOption,
    base_url: Annotated[
        Optional[str],
        typer.Option(help="The gateway as the browser reaches it (default: MOMENTUM_GATEWAY_HOST and _PORT)."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Print a one-time browser sign-in link for a user: the link alone on the last line."""
    from services.cli_kit import with_people
    from services.common.identity import Identity
    from services.gateway.browser_session import LINK_TTL, sign_in_link

    settings = load_settings()
    if settings.auth.jwt_algorithm != "HS256":
        raise Refused("momentum login signs with the local HS256 secret; this environment signs in through OpenID Connect")
    # The link carries the role the clinic gave this user, so nobody picks their own.
    lookup = Identity(tenant, user, "admin", "momentum-login")
    try:
        found, _clinic = run(with_people(lambda people: people.get_me(lookup)))
    except NotFound:
        raise Refused(f"no user {user} in clinic {tenant}") from None
    link = sign_in_link(settings.auth, base_url or f"http://{settings.gateway_host}:{settings.gateway_port}", tenant, user,
                        found.role)
    minutes = int(LINK_TTL.total_seconds() // 60)
    if not as_json:
        print(f"# {found.role} {found.display_name}: open this link within {minutes} min; it works once", file=sys.stderr)
    emit({"link": link, "role": found.role, "validMinutes": minutes}, as_json, lambda: link)


# Each area adds its commands: a module with register(app).
_AREAS = (
    "services.migrate_cli", "services.plans.people.cli", "services.dlq_cli", "services.plans.cli",
    "services.streaks.cli", "services.entrances.cli", "services.telemetry.cli",
)
for _area in _AREAS:
    import_module(_area).register(app)


config_app = typer.Typer(help="The environment's configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("check")
def config_check() -> None:
    """Read the configuration as a service would: every bad variable on its own line (exit 2), or `configuration ok`."""
    try:
        load_settings()
    except SettingsError as exc:
        for problem in exc.problems:
            print(problem)
        raise typer.Exit(EXIT_REFUSED) from None
    print("configuration ok")


def main(argv: list[str] | None = None) -> int:
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="momentum", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except NoArgsIsHelpError as exc:
        exc.show()
        return EXIT_REFUSED
    except UsageError as exc:
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
        return _fail(f"error: {_flat(exc.format_message())}{where}", EXIT_REFUSED)
    except ClickException as exc:
        return _fail(f"error: {_flat(exc.format_message())}", exc.exit_code)
    except typer.Abort:
        return _fail("aborted: nothing was changed", 1)
    except (Refused, DependencyAway) as exc:
        return _fail(f"error: {exc}", exc.exit_code)
    except SettingsError as exc:  # one line per bad variable, so one run shows them all
        for problem in exc.problems:
            print(f"configuration error: {_flat(str(problem))}", file=sys.stderr)
        return EXIT_REFUSED
    except DomainError as exc:  # what the operator asked for is refused: say why in their terms
        return _fail(f"error: {_flat(exc.detail)}", EXIT_REFUSED)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from services.common.db import database_unavailable  # here: `momentum --help` imports no driver

        if database_unavailable(exc):
            return _fail(f"error: the database is unavailable ({one_line(exc)}); nothing was changed, try again",
                         EXIT_DEPENDENCY_AWAY)
        if os.environ.get("MOMENTUM_DEBUG"):
            raise
        return _fail(f"error: {one_line(exc)} (MOMENTUM_DEBUG=1 shows the traceback)", 1)


def _flat(text: str) -> str:
    # Typer validates through pydantic, whose messages start "Value error, ": the operator needs only the rest.
    return " ".join(text.replace("Value error, ", "").split())


def _fail(line: str, code: int) -> int:
    print(line, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
