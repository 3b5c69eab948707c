"""Builds a clinic with its people for a test, and tokens to act as each of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx

from services.common.settings import Settings
from services.gateway.auth import issue_local_token
from services.plans.people.handlers import PeopleHandlers


@dataclass
class Clinic:
    settings: Settings
    tenant_id: uuid.UUID
    admin_id: uuid.UUID
    therapist_id: uuid.UUID
    patient_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def patient_id(self) -> uuid.UUID:
        return self.patient_ids[0]

    def token(self, user_id: uuid.UUID, role: str) -> str:
        return issue_local_token(self.settings.auth, self.tenant_id, user_id, role)

    def headers(self, user_id: uuid.UUID, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user_id, role)}"}

    def as_patient(self, index: int = 0) -> dict[str, str]:
        return self.headers(self.patient_ids[index], "patient")

    def as_therapist(self) -> dict[str, str]:
        return self.headers(self.therapist_id, "therapist")

    def as_admin(self) -> dict[str, str]:
        return self.headers(self.admin_id, "admin")


async def new_clinic(
    handlers: PeopleHandlers,
    settings: Settings,
    patients: int = 1,
    timezone: str = "UTC",
    patient_timezone: str | None = None,
    flags: dict[str, bool] | None = None,
) -> Clinic:
    tenant_id = uuid.uuid4()
    await handlers.create_tenant(tenant_id, f"Clinic {tenant_id.hex[:6]}", timezone, flags or {})
    clinic = Clinic(settings, tenant_id, uuid.uuid4(), uuid.uuid4())
    await handlers.create_user(tenant_id, clinic.admin_id, "admin", "Admin")
    await handlers.create_user(tenant_id, clinic.therapist_id, "therapist", "Therapist")
    for index in range(patients):
        patient_id = uuid.uuid4()
        await handlers.create_user(tenant_id, patient_id, "patient", f"Patient {index}", patient_timezone)
        clinic.patient_ids.append(patient_id)
    return clinic


def client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=10)
