"""The operator's clinic directory (`momentum clinics|users list|show`): reads across clinics, one clinic per transaction."""

from __future__ import annotations

import uuid

from services.common.db import Database
from services.common.errors import NotFound
from services.plans.people import directory_repository, repository
from services.plans.people.directory_repository import ClinicSummary
from services.plans.people.repository import UserRow


class ClinicDirectory:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def clinics(self) -> list[ClinicSummary]:
        """Every clinic by id. Row-level security shows a clinic's rows only under its own tenant, so each is
        read in its own short transaction: nothing here bypasses the isolation the services rely on."""
        async with self._db.unit_of_work(None) as uow:
            ids = await directory_repository.clinic_ids(uow)
        found = []
        for tenant_id in ids:
            async with self._db.unit_of_work(tenant_id) as uow:
                summary = await directory_repository.clinic_summary(uow, tenant_id)
            if summary is not None:
                found.append(summary)
        return found

    async def clinic(self, tenant_id: uuid.UUID) -> ClinicSummary:
        async with self._db.unit_of_work(tenant_id) as uow:
            summary = await directory_repository.clinic_summary(uow, tenant_id)
        if summary is None:
            raise NotFound(f"clinic {tenant_id} is not known (`momentum clinics list` shows every clinic)")
        return summary

    async def users(self, tenant_id: uuid.UUID, role: str | None) -> list[UserRow]:
        """The clinic's people of one role (None: all), deactivated ones too; an unknown clinic is refused by name."""
        async with self._db.unit_of_work(tenant_id) as uow:
            if await repository.get_tenant(uow, tenant_id) is None:
                raise NotFound(f"clinic {tenant_id} is not known (`momentum clinics list` shows every clinic)")
            return await repository.list_users(uow, role)

    async def user(self, user_id: uuid.UUID, tenant_id: uuid.UUID | None = None) -> UserRow:
        """One user, in the given clinic or else looked for in every clinic."""
        if tenant_id is None:
            async with self._db.unit_of_work(None) as uow:
                tenants = await directory_repository.clinic_ids(uow)
        else:
            tenants = [tenant_id]
        for candidate in tenants:
            async with self._db.unit_of_work(candidate) as uow:
                found = await repository.get_user(uow, user_id)
            if found is not None:
                return found
        where = f"clinic {tenant_id}" if tenant_id is not None else "any clinic"
        raise NotFound(f"user {user_id} is not known in {where}")
