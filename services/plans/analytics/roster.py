"""Use cases of the clinic roster, the patient summary and a patient's plans (read-only)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from services.common.clock import Clock
from services.common.db import Database, UnitOfWork
from services.common.errors import InvalidInput, NotFound
from services.common.identity import Identity
from services.plans.analytics import roster_keys_repository as first_pass
from services.plans.analytics import roster_repository as roster
from services.plans.analytics.roster_keys_repository import RosterKey
from services.plans.analytics.roster_repository import SORTS, Keyset, PlanFigures, RosterFigures, RosterFilter
from services.plans.domain.roster import Alert, AlertInputs, open_alerts

MAX_PAGE = 100
# People read per first-pass chunk of an alerts page in name order: about two pages' worth.
NAME_CHUNK = 120
PLAN_STATUSES = ("active", "completed", "expired", "cancelled", "none")
RTM_STATUSES = ("none", "projected", "ready", "billed")


@dataclass(frozen=True)
class RosterQuery:
    limit: int = 50
    cursor: str = ""
    search: str = ""
    assigned_to_me: bool = False
    plan_status: str = ""
    rtm_status: str = ""
    has_alerts: bool | None = None
    sort: str = "name"


@dataclass(frozen=True)
class RosterEntry:
    figures: RosterFigures
    alerts: list[Alert]


@dataclass(frozen=True)
class RosterPage:
    entries: list[RosterEntry]
    next_cursor: str


def encode_cursor(sort: str, key: str | float, patient_id: uuid.UUID) -> str:
    raw = json.dumps({"s": sort, "k": key, "p": str(patient_id)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> Keyset:
    """The position a cursor names; InvalidInput for anything this service did not hand out for this sort."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key, patient_id, made_for = raw["k"], uuid.UUID(raw["p"]), raw["s"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidInput("cursor", "is not a cursor this roster handed out") from None
    if made_for != sort:
        raise InvalidInput("cursor", f"was made for sort {made_for!r}; pass the same sort as the first page")
    expected = str if SORTS[sort][2] == "text" else (int, float)
    if isinstance(key, bool) or not isinstance(key, expected) or (isinstance(key, str) and "\x00" in key):
        raise InvalidInput("cursor", "is not a cursor this roster handed out")
    try:
        return Keyset(float(key) if expected is not str else key, patient_id)
    except OverflowError:  # an integer no double holds: not one of ours
        raise InvalidInput("cursor", "is not a cursor this roster handed out") from None


def alerts_of(f: RosterFigures) -> list[Alert]:
    return open_alerts(
        AlertInputs(
            today=f.today, plan_active=f.plan is not None and f.plan.status == "active",
            plan_start=f.plan.start_date if f.plan is not None else None, last_activity_day=f.last_activity_day,
            recent_pain_after=f.recent_pain_after, adherence_7d=f.adherence_7d, adherence_30d=f.adherence_30d,
        )
    )


def _alerting(keys: list[RosterKey], wanted: bool, count: int) -> list[RosterKey]:
    """The first `count` candidates, in order, whose open alerts are (or are not) empty: the domain's rules
    over the first pass's figures, stopping as soon as the page is full."""
    chosen: list[RosterKey] = []
    for k in keys:
        inputs = AlertInputs(
            today=k.today, plan_active=k.plan_status == "active", plan_start=k.plan_start,
            last_activity_day=k.last_activity_day, recent_pain_after=k.recent_pain_after, adherence_7d=k.adherence_7d,
            adherence_30d=k.adherence_30d,
        )
        if bool(open_alerts(inputs)) == wanted:
            chosen.append(k)
            if len(chosen) == count:
                break
    return chosen


def _check(query: RosterQuery) -> None:
    if not 1 <= query.limit <= MAX_PAGE:
        raise InvalidInput("limit", f"must be between 1 and {MAX_PAGE}")
    if query.sort not in SORTS:
        raise InvalidInput("sort", f"must be one of {', '.join(SORTS)}")
    if query.plan_status and query.plan_status not in PLAN_STATUSES:
        raise InvalidInput("planStatus", f"must be one of {', '.join(PLAN_STATUSES)}")
    if query.rtm_status and query.rtm_status not in RTM_STATUSES:
        raise InvalidInput("rtmStatus", f"must be one of {', '.join(RTM_STATUSES)}")
    if len(query.search) > 200:
        raise InvalidInput("search", "at most 200 characters")
    if "\x00" in query.search:
        raise InvalidInput("search", "must not contain NUL characters")  # Postgres text cannot hold one


