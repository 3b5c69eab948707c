"""Two clinics with real data for the security suites: clinic A holds everything an attacker might want
(plans, workouts, sessions, a replay, billing records), clinic B holds the attackers' own accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import jwt

from services.common.session_token import SessionClaims, issue_session_token
from services.plans.people.handlers import PeopleHandlers
from tests.support.care import completion
from tests.support.clinic import Clinic
from tests.support.telemetry import Exercise, bearer

FLAGS = {"appEntranceTracking": True, "rtmBilling": True}


async def marked_clinic(handlers: PeopleHandlers, settings: Any, marker: str, patients: int, zone: str = "UTC") -> Clinic:
    """Like tests.support.clinic.new_clinic, but every name carries `marker`, so any byte of this
    clinic's data in a reply to someone else is found by a substring search."""
    tenant_id = uuid.uuid4()
    await handlers.create_tenant(tenant_id, f"Clinic {marker}", zone, dict(FLAGS))
    clinic = Clinic(settings, tenant_id, uuid.uuid4(), uuid.uuid4())
    await handlers.create_user(tenant_id, clinic.admin_id, "admin", f"Admin {marker}")
    await handlers.create_user(tenant_id, clinic.therapist_id, "therapist", f"Therapist {marker}")
    for index in range(patients):
        patient_id = uuid.uuid4()
        await handlers.create_user(tenant_id, patient_id, "patient", f"Patient {index} {marker}")
        clinic.patient_ids.append(patient_id)
    return clinic


def user_of(clinic: Clinic, role: str, patient_index: int = 0) -> uuid.UUID:
    return {"admin": clinic.admin_id, "therapist": clinic.therapist_id}.get(role) or clinic.patient_ids[patient_index]


def forged_jwt(settings: Any, clinic: Clinic, role: str, *, secret: str | None = None, expired: bool = False) -> dict[str, str]:
    """A user token that must be refused: signed with another key, or expired (otherwise genuine)."""
    now = datetime.now(timezone.utc)
    claims = {
        "sub": str(user_of(clinic, role)), "tenant": str(clinic.tenant_id), "role": role,
        "aud": settings.auth.jwt_audience, "iss": settings.auth.jwt_issuer,
        "iat": now - timedelta(hours=2), "exp": now - timedelta(seconds=30) if expired else now + timedelta(hours=1),
    }
    return {"Authorization": "Bearer " + jwt.encode(claims, secret or settings.auth.jwt_secret, algorithm="HS256")}


def forged_session_token(settings: Any, clinic: Clinic, session_id: str, *, other_key: bool = False, expired: bool = False) -> str:
    """A telemetry session token for a real session that must be refused: another key, or expired."""
    now = datetime.now(timezone.utc)
    issued = now - timedelta(hours=3) if expired else now
    claims = SessionClaims(
        tenant_id=str(clinic.tenant_id), patient_id=str(clinic.patient_id), session_id=session_id,
        workout_id=str(uuid.uuid4()), exercise_id=str(uuid.uuid4()), purposes=("analytics", "biometric"),
        issued_at=int(issued.timestamp()), expires_at=int((issued + timedelta(hours=1)).timestamp()),
    )
    active = settings.auth.telemetry_token_active_key
    keys = {active: b"an-attacker-key-that-is-long-enough-0123456789"} if other_key else settings.auth.telemetry_token_keys
    return issue_session_token(keys, active, claims)


@dataclass
class Session:
    session_id: str
    token: str


@dataclass
class World:
    """Clinic A (two patients, data of patient 0) and clinic B (the attackers), plus pools of
    resources a route case takes once, so one mutating case never disturbs another."""

    stack: Any
    http: httpx.AsyncClient
    marker: str
    a: Clinic
    b: Clinic
    exercises: list[dict[str, Any]]
    plan: dict[str, Any]
    pending: list[dict[str, Any]]
    completed: list[dict[str, Any]]
    replay_session: str
    ready_record: str
    billed_record: str
    sessions: list[Session] = field(default_factory=list)
    plan_workouts: list[dict[str, Any]] = field(default_factory=list)  # every workout of the plan, for the id lists
    bulk_ready_record: str = ""  # a third closed month, for the bulk mark-billed route

    @property
    def settings(self) -> Any:
        return self.stack.settings

    @property
    def p0(self) -> uuid.UUID:
        return self.a.patient_ids[0]

    def take_pending(self) -> dict[str, Any]:
        return self.pending.pop()

    def take_completed(self) -> dict[str, Any]:
        return self.completed.pop()

    async def new_session(self) -> Session:
        """A live exercise session of patient 0, started through plans exactly as the app does."""
        workout = self.pending[0]
        grant = await self.http.post(
            f"/v1/workouts/{workout['workoutId']}/sessions/start", json={"exerciseId": self.exercises[0]["exerciseId"]},
            headers=self.a.as_patient(),
        )
        assert grant.status_code == 201, grant.text
        session = Session(grant.json()["sessionId"], grant.json()["token"])
        self.sessions.append(session)
        return session

    def a_markers(self) -> set[str]:
        """Every identifier and name of clinic A; none may reach a caller who has no right to it."""
        a = self.a
        found = {self.marker, str(a.tenant_id), str(a.admin_id), str(a.therapist_id), *(str(p) for p in a.patient_ids)}
        found |= {e["exerciseId"] for e in self.exercises} | {self.plan["planId"], self.replay_session}
        found |= {w["workoutId"] for w in self.plan_workouts} | {self.ready_record, self.billed_record, self.bulk_ready_record}
        found |= {s.session_id for s in self.sessions} | {s.token for s in self.sessions}
        return found


