"""The clinic web app in real Chromium (Debian's, driven by Playwright) against the running stack: a therapist signs
in through a `momentum login` link and sees what the API says, an admin switches a flag (the patient portal on a
phone is test_web_portal.py's). Each main screen is screenshotted under .run/artifacts/web/ and scanned with
axe-core. Timeouts are generous: the machine is shared."""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from services.common.clock import SystemClock
from services.common.identity import Identity
from services.common.timezones import zone
from services.plans.care.plan_handlers import Prescription
from services.plans.demo_seed import ADMIN, TENANT, THERAPIST, DemoClinic, seed_demo
from tests.support.analytics import service_identity
from tests.support.cli import momentum
from tests.support.clinic import Clinic, client
from tests.support.waiting import eventually
from tests.support.web import AXE, ROOT, browser  # noqa: F401  (the fixture, by name)

pytestmark = pytest.mark.stack

ARTIFACTS = ROOT / ".run" / "artifacts" / "web"
TIMEOUT_MS = 60_000
DESKTOP = {"width": 1280, "height": 900}
REFERENCE_COLOURS = {  # shared/reference/streaks.txt, as the browser reports computed colours
    "done": "rgb(16, 185, 129)", "today": "rgb(245, 158, 11)", "rest": "rgb(219, 234, 254)",
    "missed": "rgb(254, 226, 226)", "inactive": "rgb(229, 231, 235)", "future": "rgb(229, 231, 235)",
}
expect.set_options(timeout=TIMEOUT_MS)


class Demo:
    """The demo clinic (`momentum seed --demo`) with one more patient whose plan has a workout every day."""

    def __init__(self, stack: Any, seeded: DemoClinic, phone_patient: uuid.UUID) -> None:
        self.stack = stack
        self.seeded = seeded
        self.phone_patient = phone_patient
        self.clinic = Clinic(stack.settings, TENANT, ADMIN, THERAPIST, [*seeded.patient_ids, phone_patient])

    async def link(self, user: uuid.UUID) -> str:
        code, out = await momentum(self.stack, "login", "--tenant", str(TENANT), "--user", str(user), "--base-url", self.stack.base_url)
        assert code == 0, out
        return out.strip().splitlines()[-1]

    async def api(self, path: str, headers: dict[str, str], **params: str) -> Any:
        async with client(self.stack.base_url) as http:
            reply = await http.get(path, headers=headers, params=params)
            assert reply.status_code == 200, reply.text
            return reply.json()


@pytest.fixture(scope="module")
async def demo(stack) -> Demo:  # type: ignore[no-untyped-def]
    components = stack.runtimes["plans"].components
    seeded = await seed_demo(components.people, components.plans, components.workouts, SystemClock())
    therapist = Identity(TENANT, THERAPIST, "therapist", "web-test")
    # No timezone of her own: the clinic's (Europe/Madrid) until the browser syncs the device's.
    phone_patient = uuid.uuid4()
    await components.people.create_user(TENANT, phone_patient, "patient", f"Zoe Phone {phone_patient.hex[:4]}", None)
    exercise = await components.plans.create_exercise(therapist, "Wall sit", "https://video.example/wall-sit.mp4", 45, "")
    today = datetime.now(zone("Europe/Madrid")).date()
    await components.plans.create_plan(therapist, phone_patient, "Daily knee routine", today, 1, 7, [Prescription(str(exercise.exercise_id), 2, 8, 30)])
    demo = Demo(stack, seeded, phone_patient)

    # An app visit on a day of Ana's without a workout, as the entrances finalizer makes one: the "App visit" badge.
    # Once only: another module of browser tests (test_web_screens.py) sets this fixture up in the same database.
    ana = seeded.patient_ids[0]
    workouts = (await demo.api(f"/v2/doctor/patients/{ana}/workout-sessions", demo.clinic.as_therapist()))["workouts"]
    if not any(w["completedViaAppEntrance"] for w in workouts):
        done = [w for w in workouts if w["status"] == "completed" and w["source"] == "real"]
        source = max(done, key=lambda w: w["localDate"])
        busy = {w["scheduledDate"] for w in workouts} | {w["localDate"] for w in workouts}
        ana_today = datetime.now(zone("Europe/Madrid")).date()
        day = next(ana_today - timedelta(days=n) for n in range(1, 14) if (ana_today - timedelta(days=n)).isoformat() not in busy)
        await components.mirrors.create_mirror(service_identity(TENANT), uuid.uuid4(), uuid.UUID(source["workoutId"]), day, ana, "Europe/Madrid")

    # Ana opened the app today: the entrances service tracks the visit (its history on her page).
    async with client(stack.base_url) as http:
        logged = await http.post("/v2/app-entrances/log", headers=demo.clinic.as_patient(0))
        assert logged.status_code in (200, 202), logged.text

    # The streaks service hears of the history through the outbox: wait until it has settled.
    async def streak() -> Any:
        return await demo.api("/v2/streaks", demo.clinic.as_therapist(), patientId=str(ana))

    seen: list[Any] = []

    async def settled() -> bool:
        seen.append(await streak())
        return len(seen) >= 2 and seen[-1] == seen[-2] and seen[-1]["lastWorkoutDate"] is not None

    await eventually(settled, lambda ok: ok, timeout=60, every=1.5)
    return demo


