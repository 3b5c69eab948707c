"""The `momentum` command: tokens, migrations, tenants and users, demo data, operations."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from datetime import timedelta

from services.common.errors import DomainError
from services.common.parsing import uuid_argument
from services.common.settings import SettingsError, load_settings


def cmd_token(args: argparse.Namespace) -> int:
    from services.gateway.auth import issue_local_token

    settings = load_settings()
    if settings.auth.jwt_algorithm != "HS256":
        print("momentum token signs with the local HS256 secret; this environment uses RS256", file=sys.stderr)
        return 2
    token = issue_local_token(settings.auth, args.tenant, args.user, args.role, timedelta(hours=args.hours))
    print(f"# {args.role} {args.user} of tenant {args.tenant}, valid {args.hours} h", file=sys.stderr)
    print(token)
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    from services.common.identity import Identity
    from services.gateway.browser_session import LINK_TTL, sign_in_link

    settings = load_settings()
    if settings.auth.jwt_algorithm != "HS256":
        print("momentum login signs with the local HS256 secret; this environment signs in through OpenID Connect", file=sys.stderr)
        return 2
    # The link carries the role the clinic gave this user, so nobody picks their own.
    lookup = Identity(args.tenant, args.user, "admin", "momentum-login")
    try:
        user, _tenant = asyncio.run(_with_plans(lambda h: h.get_me(lookup)))
    except Exception as exc:  # NotFound from the handlers, or the database out of reach
        print(f"no user {args.user} in clinic {args.tenant}: {exc}", file=sys.stderr)
        return 1
    base_url = args.base_url or f"http://{settings.gateway_host}:{settings.gateway_port}"
    link = sign_in_link(settings.auth, base_url, args.tenant, args.user, user.role)
    minutes = int(LINK_TTL.total_seconds() // 60)
    print(f"# {user.role} {user.display_name}: open this link within {minutes} min; it works once", file=sys.stderr)
    print(link)
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    """Reads the configuration as a service would; every problem on its own line, so one run shows them all."""
    try:
        load_settings()
    except SettingsError as exc:
        for problem in exc.problems:
            print(problem)
        return 2
    print("configuration ok")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from services.common.migrations import migrate

    settings = load_settings()
    migrate(settings, tuple(args.service) if args.service else None)
    print("migrations applied")
    if args.s3 and (not args.service or "telemetry" in args.service):
        from services.telemetry.cli import setup_replay_bucket

        rules = asyncio.run(setup_replay_bucket(settings.s3))
        print(f"bucket {settings.s3.replay_bucket}: {len(rules)} lifecycle rules")
    return 0


async def _with_plans(action):  # type: ignore[no-untyped-def]
    from services.common.clock import SystemClock
    from services.common.db import Database, create_engine
    from services.plans.people.handlers import PeopleHandlers

    settings = load_settings()
    database = Database(create_engine(settings.database.app_url("plans"), 2, settings=settings.database), "plans")
    try:
        return await action(PeopleHandlers(database, SystemClock()))
    finally:
        await database.dispose()


def cmd_tenant_create(args: argparse.Namespace) -> int:
    tenant_id = args.id or uuid.uuid4()
    flags = {flag: True for flag in args.flag}
    asyncio.run(_with_plans(lambda h: h.create_tenant(tenant_id, args.name, args.timezone, flags)))
    print(tenant_id)
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    user_id = args.id or uuid.uuid4()
    asyncio.run(_with_plans(lambda h: h.create_user(args.tenant, user_id, args.role, args.name, args.timezone)))
    print(user_id)
    return 0


def cmd_user_access(args: argparse.Namespace) -> int:
    if args.role is None and args.active is None:
        print("nothing to change: give --role and/or --active/--inactive", file=sys.stderr)
        return 2
    asyncio.run(_with_plans(lambda h: h.change_user_access(args.tenant, args.user, args.role, args.active)))
    print(f"user {args.user} updated; gateways apply it within their identity cache TTL (MOMENTUM_IDENTITY_CACHE_SECONDS)")
    return 0


def cmd_tenant_access(args: argparse.Namespace) -> int:
    asyncio.run(_with_plans(lambda h: h.set_tenant_active(args.tenant, args.active)))
    print(f"clinic {args.tenant} {'active' if args.active else 'inactive'}; effective within the identity cache TTL")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="momentum", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    token = commands.add_parser("token", help="print a local bearer token (the token alone on the last line)")
    token.add_argument("--tenant", type=uuid_argument, required=True)
    token.add_argument("--user", type=uuid_argument, required=True)
    token.add_argument("--role", choices=("patient", "therapist", "admin"), required=True)
    token.add_argument("--hours", type=float, default=12)
    token.set_defaults(run=cmd_token)

    login = commands.add_parser("login", help="print a one-time browser sign-in link (the link alone on the last line)")
    login.add_argument("--tenant", type=uuid_argument, required=True)
    login.add_argument("--user", type=uuid_argument, required=True)
    login.add_argument("--base-url", help="the gateway as the browser reaches it (default: MOMENTUM_GATEWAY_HOST:PORT)")
    login.set_defaults(run=cmd_login)

    config = commands.add_parser("config", help="the environment's configuration").add_subparsers(dest="action", required=True)
    config.add_parser("check", help="print every bad variable, one per line (exit 2), or `configuration ok`").set_defaults(
        run=cmd_config_check
    )

    migrate = commands.add_parser("migrate", help="apply every service's migrations (as the schema owner)")
    migrate.add_argument("service", nargs="*", choices=("plans", "streaks", "entrances", "telemetry", []))
    migrate.add_argument(
        "--no-s3", dest="s3", action="store_false", help="leave the replay bucket alone (see `momentum s3 setup`)"
    )
    migrate.set_defaults(run=cmd_migrate)

    tenant = commands.add_parser("tenant", help="clinics").add_subparsers(dest="action", required=True)
    create_tenant = tenant.add_parser("create", help="create a clinic; prints its id")
    create_tenant.add_argument("--name", required=True)
    create_tenant.add_argument("--timezone", default="UTC")
    create_tenant.add_argument("--flag", action="append", default=[], help="feature flag to switch on (repeatable)")
    create_tenant.add_argument("--id", type=uuid_argument)
    create_tenant.set_defaults(run=cmd_tenant_create)
    tenant_access = tenant.add_parser("access", help="deactivate (or reactivate) a clinic: its tokens are refused")
    tenant_access.add_argument("--tenant", type=uuid_argument, required=True)
    tenant_access.add_argument("--active", dest="active", action="store_true", default=True)
    tenant_access.add_argument("--inactive", dest="active", action="store_false")
    tenant_access.set_defaults(run=cmd_tenant_access)

    user = commands.add_parser("user", help="patients, therapists, admins").add_subparsers(dest="action", required=True)
    create_user = user.add_parser("create", help="create a user in a clinic; prints its id")
    create_user.add_argument("--tenant", type=uuid_argument, required=True)
    create_user.add_argument("--role", choices=("patient", "therapist", "admin"), required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--timezone")
    create_user.add_argument("--id", type=uuid_argument)
    create_user.set_defaults(run=cmd_user_create)
    access = user.add_parser("access", help="change a user's stored role or deactivate them (the role is the truth)")
    access.add_argument("--tenant", type=uuid_argument, required=True)
    access.add_argument("--user", type=uuid_argument, required=True)
    access.add_argument("--role", choices=("patient", "therapist", "admin"))
    access.add_argument("--active", dest="active", action="store_true", default=None)
    access.add_argument("--inactive", dest="active", action="store_false")
    access.set_defaults(run=cmd_user_access)

    from services import dlq_cli

    dlq_cli.register(commands)

    # Each service may add its own operations: services/<name>/cli.py defines register(commands).
    from importlib import import_module

    for service in ("plans", "streaks", "entrances", "telemetry"):
        try:
            module = import_module(f"services.{service}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{service}.cli":
                raise
            continue
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"configuration error: {problem}", file=sys.stderr)
        return 2
    except DomainError as exc:  # what the operator asked for is refused: say why in their terms
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from services.common.db import database_unavailable  # here: `momentum --help` imports no driver

        if database_unavailable(exc):
            print(f"error: the database is unavailable ({_one_line(exc)}); nothing was changed, try again", file=sys.stderr)
            return 3
        if os.environ.get("MOMENTUM_DEBUG"):
            raise
        print(f"error: {_one_line(exc)} (MOMENTUM_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


if __name__ == "__main__":
    sys.exit(main())