async def build_world(stack: Any, http: httpx.AsyncClient) -> World:
    handlers = stack.runtimes["plans"].components.people
    marker = f"zq{uuid.uuid4().hex[:10]}"
    a = await marked_clinic(handlers, stack.settings, marker, patients=2)
    b = await marked_clinic(handlers, stack.settings, f"bx{uuid.uuid4().hex[:10]}", patients=1)
    exercises = []
    for name in ("Squat", "Bridge"):
        made = await http.post(
            "/v1/exercises", json={"name": f"{name} {marker}", "videoUrl": f"https://video.example/{name}.mp4",
                                   "videoDurationSeconds": 60},
            headers=a.as_therapist(),
        )
        assert made.status_code == 201, made.text
        exercises.append(made.json())
    start = datetime.now(timezone.utc).date() - timedelta(days=7)
    plan = await http.post(
        "/v1/patient-treatment-plans",
        json={"patientId": str(a.patient_id), "title": f"Knee rehab {marker}", "startDate": start.isoformat(),
              "durationWeeks": 6, "frequencyPerWeek": 3,
              "exercises": [{"exerciseId": e["exerciseId"], "sets": 3, "reps": 10} for e in exercises]},
        headers=a.as_therapist(),
    )
    assert plan.status_code == 201, plan.text
    listed = await http.get("/v2/workouts?past=false", headers=a.as_patient())
    workouts = sorted(listed.json()["workouts"], key=lambda w: w["sessionNumber"])
    for purpose in ("biometric", "analytics"):
        granted = await http.put(f"/v1/patients/{a.patient_id}/consents/{purpose}", json={"granted": True}, headers=a.as_patient())
        assert granted.status_code == 200, granted.text
    completed = []
    for workout in workouts[:3]:
        done = await http.post(f"/v2/workouts/{workout['workoutId']}/complete", json=completion(workout), headers=a.as_patient())
        assert done.status_code == 200, done.text
        completed.append(done.json())
    world = World(
        stack, http, marker, a, b, exercises, plan.json(), list(reversed(workouts[3:])), completed, "", "", "",
        plan_workouts=workouts,
    )
    world.replay_session = await _finished_session(world)
    world.ready_record, world.billed_record, world.bulk_ready_record = await _closed_billing_months(world)
    return world


async def _finished_session(world: World) -> str:
    session = await world.new_session()
    for body in Exercise.of(reps=2, seed=81).batches[:4]:
        sent = await world.http.post("/v1/pose/frames", content=body, headers=bearer(session.token))
        assert sent.status_code == 200, sent.text
    ended = await world.http.post(f"/v1/sessions/{session.session_id}/end", headers=bearer(session.token, None))
    assert ended.status_code == 200 and ended.json()["replayAvailable"], ended.text
    return session.session_id


def _month_back(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, 3)


async def _closed_billing_months(world: World) -> tuple[str, str, str]:
    """Three finished months of management time: two left ready, one billed (for mark-billed, reset and bulk)."""
    a, http = world.a, world.http
    today = datetime.now(timezone.utc).date()
    months = [_month_back(today, 2), _month_back(today, 3), _month_back(today, 4)]
    for day in months:
        entry = await http.post(
            f"/v1/patients/{a.patient_id}/time-entries",
            json={"minutes": 25, "activityType": "patient_communication", "interactive": True, "occurredOn": day.isoformat()},
            headers=a.as_therapist(),
        )
        assert entry.status_code == 201, entry.text
    records = (await http.get(f"/v1/patients/{a.patient_id}/billing", headers=a.as_therapist())).json()["records"]
    by_month = {r["periodStart"][:7]: r for r in records if r["track"] == "management_time"}
    ready, to_bill, bulk = (by_month[m.isoformat()[:7]] for m in months)
    assert ready["status"] == to_bill["status"] == bulk["status"] == "ready", records
    billed = await http.post(f"/v1/billing-records/{to_bill['recordId']}/mark-billed", headers=a.as_admin())
    assert billed.status_code == 200, billed.text
    return ready["recordId"], to_bill["recordId"], bulk["recordId"]