async def _context(browser: Browser, viewport: dict[str, int]) -> BrowserContext:
    context = await browser.new_context(viewport=viewport, timezone_id="Europe/Madrid", locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    return context


async def _shoot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def _axe(page: Page, screen: str) -> None:
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))"
    )
    severe = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not severe, f"{screen}: {severe}"


async def test_therapist_sees_the_api_pain_values_streak_dots_and_app_visit(browser, demo):
    ana = demo.seeded.patient_ids[0]
    context = await _context(browser, DESKTOP)
    page = await context.new_page()
    await page.goto(await demo.link(THERAPIST))
    await expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    await expect(page.get_by_role("link", name="Ana Ruiz")).to_be_visible()
    await _shoot(page, "therapist-roster")
    await _axe(page, "roster")

    await page.get_by_label("Search by name").fill("ana")
    await expect(page.get_by_role("link", name="Ben Carter")).to_have_count(0)
    await page.get_by_role("link", name="Ana Ruiz").click()
    await expect(page).to_have_url(re.compile(f"/patients/{ana}$"))
    table = page.get_by_test_id("workout-sessions")
    await expect(table).to_be_visible()
    await expect(page.locator(".week .day")).to_have_count(7)
    await expect(page.get_by_test_id("pain-chart").locator("canvas")).to_have_count(1)

    headers = demo.clinic.as_therapist()
    workouts = (await demo.api(f"/v2/doctor/patients/{ana}/workout-sessions", headers))["workouts"]
    streak = await demo.api("/v2/streaks", headers, patientId=str(ana))

    # Pain per session, as the API has it, in the session table.
    shown = {}
    for row in await table.locator("tbody tr").all():
        workout_id = await row.get_attribute("data-workout-id")
        shown[workout_id] = (await row.locator(".pain-before").inner_text(), await row.locator(".pain-after").inner_text())
    expected = {
        w["workoutId"]: (str(w["painBefore"]) if w["painBefore"] is not None else "—", str(w["painAfter"]) if w["painAfter"] is not None else "—")
        for w in workouts if w["status"] != "scheduled"
    }
    assert shown == expected and len(expected) >= 5

    # The chart's values are the progress route's painTrend.
    plan_id = max((w for w in workouts if w["source"] == "real" and w["status"] != "scheduled"), key=lambda w: w["localDate"] or "")["planId"]
    trend = (await demo.api(f"/v1/patient-treatment-plans/{plan_id}/progress", headers))["painTrend"]
    charted = [[await cell.text_content() for cell in await row.locator("td").all()] for row in await page.get_by_test_id("pain-table").locator("tbody tr").all()]
    assert charted == [[str(p["sessionNumber"]), str(p["painBefore"]), str(p["painAfter"])]
                       for p in sorted(trend, key=lambda p: p["sessionNumber"]) if p["painBefore"] is not None]

    # Adherence to date and one bar per week with sessions expected, from the analytics route.
    analytics = await demo.api(f"/v1/patient-treatment-plans/{plan_id}/analytics", headers)
    await expect(page.get_by_test_id("adherence-percent")).to_contain_text(f"Adherence to date: {math.floor(analytics['adherencePercent'] + 0.5)}%")
    expected_weeks = [w for w in analytics["weeklyAdherence"] if w["expected"] > 0]
    await expect(page.get_by_test_id("adherence-bars").locator("li")).to_have_count(len(expected_weeks))
    await expect(page.get_by_test_id("adherence-bars").locator("li").first).to_contain_text(
        f"{expected_weeks[0]['completed']}/{expected_weeks[0]['expected']} sessions")

    # The streak dots: the API's weekCalendar, Monday to Sunday, in the reference colours.
    dots = page.locator(".week .day")
    ui_days = [(await d.get_attribute("data-date"), await d.get_attribute("data-status")) for d in await dots.all()]
    assert ui_days == [(day["date"], day["status"]) for day in streak["weekCalendar"]]
    for d in await dots.all():
        colour = await d.locator(".dot").evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour == REFERENCE_COLOURS[await d.get_attribute("data-status")]
    rest = f"{streak['weeklyDaysOffRemaining']}/{streak['daysOffPerWeek']} rest days left"
    await expect(page.get_by_test_id("rest-days-left")).to_have_text(rest)
    await expect(page.get_by_test_id("daily-streak")).to_contain_text(str(streak["currentDailyStreak"]))

    # The mirror workout carries the "App visit" badge; real ones do not.
    mirrored = [w["workoutId"] for w in workouts if w["completedViaAppEntrance"]]
    assert len(mirrored) == 1
    await expect(table.locator(f'tr[data-workout-id="{mirrored[0]}"]').get_by_test_id("app-visit")).to_have_text("App visit")
    await expect(table.get_by_test_id("app-visit")).to_have_count(1)
    # App visits as the entrances service has them, statuses translated from its codes.
    entrances = (await demo.api(f"/v2/doctor/patients/{ana}/app-entrances", headers))["entrances"]
    assert entrances
    visits = page.get_by_test_id("app-entrances").locator("tbody tr")
    await expect(visits).to_have_count(len(entrances))
    labels = {
        "PENDING": "Waiting for the day to end", "CANCELED_BY_REAL_WORKOUT": "Workout done that day",
        "SKIPPED_FEATURE_DISABLED": "Tracking switched off", "SKIPPED_NO_SOURCE_WORKOUT": "No earlier workout to mirror",
        "FINALIZED_TO_INFERRED_WORKOUT": "Counted as an app visit workout",
    }
    for entrance in entrances:
        cells = visits.and_(page.locator(f'[data-entrance-id="{entrance["entranceId"]}"]')).locator("td")
        await expect(cells.nth(0)).to_have_text(entrance["localDate"])
        await expect(cells.nth(1)).to_have_text(labels[entrance["status"]])

    await _shoot(page, "therapist-patient")
    await _axe(page, "patient page")

    # The same page in Russian, statuses translated from the API's codes.
    await page.get_by_label("Language").select_option("ru")
    await expect(page.get_by_role("heading", name="Тренировки")).to_be_visible()
    await expect(table.get_by_test_id("app-visit").first).to_have_text("Визит в приложение")
    await page.get_by_label("Язык").select_option("en")
    await context.close()


