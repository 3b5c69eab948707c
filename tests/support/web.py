"""The built web app for the browser and serving tests: web/dist, built by infra/web.sh when stale."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def ensure_web_build() -> Path:
    """web/dist as the gateway serves it; `make test` built it already, a lone pytest run builds it here."""
    subprocess.run(["bash", str(ROOT / "infra" / "web.sh"), "build-if-stale"], check=True, timeout=600)
    assert (DIST / "index.html").is_file(), "infra/web.sh build left no web/dist/index.html"
    return DIST
