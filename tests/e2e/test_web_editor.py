"""The plan editor and the clinic admin's users and RTM policy pages in real Chromium against the running stack: a
therapist builds a plan from the catalogue for a patient of the demo clinic (the API's field errors shown next to the
fields, nothing written), the patient's page shows its sets and reps, the therapist edits it and ends it and it shows
as completed; an admin adds a therapist and deactivates one; an admin changes the RTM policy and it reads back. Each
screen is screenshotted under .run/artifacts/web/ and scanned with axe-core."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.async_api import Page, expect

from services.plans.demo_seed import TENANT, THERAPIST
from tests.e2e.test_web_app import Demo, _axe, _context, _shoot, browser, demo  # noqa: F401  (fixtures shared by name)
from tests.support.cli import momentum
from tests.support.clinic import client, new_clinic

pytestmark = pytest.mark.stack
DESKTOP = {"width": 1280, "height": 900}


async def _link(stack: Any, tenant: uuid.UUID, user: uuid.UUID) -> str:
    code, out = await momentum(stack, "login", "--tenant", str(tenant), "--user", str(user), "--base-url", stack.base_url)
    assert code == 0, out
    return out.strip().splitlines()[-1]


async def _prescribed(demo: Demo, plan_id: str) -> list[tuple[str, int, int, int | None]]:  # noqa: F811
    plan = await demo.api(f"/v1/patient-treatment-plans/{plan_id}", demo.clinic.as_therapist())
    return [(e["name"], e["sets"], e["reps"], e["holdSeconds"]) for e in sorted(plan["exercises"], key=lambda e: e["position"])]


async def _pick(page: Page, search: str, name: str) -> None:
    await page.get_by_label("Find an exercise in the catalogue").fill(search)
    await page.get_by_role("button", name=f"Add {name}", exact=True).click()


async def test_therapist_builds_edits_and_ends_a_plan_from_the_catalogue(browser, demo):  # noqa: F811
    # A new patient of the demo clinic, without a plan: the demo's own patients keep the plans other tests read.
    patient = uuid.uuid4()
    name = f"Noor Plan {patient.hex[:4]}"
    await demo.stack.runtimes["plans"].components.people.create_user(TENANT, patient, "patient", name, "Europe/Madrid")
    headers = demo.clinic.as_therapist()

    context = await _context(browser, DESKTOP)
    page = await context.new_page()
    await page.goto(await demo.link(THERAPIST))
    await page.goto(f"{demo.stack.base_url}/patients/{patient}")
    await page.get_by_role("link", name="Build a plan").click()
    await expect(page.get_by_role("heading", name=f"Treatment plans of {name}")).to_be_visible()
    await expect(page.get_by_text("No plan yet.")).to_be_visible()
    await page.get_by_role("button", name="New plan").click()

    await page.get_by_label("Plan title").fill("Knee strength")
    await page.get_by_label("Duration (weeks)").fill("4")
    await expect(page.get_by_test_id("plan-ends")).to_contain_text("Last day:")
    await page.get_by_label("Sessions per week").fill("20")
    await _pick(page, "BRID", "Glute bridge")
    await _pick(page, "stand", "Sit-to-stand")
    await expect(page.get_by_test_id("plan-form-exercises").locator("li")).to_have_count(2)
    await page.get_by_label("Sets for Glute bridge").fill("0")
    await page.get_by_label("Reps for Glute bridge").fill("12")

    # The API refuses the frequency and the sets: each message under its own input, no plan written.
    await page.get_by_role("button", name="Save plan").click()
    await expect(page.get_by_test_id("plan-form-problems")).to_contain_text("The plan was not saved")
    frequency = page.get_by_label("Sessions per week")
    await expect(frequency).to_have_attribute("aria-invalid", "true")
    await expect(page.locator('.field-error[data-field="frequencyPerWeek"]')).to_contain_text("14")
    await expect(page.locator('.field-error[data-field="exercises.0.sets"]')).to_contain_text("1")
    await expect(page.get_by_label("Sets for Glute bridge")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Reps for Glute bridge")).to_have_attribute("aria-invalid", "false")
    assert (await demo.api(f"/v1/patients/{patient}/plans", headers))["plans"] == []
    await _shoot(page, "therapist-plan-editor-errors")
    await _axe(page, "plan editor with field errors")

    # Not a whole number: said at the field, nothing sent.
    await page.get_by_label("Hold (s) for Sit-to-stand").fill("5s")
    await page.get_by_role("button", name="Save plan").click()
    await expect(page.locator('.field-error[data-field="exercises.1.holdSeconds"]')).to_have_text("Enter a whole number.")

    await frequency.fill("3")
    await page.get_by_label("Sets for Glute bridge").fill("3")
    await page.get_by_label("Sets for Sit-to-stand").fill("2")
    await page.get_by_label("Reps for Sit-to-stand").fill("8")
    await page.get_by_label("Hold (s) for Sit-to-stand").fill("5")
    await page.get_by_role("button", name="Save plan").click()
    await expect(page.get_by_role("status").filter(has_text="Knee strength is saved")).to_be_visible()
    (plan,) = (await demo.api(f"/v1/patients/{patient}/plans", headers))["plans"]
    assert (plan["title"], plan["status"], plan["frequencyPerWeek"], plan["sessionsPlanned"]) == ("Knee strength", "active", 3, 12)
    assert await _prescribed(demo, plan["planId"]) == [("Glute bridge", 3, 12, None), ("Sit-to-stand", 2, 8, 5)]
    row = page.get_by_test_id("patient-plans").locator(f'tr[data-plan-id="{plan["planId"]}"]')
    await expect(row.locator(".plan-status")).to_have_text("Active")
    await expect(row).to_contain_text(f"{plan['startDate']} – {plan['endDate']}")
    await _shoot(page, "therapist-plan-editor")
    await _axe(page, "plan editor")

    # The patient's page shows the plan and its doses, as the plan route has them.
    await page.get_by_role("link", name=f"Back to {name}").click()
    doses = page.get_by_test_id("plan-exercises").locator("li")
    await expect(doses).to_have_text(["Glute bridge 3 × 12", "Sit-to-stand 2 × 8, hold 5 s"])
    await expect(page.get_by_test_id("plan-status")).to_have_text("Active")
    await expect(page.get_by_test_id("sessions-progress")).to_have_text("Sessions 0/12")

    # Edit: more reps, one exercise swapped for another; the patient's page follows.
    await page.get_by_role("link", name="Plans", exact=True).click()
    await page.get_by_role("button", name="Edit Knee strength").click()
    await expect(page.get_by_label("Reps for Glute bridge")).to_have_value("12")
    await expect(page.get_by_label("Duration (weeks)")).to_be_disabled()
    await page.get_by_label("Reps for Glute bridge").fill("15")
    await page.get_by_role("button", name="Remove Sit-to-stand").click()
    await _pick(page, "heel", "Heel slide")
    await page.get_by_label("Plan title").fill("Knee strength, week 2")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.get_by_role("status").filter(has_text="Changes to Knee strength, week 2 are saved")).to_be_visible()
    assert await _prescribed(demo, plan["planId"]) == [("Glute bridge", 3, 15, None), ("Heel slide", 3, 10, None)]
    await page.get_by_role("link", name=f"Back to {name}").click()
    await expect(doses).to_have_text(["Glute bridge 3 × 15", "Heel slide 3 × 10"])

    # End it: asked once more, then completed in the API, the plans table and on the patient's page.
    await page.get_by_role("link", name="Plans", exact=True).click()
    await page.get_by_role("button", name="End Knee strength, week 2").click()
    await page.get_by_role("button", name="Confirm: end Knee strength, week 2 now").click()
    await expect(page.get_by_role("status").filter(has_text="is ended (completed)")).to_be_visible()
    await expect(row.locator(".plan-status")).to_have_text("Completed")
    await expect(row.get_by_role("button")).to_have_count(0)
    assert (await demo.api(f"/v1/patient-treatment-plans/{plan['planId']}", headers))["status"] == "completed"
    await page.get_by_role("link", name=f"Back to {name}").click()
    await expect(page.get_by_test_id("plan-status")).to_have_text("Completed")

    # The editor in Russian: statuses from the API's codes.
    await page.get_by_role("link", name="Plans", exact=True).click()
    await page.get_by_label("Language").select_option("ru")
    await expect(row.locator(".plan-status")).to_have_text("Завершён")
    await page.get_by_label("Язык").select_option("en")
    await context.close()


async def test_admin_adds_a_therapist_and_deactivates_one(browser, stack):  # noqa: F811
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1)
    context = await _context(browser, DESKTOP)
    page = await context.new_page()
    await page.goto(await _link(stack, clinic.tenant_id, clinic.admin_id))
    await page.get_by_role("link", name="Users").click()
    await expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    therapists = page.get_by_test_id("users-therapist").locator("tbody tr")
    await expect(therapists).to_have_count(1)
    await expect(page.get_by_test_id("users-patient").locator("tbody tr")).to_have_count(1)
    # The admin's own row has no deactivate button (the API would refuse it: another admin must).
    await expect(page.get_by_test_id("users-admin").locator(f'tr[data-user-id="{clinic.admin_id}"]')).to_contain_text("You")
    await expect(page.get_by_test_id("users-admin").get_by_role("button")).to_have_count(0)

    async def listed() -> list[dict[str, Any]]:
        async with client(stack.base_url) as http:
            reply = await http.get("/v1/users", params={"role": "therapist"}, headers=clinic.as_admin())
            assert reply.status_code == 200, reply.text
            return reply.json()["users"]

    # No name: the API's message under the field, nobody added.
    await page.get_by_role("button", name="Add user").click()
    await expect(page.locator("#add-user-displayName-error")).to_be_visible()
    await expect(page.get_by_label("Full name")).to_have_attribute("aria-invalid", "true")
    assert len(await listed()) == 1

    await page.get_by_label("Full name").fill("Dr. Iris Moss")
    await page.get_by_label("Role").select_option("therapist")
    await page.get_by_role("button", name="Add user").click()
    await expect(page.get_by_role("status").filter(has_text="Dr. Iris Moss is added as Therapist.")).to_be_visible()
    (iris,) = [u for u in await listed() if u["displayName"] == "Dr. Iris Moss"]
    assert iris["active"] is True
    line = page.get_by_test_id("users-therapist").locator(f'tr[data-user-id="{iris["userId"]}"]')
    await expect(line.locator(".user-access")).to_have_text("Active")
    await expect(therapists).to_have_count(2)
    await _shoot(page, "admin-users")
    await _axe(page, "users")

    await line.get_by_role("button", name="Deactivate Dr. Iris Moss").click()
    await expect(page.get_by_role("status").filter(has_text="Dr. Iris Moss is deactivated")).to_be_visible()
    await expect(line.locator(".user-access")).to_have_text("Deactivated")
    await expect(line.get_by_role("button", name="Reactivate Dr. Iris Moss")).to_be_visible()
    assert [u["active"] for u in await listed() if u["userId"] == iris["userId"]] == [False]
    # Her token was never seen by the gateway: it asks plans and is refused at once.
    async with client(stack.base_url) as http:
        refused = await http.get("/v1/patients", headers=clinic.headers(uuid.UUID(iris["userId"]), "therapist"))
    assert refused.status_code == 401, refused.text
    await _shoot(page, "admin-users-deactivated")
    await context.close()


async def test_admin_changes_the_rtm_policy_and_it_reads_back(browser, stack):  # noqa: F811
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1, flags={"rtmBilling": True})
    context = await _context(browser, DESKTOP)
    page = await context.new_page()
    await page.goto(await _link(stack, clinic.tenant_id, clinic.admin_id))
    await page.get_by_role("link", name="RTM policy").click()
    await expect(page.get_by_role("heading", name="RTM billing policy")).to_be_visible()
    await expect(page.get_by_test_id("rtm-billing-flag")).to_contain_text("RTM billing is on")
    await expect(page.get_by_test_id("rtm-current")).to_have_text("Current policy: activity days")
    await expect(page.get_by_label("Activity days")).to_be_checked()
    save = page.get_by_role("button", name="Save policy")
    await expect(save).to_be_disabled()
    await _shoot(page, "admin-rtm-policy")
    await _axe(page, "RTM policy")

    await page.get_by_label("Access days").check()
    await save.click()
    await expect(page.get_by_role("status").filter(has_text="Policy saved.")).to_be_visible()
    await expect(page.get_by_test_id("rtm-current")).to_have_text("Current policy: access days")
    async with client(stack.base_url) as http:
        flags = (await http.get("/v1/admin/feature-flags", headers=clinic.as_admin())).json()
    assert flags["rtmQualifyingPolicy"] == "access_days" and flags["flags"]["rtmBilling"] is True
    await page.reload()
    await expect(page.get_by_label("Access days")).to_be_checked()
    await page.get_by_label("Language").select_option("ru")
    await expect(page.get_by_test_id("rtm-current")).to_have_text("Текущая политика: дни входа")
    await page.get_by_label("Язык").select_option("en")

    # With RTM billing off the page says the policy waits for it.
    await page.get_by_role("link", name="Feature flags").first.click()
    await page.get_by_role("switch", name="RTM billing").uncheck()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    await page.get_by_role("link", name="RTM policy").click()
    await expect(page.get_by_test_id("rtm-billing-flag")).to_contain_text("RTM billing is off")
    await context.close()
