"""The clinician screens in real Chromium against the running stack: the therapist opens a demo patient's exercise
session (created through the public API, as the patient app would) and sees the reps the API returns, plays the
pose replay and the canvas changes between frames, a rep marker moves it to that rep's frame, logs management time
and sees it listed; a clinic admin marks a ready record billed in the worklist and the API shows it billed, then
reads the organisation dashboard. Each screen is screenshotted under .run/artifacts/web/ and scanned with axe-core."""

from __future__ import annotations

import asyncio
import math
import uuid
from bisect import bisect_right
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from services.plans.demo_seed import KNEE_PROFILE, THERAPIST
from services.telemetry.domain.pose_profile import PoseProfile
from tests.e2e.test_web_app import Demo, _axe, _context, _shoot, browser, demo  # noqa: F401  (fixtures shared by name)
from tests.support.analytics import complete_on_days, exercises, give_plan, utc_today
from tests.support.cli import momentum
from tests.support.clinic import Clinic, client, new_clinic
from tests.support.telemetry import Exercise, bearer, media_playback
from tests.support.waiting import eventually

pytestmark = pytest.mark.stack
DESKTOP = {"width": 1280, "height": 900}


class RecordedSession:
    def __init__(self, session_id: str, movement: Exercise) -> None:
        self.session_id = session_id
        self.movement = movement


@pytest.fixture(scope="module")
async def recorded(demo: Demo) -> RecordedSession:  # noqa: F811
    """Ana watches the video and does six sit-to-stands with the camera on: the session is started, streamed and
    ended through the API."""
    headers = demo.clinic.as_patient(0)
    movement = Exercise.of(reps=6, rep_seconds=3.0, rest_seconds=1.0, profile=PoseProfile.from_dict(KNEE_PROFILE), seed=14)
    async with client(demo.stack.base_url) as http:
        catalogue = (await http.get("/v1/exercises", headers=headers)).json()
        sit_to_stand = next(e for e in catalogue if e["name"] == "Sit-to-stand")
        workouts = (await http.get("/v2/workouts", headers=headers)).json()["workouts"]
        workout = next(w for w in workouts if w["source"] == "real" and any(x["exerciseId"] == sit_to_stand["exerciseId"] for x in w["exercises"]))
        grant = await http.post(f"/v1/workouts/{workout['workoutId']}/sessions/start",
                                json={"exerciseId": sit_to_stand["exerciseId"]}, headers=headers)
        assert grant.status_code == 201, grant.text
        session_id, token = grant.json()["sessionId"], grant.json()["token"]
        # She watched the exercise video first: one playback with a stall and a drop from 720p to 480p.
        watched = await http.post("/v1/media/events", json={"events": media_playback()}, headers=bearer(token, None))
        assert watched.status_code == 200, watched.text
        for body in movement.batches:
            sent = await http.post("/v1/pose/frames", content=body, headers=bearer(token))
            assert sent.status_code == 200, sent.text
        ended = await http.post(f"/v1/sessions/{session_id}/end", headers=bearer(token, None))
        assert ended.status_code == 200, ended.text
    return RecordedSession(session_id, movement)


async def _link(stack: Any, tenant: uuid.UUID, user: uuid.UUID) -> str:
    code, out = await momentum(stack, "login", "--tenant", str(tenant), "--user", str(user), "--base-url", stack.base_url)
    assert code == 0, out
    return out.strip().splitlines()[-1]


def _one_decimal(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 10) / 10:.1f}"