async def test_admin_switches_a_flag_and_the_api_reflects_it(browser, demo):
    context = await _context(browser, DESKTOP)
    page = await context.new_page()
    await page.goto(await demo.link(ADMIN))
    switch = page.get_by_role("switch", name="App entrance tracking")
    await expect(switch).to_be_checked()
    await _shoot(page, "admin-feature-flags")
    await _axe(page, "feature flags")

    await switch.uncheck()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    await expect(switch).not_to_be_checked()
    flags = await demo.api("/v1/admin/feature-flags", demo.clinic.as_admin())
    assert flags["flags"]["appEntranceTracking"] is False
    await page.reload()
    await expect(page.get_by_role("switch", name="App entrance tracking")).not_to_be_checked()
    await page.get_by_role("switch", name="App entrance tracking").check()
    await expect(page.get_by_role("switch", name="App entrance tracking")).to_be_checked()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    assert (await demo.api("/v1/admin/feature-flags", demo.clinic.as_admin()))["flags"]["appEntranceTracking"] is True

    await page.get_by_role("link", name="Billing board").click()
    await expect(page.get_by_role("heading", name="RTM billing board")).to_be_visible()
    board = await demo.api("/v1/billing/progress-board", demo.clinic.as_admin())
    for patient in board["patients"]:
        await expect(page.get_by_text(patient["displayName"], exact=True)).to_be_visible()
    await _shoot(page, "admin-billing-board")
    await _axe(page, "billing board")
    await context.close()
