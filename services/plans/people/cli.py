"""`momentum tenant|user create|access` and `momentum clinics|users list|show`: the clinic's people from the command line."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Optional

import typer

from services.cli_kit import uuid_value, Json, Refused, Role, emit, run, service_database, table, with_people

ClinicOption = Annotated[uuid.UUID, typer.Option("--tenant", help="The clinic's id.", parser=uuid_value)]


def register(app: typer.Typer) -> None:
    tenant = typer.Typer(help="Create a clinic or change its access.", no_args_is_help=True)
    user = typer.Typer(help="Create a patient, therapist or admin, or change their access.", no_args_is_help=True)
    clinics = typer.Typer(help="List clinics and show one: people by role, feature flags, RTM policy.", no_args_is_help=True)
    users = typer.Typer(help="List a clinic's people and show one.", no_args_is_help=True)

    @tenant.command("create")
    def tenant_create(
        name: Annotated[str, typer.Option(help="The clinic's name.")],
        timezone: Annotated[str, typer.Option(help="The clinic's IANA timezone, e.g. Europe/Madrid.")] = "UTC",
        flag: Annotated[
            Optional[list[str]], typer.Option(help="A feature flag to switch on, e.g. appEntranceTracking (repeatable).")
        ] = None,
        id: Annotated[Optional[uuid.UUID], typer.Option("--id", help="The clinic's id (default: a new one).", parser=uuid_value)] = None,
        as_json: Json = False,
    ) -> None:
        """Create a clinic; prints its id (a repeat with the same --id changes nothing)."""
        tenant_id = id or uuid.uuid4()
        flags = {name: True for name in flag or []}
        run(with_people(lambda people: people.create_tenant(tenant_id, name, timezone, flags)))
        emit({"clinicId": str(tenant_id)}, as_json, lambda: str(tenant_id))

    @tenant.command("access")
    def tenant_access(
        tenant_id: ClinicOption,
        active: Annotated[
            bool, typer.Option("--active/--inactive", help="Reactivate the clinic, or deactivate it: its tokens are refused.")
        ] = True,
    ) -> None:
        """Deactivate (or reactivate) a clinic; gateways apply it within MOMENTUM_IDENTITY_CACHE_SECONDS."""
        run(with_people(lambda people: people.set_tenant_active(tenant_id, active)))
        print(f"clinic {tenant_id} {'active' if active else 'inactive'}; effective within the identity cache TTL")

    @user.command("create")
    def user_create(
        tenant_id: ClinicOption,
        role: Annotated[Role, typer.Option(help="The user's role in the clinic.")],
        name: Annotated[str, typer.Option(help="The name the clinic shows.")],
        timezone: Annotated[
            Optional[str], typer.Option(help="The user's IANA timezone (default: learned from the app).")
        ] = None,
        id: Annotated[Optional[uuid.UUID], typer.Option("--id", help="The user's id (default: a new one).", parser=uuid_value)] = None,
        as_json: Json = False,
    ) -> None:
        """Create a user in a clinic; prints their id."""
        user_id = id or uuid.uuid4()
        run(with_people(lambda people: people.create_user(tenant_id, user_id, role.value, name, timezone)))
        emit({"userId": str(user_id), "clinicId": str(tenant_id)}, as_json, lambda: str(user_id))

    @user.command("access")
    def user_access(
        tenant_id: ClinicOption,
        user_id: Annotated[uuid.UUID, typer.Option("--user", help="The user's id.", parser=uuid_value)],
        role: Annotated[Optional[Role], typer.Option(help="The stored role to give (the role is the truth).")] = None,
        active: Annotated[
            Optional[bool], typer.Option("--active/--inactive", help="Reactivate or deactivate the user.")
        ] = None,
    ) -> None:
        """Change a user's stored role or deactivate them; gateways apply it within their identity cache TTL."""
        if role is None and active is None:
            raise Refused("nothing to change: give --role and/or --active/--inactive")
        run(with_people(lambda people: people.change_user_access(tenant_id, user_id, role and role.value, active)))
        print(f"user {user_id} updated; gateways apply it within their identity cache TTL (MOMENTUM_IDENTITY_CACHE_SECONDS)")

    @clinics.command("list")
    def clinics_list(as_json: Json = False) -> None:
        """Every clinic: id, name, timezone, active, and its active people by role."""
        found = [_clinic(c) for c in run(_directory(lambda d: d.clinics()))]
        emit(found, as_json, lambda: table(
            [{**c, "patients": c["people"]["patient"], "therapists": c["people"]["therapist"], "admins": c["people"]["admin"]}
             for c in found],
            ["clinicId", "name", "timezone", "active", "patients", "therapists", "admins"],
        ))

    @clinics.command("show")
    def clinics_show(
        tenant_id: Annotated[uuid.UUID, typer.Argument(help="The clinic's id.", metavar="CLINIC_ID", show_default=False, parser=uuid_value)], as_json: Json = False
    ) -> None:
        """One clinic: its people by role, feature flags and RTM policy."""
        found = _clinic(run(_directory(lambda d: d.clinic(tenant_id))))
        emit(found, as_json, lambda: _fields(found))

    @users.command("list")
    def users_list(
        clinic: Annotated[uuid.UUID, typer.Option(help="The clinic's id.", parser=uuid_value)],
        role: Annotated[Optional[Role], typer.Option(help="Only this role (default: everyone).")] = None,
        as_json: Json = False,
    ) -> None:
        """A clinic's people (deactivated ones too), by role then name."""
        found = [_user(u) for u in run(_directory(lambda d: d.users(clinic, role and role.value)))]
        emit(found, as_json, lambda: table(found, ["userId", "role", "name", "timezone", "active"]))

    @users.command("show")
    def users_show(
        user_id: Annotated[uuid.UUID, typer.Argument(help="The user's id.", metavar="USER_ID", show_default=False, parser=uuid_value)],
        clinic: Annotated[
            Optional[uuid.UUID], typer.Option(help="The user's clinic (default: look in every clinic).", parser=uuid_value)
        ] = None,
        as_json: Json = False,
    ) -> None:
        """One user: clinic, role, name, timezone, active."""
        found = _user(run(_directory(lambda d: d.user(user_id, clinic))))
        emit(found, as_json, lambda: _fields(found))

    app.add_typer(tenant, name="tenant")
    app.add_typer(user, name="user")
    app.add_typer(clinics, name="clinics")
    app.add_typer(users, name="users")


async def _directory(action: Any) -> Any:
    from services.plans.people.directory import ClinicDirectory

    async with service_database("plans") as database:
        return await action(ClinicDirectory(database))


def _clinic(summary: Any) -> dict[str, Any]:
    from services.common.identity import ROLES

    return {
        "clinicId": str(summary.tenant_id),
        "name": summary.name,
        "timezone": summary.default_timezone,
        "active": summary.active,
        "featureFlags": dict(sorted(summary.feature_flags.items())),
        "rtmQualifyingPolicy": summary.rtm_qualifying_policy,
        "people": {role: summary.people.get(role, 0) for role in ROLES},
        "inactivePeople": summary.inactive_people,
    }


def _user(row: Any) -> dict[str, Any]:
    return {
        "userId": str(row.user_id),
        "clinicId": str(row.tenant_id),
        "role": row.role,
        "name": row.display_name,
        "timezone": row.timezone,
        "active": row.active,
    }


def _fields(record: dict[str, Any]) -> str:
    width = max(len(key) for key in record)
    lines = []
    for key, value in record.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        lines.append(f"{key.ljust(width)}  {'-' if value is None else value}")
    return "\n".join(lines)
