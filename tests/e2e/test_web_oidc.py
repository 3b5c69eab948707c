"""The web app signing in through the clinic's OpenID Connect provider, in real Chromium (Debian's, driven by
Playwright): the therapist clicks "Sign in with your clinic", the gateway and the local issuer do the code flow with
PKCE, she lands in the roster signed in, stays signed in over a reload, signs out and is back at sign-in; no token
ever sits in the page's localStorage or sessionStorage, and the session cookie is out of the page's reach."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.support.clinic import new_clinic
from tests.support.gateways import free_port, gateway_in_process, settings_beside
from tests.support.oidc_issuer import Issuer
from tests.support.web import AXE, ROOT, browser  # noqa: F401  (the fixture, by name)

pytestmark = pytest.mark.stack
TIMEOUT_MS = 60_000
ARTIFACTS = ROOT / ".run" / "artifacts" / "web"
expect.set_options(timeout=TIMEOUT_MS)
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


async def test_a_therapist_signs_in_with_her_clinic_reloads_and_signs_out(stack, browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    clinic = await new_clinic(stack.runtimes["plans"].components.people, stack.settings, patients=1)
    issuer = Issuer(user=(clinic.tenant_id, clinic.therapist_id, "therapist")).start(tmp_path)
    port = free_port()
    settings = settings_beside(stack, port, **issuer.gateway_env(f"http://127.0.0.1:{port}/v1/session/oidc/callback"))
    try:
        async with gateway_in_process(settings) as url:
            context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
            context.set_default_timeout(TIMEOUT_MS)
            page = await context.new_page()
            await page.goto(url)
            await expect(page.get_by_role("heading", name="Sign in to Momentum")).to_be_visible()
            clinic_sign_in = page.get_by_role("link", name="Sign in with your clinic")
            await expect(clinic_sign_in).to_be_visible()
            # RS256 tokens from the provider: no local links here, so the page does not offer them.
            await expect(page.get_by_text("momentum login")).to_have_count(0)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "sign-in-clinic.png"), full_page=True)
            await page.add_script_tag(path=str(AXE))
            violations = await page.evaluate("async () => (await axe.run(document)).violations.map(v => v.impact)")
            assert not [v for v in violations if v in ("serious", "critical")], violations

            await clinic_sign_in.click()
            await expect(page.get_by_role("heading", name="Patients")).to_be_visible()
            await expect(page.get_by_role("link", name="Patient 0")).to_be_visible()
            assert page.url.rstrip("/") == url  # back on the app, the provider's code gone from the address bar
            assert len(issuer.token_requests) == 1

            async def nothing_stored() -> None:
                stored = await page.evaluate(
                    "() => [...Object.entries(localStorage), ...Object.entries(sessionStorage)].map(([k, v]) => k + '=' + v)")
                cookies = {c["name"]: c for c in await context.cookies()}
                session = cookies["momentum_session"]
                assert session["httpOnly"] and session["sameSite"] == "Strict"
                assert not [s for s in stored if JWT.search(s) or session["value"] in s], stored
                assert "momentum_session" not in await page.evaluate("document.cookie")

            await nothing_stored()
            await page.reload()
            await expect(page.get_by_role("heading", name="Patients")).to_be_visible()
            await nothing_stored()

            await page.get_by_role("button", name="Sign out").click()
            await expect(page.get_by_role("heading", name="Sign in to Momentum")).to_be_visible()
            await expect(page.get_by_role("status")).to_have_text("You are signed out.")
            await page.reload()
            await expect(page.get_by_role("link", name="Sign in with your clinic")).to_be_visible()
            assert (await page.request.get(f"{url}/v1/session")).status == 401
            await context.close()
    finally:
        issuer.stop()
