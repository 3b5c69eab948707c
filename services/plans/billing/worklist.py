"""Use cases of the clinic-wide billing worklist: list records across patients, mark many billed at once."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import date

from services.common.audit import audit
from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import InvalidInput, NotFound, RuleViolation
from services.common.identity import Identity
from services.plans.billing import repository as billing
from services.plans.billing import worklist_repository as worklist
from services.plans.billing.repository import StoredRecord
from services.plans.billing.worklist_repository import WorklistFilter, WorklistRow
from services.plans.domain.billing import BillingStatus, RtmCode
from services.plans.domain.billing.status import InvalidBillingTransition, mark_billed

# The export pages through the same query; a page is bounded so no call holds a clinic's year in memory.
MAX_PAGE = 500
# Without evidence a record is ~200 bytes, so an export page holds a 2,000-patient clinic's month in one call.
MAX_EXPORT_PAGE = 2000
MAX_BULK = 500
STATUSES = tuple(s.value for s in BillingStatus)
CODES = tuple(c.value for c in RtmCode)


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    next_cursor: str


def _cursor(row: WorklistRow) -> str:
    raw = f"{row.stored.record.period_start.isoformat()}|{row.stored.record_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(cursor: str) -> tuple[date, uuid.UUID]:
    try:
        start, record_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        return date.fromisoformat(start), uuid.UUID(record_id)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput("cursor", "is not a cursor this worklist handed out") from None


def check_filter(where: WorklistFilter) -> None:
    if where.status is not None and where.status not in STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(STATUSES)}")
    if where.code is not None and where.code not in CODES:
        raise InvalidInput("code", f"must be one of {', '.join(CODES)}")
    if where.period_from and where.period_to and where.period_from > where.period_to:
        raise InvalidInput("periodFrom", "must not be after periodTo")


class BillingWorklist:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def page(
        self, who: Identity, where: WorklistFilter, cursor: str, limit: int, evidence: bool = True,
    ) -> WorklistPage:
        """One page of the clinic's records; without `evidence` (the export), pages may be larger."""
        who.require_role("therapist", "admin")
        most = MAX_PAGE if evidence else MAX_EXPORT_PAGE
        if not 1 <= limit <= most:
            raise InvalidInput("limit", f"must be between 1 and {most}")
        check_filter(where)
        after = _position(cursor) if cursor else None
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await _billing_on(uow, who.tenant_id)
            rows = await worklist.clinic_records(uow, who.tenant_id, where, after, limit + 1, evidence)
        more = len(rows) > limit
        rows = rows[:limit]
        return WorklistPage(rows, _cursor(rows[-1]) if more else "")

    async def mark_billed(self, who: Identity, record_ids: list[uuid.UUID]) -> list[StoredRecord]:
        """Every record billed, or none: an unknown id is a 404 and a record that is not ready a 400, each
        naming the ids, and nothing is written."""
        who.require_role("admin")
        ids = list(dict.fromkeys(record_ids))
        if not ids:
            raise InvalidInput("recordIds", "name at least one record")
        if len(ids) > MAX_BULK:
            raise InvalidInput("recordIds", f"at most {MAX_BULK} records at once")
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            await _billing_on(uow, who.tenant_id)
            found = await worklist.lock_records(uow, ids)
            unknown = [str(i) for i in ids if i not in found]
            if unknown:
                raise NotFound(f"recordIds: no billing record {', '.join(unknown[:10])}; nothing was billed")
            refused = [f"{i} ({found[i].record.status})" for i in ids if found[i].record.status is not BillingStatus.READY]
            if refused:
                raise RuleViolation(
                    f"recordIds: only ready records can be billed: {', '.join(refused[:10])}; nothing was billed",
                    code="billing_record_not_ready",
                )
            for record_id in ids:
                stored = found[record_id]
                try:
                    moved = mark_billed(stored.record, now)
                except InvalidBillingTransition as exc:
                    raise RuleViolation(str(exc)) from exc
                await billing.set_status(uow, record_id, moved, who.user_id, now)
                await audit(uow, who, "billing_record.mark_billed", "billing_record", str(record_id), now,
                            patient_id=str(stored.patient_id), track=str(moved.track), period_start=str(moved.period_start),
                            status_before=str(stored.record.status), status_after=str(moved.status), bulk=True)
            await uow.commit()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            after = await worklist.lock_records(uow, ids)
        return [after[i] for i in ids]


async def _billing_on(uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
    settings = await billing.billing_settings(uow, tenant_id)
    if settings is None or not settings.enabled:
        raise RuleViolation("RTM billing is not enabled for this clinic (feature flag rtmBilling)", code="rtm_billing_disabled")