class RosterHandlers:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def page(self, who: Identity, query: RosterQuery) -> RosterPage:
        """One page of the clinic's patients in the asked order. A name-ordered page is one statement over
        its own rows. A page ordered or filtered by a figure first reads the figures that decide the order
        for every candidate (`roster_keys`, one read-model row per patient); alerts are the domain's rules,
        applied to those candidates in order until `limit + 1` match; then the page's rows get every figure."""
        who.require_role("therapist", "admin")
        _check(query)
        after = decode_cursor(query.cursor, query.sort) if query.cursor else None
        where = RosterFilter(
            search=query.search.strip() or None, therapist_id=who.user_id if query.assigned_to_me else None,
            plan_status=query.plan_status or None, rtm_status=query.rtm_status or None,
        )
        by_alert = query.has_alerts is not None
        by_figure = by_alert or SORTS[query.sort][2] != "text" or where.rtm_status is not None
        now = self._clock.now()
        async with self._db.unit_of_work(who.tenant_id) as uow:
            if not by_figure:
                rows = await roster.roster_page(uow, who.tenant_id, now, where, query.sort, after, query.limit + 1)
            else:
                if by_alert and SORTS[query.sort][2] == "text" and where.plan_status is None and where.rtm_status is None:
                    keys = await self._alerting_by_name(uow, who, now, where, query, after)
                else:
                    keys = await first_pass.roster_keys(
                        uow, who.tenant_id, now, where, query.sort, after, None if by_alert else query.limit + 1,
                    )
                    if by_alert:
                        keys = _alerting(keys, bool(query.has_alerts), query.limit + 1)
                found = await roster.roster_page(
                    uow, who.tenant_id, now, where, query.sort, None, None, ids=[k.patient_id for k in keys],
                ) if keys else []
                place = {k.patient_id: i for i, k in enumerate(keys)}
                rows = sorted(found, key=lambda r: place[r.patient_id])
        entries = [RosterEntry(row, alerts_of(row)) for row in rows]
        more = len(entries) > query.limit
        entries = entries[: query.limit]
        cursor = ""
        if more:
            last = entries[-1].figures
            cursor = encode_cursor(query.sort, last.sort_key, last.patient_id)
        return RosterPage(entries, cursor)

    async def _alerting_by_name(
        self, uow: UnitOfWork, who: Identity, now: datetime, where: RosterFilter, query: RosterQuery, after: Keyset | None,
    ) -> list[RosterKey]:
        """In name order, alerts are decided chunk by chunk (each chunk reads only its own people's read-model rows),
        stopping once the page is full: a clinic where many patients alert reads a chunk or two, not all."""
        wanted, chosen, position = bool(query.has_alerts), [], after
        while True:
            keys = await first_pass.roster_keys(uow, who.tenant_id, now, where, query.sort, position, NAME_CHUNK)
            chosen += _alerting(keys, wanted, query.limit + 1 - len(chosen))
            if len(chosen) > query.limit or len(keys) < NAME_CHUNK:
                return chosen
            position = Keyset(keys[-1].sort_key, keys[-1].patient_id)

    async def summary(self, who: Identity, patient_id: uuid.UUID) -> RosterEntry:
        """The roster row of one patient: what the patient page header shows, from the same statement."""
        who.require_role("therapist", "admin")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            rows = await roster.roster_page(
                uow, who.tenant_id, self._clock.now(), RosterFilter(patient_id=patient_id), "name", None, 1,
            )
        if not rows:
            raise NotFound(f"patient {patient_id} not found")
        return RosterEntry(rows[0], alerts_of(rows[0]))

    async def plans(self, who: Identity, patient_id: uuid.UUID) -> list[PlanFigures]:
        who.require_role("therapist", "admin")
        async with self._db.unit_of_work(who.tenant_id) as uow:
            found = await roster.patient_plans(uow, patient_id)
        if found is None:
            raise NotFound(f"patient {patient_id} not found")
        return found
