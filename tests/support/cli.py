"""Runs the `momentum` command against the test stack's database, as an operator would."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


async def momentum(stack: Any, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    env = {**os.environ, "MOMENTUM_DB_NAME": stack.settings.database.name, "MOMENTUM_LOG_LEVEL": "WARNING", **(env or {})}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli", *args, cwd=ROOT, env={**env, "PYTHONPATH": f"{ROOT}:{ROOT / 'protos'}"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, output.decode()