async def test_therapist_reviews_a_session_plays_its_replay_and_logs_time(browser, demo, recorded):  # noqa: F811
    ana = demo.seeded.patient_ids[0]
    headers = demo.clinic.as_therapist()
    # The summary's RTM figures follow billing's consumer, which may still be counting the completions an
    # earlier browser test made: compare the page with a summary that holds still.
    async def two_reads() -> tuple[Any, Any]:
        first = await demo.api(f"/v1/patients/{ana}/summary", headers)
        await asyncio.sleep(2)
        return first, await demo.api(f"/v1/patients/{ana}/summary", headers)

    # The recorded session's finalization reaches billing through telemetry's and plans' outboxes (a data day).
    summary, _ = await eventually(two_reads, lambda reads: reads[0] == reads[1], timeout=60, every=0.5)
    session = await demo.api(f"/v1/exercise-sessions/{recorded.session_id}", headers)
    assert session["reps"], "telemetry detected no rep in the synthetic sit-to-stands"

    context = await _context(browser, DESKTOP)
    page = await context.new_page()
    await page.goto(await demo.link(THERAPIST))
    await page.goto(f"{demo.stack.base_url}/patients/{ana}")
    # The header is the summary route's, figure for figure.
    await expect(page.get_by_role("heading", name=summary["displayName"], level=1)).to_be_visible()
    plan = summary["currentPlan"]
    await expect(page.get_by_test_id("sessions-progress")).to_have_text(f"Sessions {plan['sessionsCompleted']}/{plan['sessionsPlanned']}")
    await expect(page.get_by_test_id("summary-therapist")).to_have_text(summary["therapist"]["displayName"])
    await expect(page.get_by_test_id("summary-rtm")).to_contain_text(f"{summary['rtm']['dataDays']} data days, {summary['rtm']['minutes']} minutes")

    row = page.get_by_test_id("exercise-sessions").locator(f'tr[data-session-id="{recorded.session_id}"]')
    await expect(row).to_contain_text("Sit-to-stand")
    await expect(row.locator("td").nth(3)).to_have_text(str(session["detectedRepCount"]))
    await row.get_by_role("link").click()

    # The rep table: the API's reps, number, peak ROM, minimum angle, form score and deviation as it has them.
    table = page.get_by_test_id("rep-table")
    await expect(table.locator("tbody tr")).to_have_count(len(session["reps"]))
    for rep in session["reps"]:
        line = table.locator(f'tr[data-rep-number="{rep["repNumber"]}"]')
        await expect(line.locator(".peak-rom")).to_have_text(_one_decimal(rep["peakRomDegrees"]))
        await expect(line.locator(".minimum-angle")).to_have_text(_one_decimal(rep["minimumAngleDegrees"]))
        await expect(line.locator(".form-score")).to_have_text(_one_decimal(rep["formScore"]))
        await expect(line.locator(".max-deviation")).to_have_text(_one_decimal(rep["maxDeviationDegrees"]))
    await expect(page.get_by_test_id("session-status")).to_have_text("Completed")

    # The replay: the skeleton drawn from the blob S3 serves; playing it moves the frame and changes the picture.
    canvas = page.get_by_test_id("replay-canvas")
    await expect(canvas).to_have_attribute("data-frame", "0")
    await expect(page.get_by_test_id("replay-time")).to_contain_text(f"of {len(recorded.movement.timestamps)}")
    first = await canvas.evaluate("c => c.toDataURL()")
    await page.get_by_role("button", name="Play").click()
    await expect(canvas).not_to_have_attribute("data-frame", "0")
    await page.get_by_role("button", name="Pause").click()
    assert await canvas.evaluate("c => c.toDataURL()") != first, "the canvas did not change between frames"
    await expect(page.get_by_test_id("angle-trace").locator("canvas")).to_have_count(1)

    # A rep marker seeks to that rep's first frame: the frame shown is the last one not after its start.
    rep = session["reps"][1]
    timestamps = [int(ms) for ms in recorded.movement.timestamps]
    await page.get_by_role("button", name=f"Go to rep {rep['repNumber']} at").click()
    await expect(canvas).to_have_attribute("data-frame", str(bisect_right(timestamps, rep["startMs"]) - 1))
    await page.get_by_label("Speed").select_option("2")

    # Video quality of the exercise, from the API's figures for its playbacks.
    (playback,) = session["videoQuality"]
    video = page.get_by_test_id("video-quality")
    await expect(video.get_by_role("heading", level=2)).to_have_text("Video quality: Sit-to-stand")
    await expect(video.locator(".video-playbacks")).to_have_text("1")
    await expect(video.locator(".video-startup")).to_have_text(f"{playback['startupTimeMs'] / 1000:.1f} s")
    await expect(video.locator(".video-watch")).to_have_text(f"{_one_decimal(playback['completionPercentage'])}%")
    await expect(video.locator(".video-rebuffer")).to_have_text(f"{_one_decimal(playback['rebufferPercentage'])}%")
    played = {q: s for q, s in playback["qualitySeconds"].items() if s > 0}
    assert set(played) == {"720p", "480p"}, playback["qualitySeconds"]
    renditions = video.get_by_test_id("video-renditions").locator("li")
    await expect(renditions).to_have_count(2)
    total = sum(played.values())
    for index, name in enumerate(("720p", "480p")):  # highest first
        await expect(renditions.nth(index)).to_have_attribute("data-rendition", name)
        await expect(renditions.nth(index)).to_contain_text(f"{name}: {math.floor(100 * played[name] / total + 0.5)}%")
    await _shoot(page, "therapist-exercise-session")
    await _axe(page, "exercise session")

    # Management time: logged on the patient page and listed there as the API has it.
    await page.get_by_role("link", name="Back to the patient").click()
    await page.get_by_label("Minutes", exact=True).fill("0")
    await page.get_by_role("button", name="Log time").click()
    await expect(page.get_by_role("alert").filter(has_text="whole minutes")).to_be_visible()
    note = f"call {uuid.uuid4().hex[:6]}"
    await page.get_by_label("Minutes", exact=True).fill("17")
    await page.get_by_label("Activity").select_option("patient_communication")
    await page.get_by_label("Interactive communication", exact=False).check()
    await page.get_by_label("Note").fill(note)
    await page.get_by_role("button", name="Log time").click()
    await expect(page.get_by_role("status").filter(has_text="Time logged.")).to_be_visible()
    entries = (await demo.api(f"/v1/patients/{ana}/time-entries", headers))["entries"]
    (entry,) = [e for e in entries if e["note"] == note]
    assert (entry["minutes"], entry["activityType"], entry["interactive"]) == (17, "patient_communication", True)
    listed = page.get_by_test_id("time-entries").locator(f'tr[data-entry-id="{entry["entryId"]}"]')
    await expect(listed.locator("td")).to_have_text([entry["occurredOn"], "17", "Patient communication", "Yes", note])
    await expect(page.get_by_test_id("patient-billing").or_(page.get_by_text("No billing records."))).to_be_visible()
    await _shoot(page, "therapist-patient-time")
    await _axe(page, "patient page with time entries")
    await context.close()


