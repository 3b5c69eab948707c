"""SQL of entrances' copy of plans' patient zones and clinic flags (what the dashboard log needs to know;
the log reads them in repository.open_day)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text

from services.common.db import UnitOfWork


# An event (as_of set) replaces what a first-use answer (as_of NULL) or an older event wrote; a
# first-use answer never replaces an event's row: the answer may have been read before the event's change.
_NEWER = "WHERE {table}.as_of IS NULL OR ({table}.as_of < EXCLUDED.as_of)"


async def keep_zone(uow: UnitOfWork, tenant_id: uuid.UUID, patient_id: uuid.UUID, timezone: str, as_of: datetime | None) -> None:
    await uow.execute(
        text(
            "INSERT INTO entrances.patient_zones AS z (patient_id, tenant_id, timezone, as_of) "
            "VALUES (:patient, :tenant, :tz, :as_of) ON CONFLICT (patient_id) DO "
            + ("NOTHING" if as_of is None else "UPDATE SET timezone = EXCLUDED.timezone, as_of = EXCLUDED.as_of " + _NEWER.format(table="z"))
        ),
        {"patient": patient_id, "tenant": tenant_id, "tz": timezone, "as_of": as_of},
    )


async def keep_flag(uow: UnitOfWork, tenant_id: uuid.UUID, entrance_tracking: bool, as_of: datetime | None) -> None:
    await uow.execute(
        text(
            "INSERT INTO entrances.clinic_flags AS f (tenant_id, entrance_tracking, as_of) "
            "VALUES (:tenant, :tracking, :as_of) ON CONFLICT (tenant_id) DO "
            + ("NOTHING" if as_of is None else "UPDATE SET entrance_tracking = EXCLUDED.entrance_tracking, "
               "as_of = EXCLUDED.as_of " + _NEWER.format(table="f"))
        ),
        {"tenant": tenant_id, "tracking": entrance_tracking, "as_of": as_of},
    )
