"""The built web app for the browser and serving tests: web/dist, built by infra/web.sh when stale, and the browser."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def ensure_web_build() -> Path:
    """web/dist as the gateway serves it; `make test` built it already, a lone pytest run builds it here."""
    subprocess.run(["bash", str(ROOT / "infra" / "web.sh"), "build-if-stale"], check=True, timeout=600)
    assert (DIST / "index.html").is_file(), "infra/web.sh build left no web/dist/index.html"
    return DIST


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium through Playwright (no browser download), one per test module."""
    ensure_web_build()
    assert CHROMIUM.exists(), "Debian's chromium is missing: `bash infra/web.sh chromium`"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        await launched.close()
