"""Every route of the gateway, and for each: who may call it, how to build a valid request for clinic A's
data, and which audit row a mutation leaves. The security suites enumerate the app's routes against it,
so a route added without a case here fails them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Iterator

from services.gateway.app import create_app
from tests.support.care import completion
from tests.support.security_world import World
from tests.support.telemetry import Exercise, bearer, media_playback

ROLES = ("patient", "therapist", "admin")
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Served to anyone, by design: documentation, health and metrics carry no clinic data.
PUBLIC = frozenset({
    ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"),
    ("GET", "/healthz"), ("GET", "/livez"), ("GET", "/readyz"), ("GET", "/metrics"),
    ("GET", "/v1/session/config"),  # how a browser may sign in: the sign-in page asks before anyone is known
})


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, str] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def sent_text(self) -> str:
        """What the caller put in the request itself: echoing it back is no leak."""
        return " ".join([self.path, json.dumps(self.params or {}), json.dumps(self.json)])

    async def send(self, http: Any, headers: dict[str, str]) -> Any:
        return await http.request(
            self.method, self.path, params=self.params, json=self.json if self.content is None else None,
            content=self.content, headers={**self.headers, **headers},
        )


@dataclass(frozen=True)
class RouteCase:
    """auth: "jwt" (user token) or "session" (the telemetry session token plans issues).
    scope: "self" (no ids: the caller's own account or clinic), "patient" (ids of clinic A's patient 0),
    "clinic" (ids of clinic A, no patient may use them). audit: (service schema, action) of a mutation."""

    auth: str
    roles: tuple[str, ...]
    scope: str
    build: Callable[[World], Awaitable[Call]]
    audit: tuple[str, str] | None = None


def _route(auth: str, roles: tuple[str, ...], scope: str, audit: tuple[str, str] | None = None):  # type: ignore[no-untyped-def]
    def register(build: Callable[[World], Awaitable[Call]]) -> RouteCase:
        return RouteCase(auth, roles, scope, build, audit)

    return register


STAFF = ("therapist", "admin")
ALL = ROLES


def operations(app: Any) -> Iterator[tuple[str, str]]:
    """(method, path) of every route of the FastAPI app, including those of included routers."""

    def walk(routes: Any) -> Iterator[tuple[str, str]]:
        for route in routes:
            if hasattr(route, "effective_candidates"):  # an included router (FastAPI >= 0.16x)
                yield from walk(route.effective_candidates())
                continue
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    yield method, route.path

    yield from walk(app.routes)


def fastapi_app(settings: Any) -> Any:
    return create_app(settings).app  # create_app wraps the FastAPI app in the gateway middleware


async def _pose(w: World) -> Call:
    session = await w.new_session()
    return Call("POST", "/v1/pose/frames", content=Exercise.of(reps=1, seed=83).batches[0], headers=bearer(session.token))


async def _media(w: World) -> Call:
    session = await w.new_session()
    return Call("POST", "/v1/media/events", json={"events": media_playback()[:3]}, headers=bearer(session.token, None))


async def _end(w: World) -> Call:
    session = await w.new_session()
    return Call("POST", f"/v1/sessions/{session.session_id}/end", headers=bearer(session.token, None))


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


async def _complete(w: World) -> Call:
    workout = w.take_pending()
    return Call("POST", f"/v2/workouts/{workout['workoutId']}/complete", json=completion(workout))


async def _form(w: World) -> Call:
    body = {"templateKey": "post_session", "templateVersion": 1, "answers": {"pain_now": 3, "effort": 5, "felt": "better"}}
    return Call("POST", f"/v1/workouts/{w.take_completed()['workoutId']}/form-responses", json=body)


def _get(path: Callable[[World], str], params: Callable[[World], dict[str, str]] | None = None):  # type: ignore[no-untyped-def]
    async def build(w: World) -> Call:
        return Call("GET", path(w), params=params(w) if params else None)

    return build


def _send(method: str, path: Callable[[World], str], body: Callable[[World], Any] | None = None):  # type: ignore[no-untyped-def]
    async def build(w: World) -> Call:
        return Call(method, path(w), json=body(w) if body else None)

    return build


ROUTES: dict[tuple[str, str], RouteCase] = {
    # users and clinic administration
    ("GET", "/v2/user/me"): _route("jwt", ALL, "self")(_get(lambda w: "/v2/user/me")),
    ("GET", "/v1/session"): _route("jwt", ALL, "self")(_get(lambda w: "/v1/session")),
    ("POST", "/v2/user/auto-update-timezone"): _route("jwt", ALL, "self", ("plans", "user.timezone.update"))(
        _send("POST", lambda w: "/v2/user/auto-update-timezone", lambda w: {"timezone": "Asia/Kathmandu"})),
    ("GET", "/v1/admin/feature-flags"): _route("jwt", ("admin",), "self")(_get(lambda w: "/v1/admin/feature-flags")),
    ("PUT", "/v1/admin/feature-flags/{flag}"): _route("jwt", ("admin",), "self", ("plans", "tenant.feature_flag.set"))(
        _send("PUT", lambda w: "/v1/admin/feature-flags/appEntranceTracking", lambda w: {"enabled": True})),
    ("PUT", "/v1/admin/rtm-policy"): _route("jwt", ("admin",), "self", ("plans", "tenant.rtm_policy.set"))(
        _send("PUT", lambda w: "/v1/admin/rtm-policy", lambda w: {"policy": "activity_days"})),
    ("GET", "/v1/users"): _route("jwt", ("admin",), "self")(_get(lambda w: "/v1/users")),
    # Reactivating patient 1 (already active) changes nothing another case relies on, and is audited all the same.
    ("PATCH", "/v1/users/{user_id}"): _route("jwt", ("admin",), "clinic", ("plans", "user.access.set"))(
        _send("PATCH", lambda w: f"/v1/users/{w.a.patient_ids[1]}", lambda w: {"active": True})),
    ("POST", "/v1/users"): _route("jwt", ("admin",), "self", ("plans", "user.create"))(
        _send("POST", lambda w: "/v1/users", lambda w: {"role": "patient", "displayName": f"New {w.marker}"})),
    # people, consents, catalogue, plans
    ("GET", "/v1/patients"): _route("jwt", STAFF, "self")(_get(lambda w: "/v1/patients")),
    ("GET", "/v1/patients/{patient_id}/summary"): _route("jwt", STAFF, "patient")(_get(lambda w: f"/v1/patients/{w.p0}/summary")),
    ("GET", "/v1/patients/{patient_id}/plans"): _route("jwt", STAFF, "patient")(_get(lambda w: f"/v1/patients/{w.p0}/plans")),
    ("PUT", "/v1/patients/{patient_id}/therapist"): _route("jwt", STAFF, "patient", ("plans", "patient.assign"))(
        _send("PUT", lambda w: f"/v1/patients/{w.p0}/therapist", lambda w: {"therapistId": str(w.a.therapist_id)})),
    ("PUT", "/v1/patients/{patient_id}/consents/{purpose}"): _route("jwt", ("patient", "admin"), "patient", ("plans", "consent.set"))(
        _send("PUT", lambda w: f"/v1/patients/{w.p0}/consents/analytics", lambda w: {"granted": True})),
    ("GET", "/v1/patients/{patient_id}/consents"): _route("jwt", ALL, "patient")(_get(lambda w: f"/v1/patients/{w.p0}/consents")),
    ("POST", "/v1/exercises"): _route("jwt", STAFF, "self", ("plans", "exercise.create"))(
        _send("POST", lambda w: "/v1/exercises", lambda w: {"name": f"Lunge {w.marker}"})),
    ("GET", "/v1/exercises"): _route("jwt", ALL, "self")(_get(lambda w: "/v1/exercises")),
    ("POST", "/v1/patient-treatment-plans"): _route("jwt", ("therapist",), "patient", ("plans", "plan.create"))(
        _send("POST", lambda w: "/v1/patient-treatment-plans", lambda w: {
            "patientId": str(w.p0), "title": f"Hip {w.marker}", "startDate": _today(), "durationWeeks": 1,
            "frequencyPerWeek": 1, "exercises": [{"exerciseId": w.exercises[1]["exerciseId"], "sets": 2, "reps": 8}]})),
    ("GET", "/v1/patient-treatment-plans/{plan_id}"): _route("jwt", ALL, "patient")(
        _get(lambda w: f"/v1/patient-treatment-plans/{w.plan['planId']}")),
    ("PATCH", "/v1/patient-treatment-plans/{plan_id}"): _route("jwt", STAFF, "clinic", ("plans", "plan.update"))(
        _send("PATCH", lambda w: f"/v1/patient-treatment-plans/{w.plan['planId']}", lambda w: {"title": f"Knee {w.marker}"})),
    ("GET", "/v2/doctor/patients/{patient_id}/workout-sessions"): _route("jwt", STAFF, "patient")(
        _get(lambda w: f"/v2/doctor/patients/{w.p0}/workout-sessions")),
    # a patient's workouts
    ("GET", "/v2/workouts/today"): _route("jwt", ("patient",), "self")(_get(lambda w: "/v2/workouts/today")),
    ("GET", "/v2/workouts"): _route("jwt", ("patient",), "self")(_get(lambda w: "/v2/workouts")),
    ("POST", "/v2/workouts/{workout_id}/complete"): _route("jwt", ("patient",), "patient", ("plans", "workout.complete"))(_complete),
    ("POST", "/v1/workouts/{workout_id}/skip"): _route("jwt", ("patient",), "patient", ("plans", "workout.skip"))(
        _send("POST", lambda w: f"/v1/workouts/{w.take_pending()['workoutId']}/skip", lambda w: {"reason": "travel"})),
    ("POST", "/v1/workouts/{workout_id}/sessions/start"): _route("jwt", ("patient",), "patient", ("plans", "exercise_session.start"))(
        _send("POST", lambda w: f"/v1/workouts/{w.pending[0]['workoutId']}/sessions/start",
              lambda w: {"exerciseId": w.exercises[0]["exerciseId"]})),
    ("POST", "/v1/workouts/{workout_id}/form-responses"): _route("jwt", ("patient",), "patient", ("plans", "form_response.submit"))(_form),
    # streaks, entrances, daily activity
    ("GET", "/v2/streaks"): _route("jwt", ALL, "patient")(_get(lambda w: "/v2/streaks", lambda w: {"patientId": str(w.p0)})),
    ("POST", "/v2/streaks/{patientId}/rebuild"): _route("jwt", STAFF, "patient", ("streaks", "streak.rebuilt"))(
        _send("POST", lambda w: f"/v2/streaks/{w.p0}/rebuild")),
    ("POST", "/v2/app-entrances/log"): _route("jwt", ("patient",), "self", ("entrances", "app_entrance.log"))(
        _send("POST", lambda w: "/v2/app-entrances/log")),
    ("GET", "/v2/doctor/patients/{patient_id}/app-entrances"): _route("jwt", STAFF, "patient")(
        _get(lambda w: f"/v2/doctor/patients/{w.p0}/app-entrances")),
    ("POST", "/api/app-usage/open"): _route("jwt", ("patient",), "self", ("entrances", "app_usage.open"))(
        _send("POST", lambda w: "/api/app-usage/open")),
    ("POST", "/api/app-usage/close"): _route("jwt", ("patient",), "self", ("entrances", "app_usage.close"))(
        _send("POST", lambda w: "/api/app-usage/close")),
    ("GET", "/api/daily-activity"): _route("jwt", ALL, "patient")(_get(
        lambda w: "/api/daily-activity",
        lambda w: {"from": (datetime.now(timezone.utc).date() - timedelta(days=10)).isoformat(), "to": _today(),
                   "patientId": str(w.p0)})),
    ("POST", "/api/xp/award"): _route("jwt", STAFF, "patient", ("entrances", "xp.award"))(
        _send("POST", lambda w: "/api/xp/award", lambda w: {
            "patientId": str(w.p0), "amount": 5, "reason": "extra stretching", "idempotencyKey": uuid.uuid4().hex})),
    # progress, analytics, billing
    ("GET", "/v1/patient-treatment-plans/{plan_id}/progress"): _route("jwt", ALL, "patient")(
        _get(lambda w: f"/v1/patient-treatment-plans/{w.plan['planId']}/progress")),
    ("GET", "/v1/patient-treatment-plans/{plan_id}/analytics"): _route("jwt", STAFF, "clinic")(
        _get(lambda w: f"/v1/patient-treatment-plans/{w.plan['planId']}/analytics")),
    ("GET", "/v1/organizations/dashboard"): _route("jwt", ("admin",), "self")(_get(lambda w: "/v1/organizations/dashboard")),
    ("POST", "/v1/patients/{patient_id}/time-entries"): _route("jwt", ("therapist",), "patient", ("plans", "time_entry.create"))(
        _send("POST", lambda w: f"/v1/patients/{w.p0}/time-entries", lambda w: {
            "minutes": 5, "activityType": "data_review", "interactive": False, "occurredOn": _today()})),
    ("GET", "/v1/patients/{patient_id}/time-entries"): _route("jwt", STAFF, "patient")(
        _get(lambda w: f"/v1/patients/{w.p0}/time-entries")),
    ("GET", "/v1/patients/{patient_id}/billing"): _route("jwt", STAFF, "patient")(_get(lambda w: f"/v1/patients/{w.p0}/billing")),
    ("GET", "/v1/billing/progress-board"): _route("jwt", STAFF, "self")(_get(lambda w: "/v1/billing/progress-board")),
    ("GET", "/v1/billing/records"): _route("jwt", STAFF, "self")(_get(lambda w: "/v1/billing/records")),
    ("GET", "/v1/billing/records.csv"): _route("jwt", STAFF, "self")(_get(lambda w: "/v1/billing/records.csv")),
    ("POST", "/v1/billing/records/mark-billed"): _route("jwt", ("admin",), "clinic", ("plans", "billing_record.mark_billed"))(
        _send("POST", lambda w: "/v1/billing/records/mark-billed", lambda w: {"recordIds": [w.bulk_ready_record]})),
    ("POST", "/v1/billing-records/{record_id}/mark-billed"): _route("jwt", ("admin",), "clinic", ("plans", "billing_record.mark_billed"))(
        _send("POST", lambda w: f"/v1/billing-records/{w.ready_record}/mark-billed")),
    ("POST", "/v1/billing-records/{record_id}/reset"): _route("jwt", ("admin",), "clinic", ("plans", "billing_record.reset"))(
        _send("POST", lambda w: f"/v1/billing-records/{w.billed_record}/reset")),
    # telemetry: the session token for ingest, a user token for replays. Pose batches are audited per session
    # (its first batch opens it, the end finalizes it): the 1 Hz hot path does no database write per batch.
    ("POST", "/v1/pose/frames"): _route("session", ("patient",), "patient", ("telemetry", "exercise_session.open"))(_pose),
    ("POST", "/v1/media/events"): _route("session", ("patient",), "patient", ("telemetry", "media_events.ingest"))(_media),
    ("POST", "/v1/sessions/{session_id}/end"): _route("session", ("patient",), "patient", ("telemetry", "exercise_session.finalize"))(_end),
    ("GET", "/v1/sessions/{session_id}/replay"): _route("jwt", ("patient", "therapist"), "patient")(
        _get(lambda w: f"/v1/sessions/{w.replay_session}/replay")),
    ("GET", "/v1/patients/{patient_id}/exercise-sessions"): _route("jwt", ALL, "patient")(
        _get(lambda w: f"/v1/patients/{w.p0}/exercise-sessions")),
    ("GET", "/v1/exercise-sessions/{session_id}"): _route("jwt", ALL, "patient")(
        _get(lambda w: f"/v1/exercise-sessions/{w.replay_session}")),
    ("GET", "/v1/exercise-videos/quality"): _route("jwt", STAFF, "self")(_get(lambda w: "/v1/exercise-videos/quality")),
}