async def _ready_clinic(stack: Any) -> tuple[Clinic, dict[str, Any]]:
    """A clinic whose patient had 3 data days in a window that has closed: one ready 98985 record."""
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1, flags={"rtmBilling": True})
    catalogue = await exercises(stack, clinic, ("Squat",))
    start = utc_today() - timedelta(days=45)
    # Eight weeks: the plan still runs today, as the plans' lifecycle would otherwise end it.
    care = await give_plan(stack, clinic, 0, start, 8, 7, catalogue)
    await complete_on_days(stack, clinic, 0, care, [start + timedelta(days=n) for n in range(3)])
    async with client(stack.base_url) as http:
        async def ready() -> list[dict[str, Any]]:
            reply = await http.get("/v1/billing/records", params={"status": "ready"}, headers=clinic.as_admin())
            assert reply.status_code == 200, reply.text
            return reply.json()["records"]

        (record,) = await eventually(ready, lambda records: len(records) == 1, timeout=60, every=1.0)
    return clinic, record


async def test_admin_marks_a_record_billed_in_the_worklist(browser, stack):  # noqa: F811
    clinic, record = await _ready_clinic(stack)
    context = await _context(browser, DESKTOP)
    page = await context.new_page()
    await page.goto(await _link(stack, clinic.tenant_id, clinic.admin_id))
    await page.get_by_role("link", name="Billing worklist").click()
    await expect(page.get_by_role("heading", name="Billing worklist")).to_be_visible()
    await page.get_by_label("Status").select_option("ready")
    line = page.get_by_test_id("worklist").locator(f'tr[data-record-id="{record["recordId"]}"]')
    await expect(line.locator(".record-status")).to_have_text("Ready to bill")
    await expect(page.get_by_test_id("worklist-csv")).to_have_attribute("href", "/v1/billing/records.csv?status=ready")
    csv = await page.request.get(f"{stack.base_url}/v1/billing/records.csv?status=ready")
    assert csv.status == 200 and record["recordId"] in await csv.text()
    await _shoot(page, "admin-billing-worklist")
    await _axe(page, "billing worklist")

    mark = page.get_by_role("button", name="Mark 1 billed")
    await expect(page.get_by_role("button", name="Mark 0 billed")).to_be_disabled()
    await line.get_by_role("checkbox").check()
    await mark.click()
    await expect(page.get_by_role("status").filter(has_text="1 records marked billed.")).to_be_visible()
    await expect(line).to_have_count(0)  # the ready filter no longer lists it
    async with client(stack.base_url) as http:
        billed = await http.get("/v1/billing/records", params={"status": "billed"}, headers=clinic.as_admin())
    assert [r["recordId"] for r in billed.json()["records"]] == [record["recordId"]]
    await page.get_by_label("Status").select_option("billed")
    await expect(line.locator(".record-status")).to_have_text("Billed")

    # The organisation dashboard: plan outcomes and adherence as the API counts them.
    await page.get_by_role("link", name="Dashboard").click()
    await expect(page.get_by_role("heading", name="Clinic dashboard")).to_be_visible()
    async with client(stack.base_url) as http:
        dashboard = (await http.get("/v1/organizations/dashboard", headers=clinic.as_admin())).json()
    outcomes = dashboard["planOutcomes"]
    bars = page.get_by_test_id("dashboard-outcomes").locator("li")
    await expect(bars).to_have_count(4)
    for index, (key, label) in enumerate((("active", "Active"), ("completed", "Completed"), ("expired", "Expired"), ("cancelled", "Cancelled"))):
        await expect(bars.nth(index)).to_have_text(f"{label}{outcomes[key]}")
    adherence = dashboard["activeAdherence"]
    await expect(page.get_by_test_id("dashboard-adherence")).to_contain_text(
        f"{adherence['sessionsCompleted']} of {adherence['sessionsExpected']} sessions due across {adherence['activePlans']} active plans")
    await _shoot(page, "admin-dashboard")
    await _axe(page, "dashboard")
    await context.close()
