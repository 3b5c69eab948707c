"""Settings every suite shares. The stack fixtures are a plugin (tests/support/stack_fixtures.py)
that only the suites needing the stack load, so unit tests run without it."""

from __future__ import annotations

import os

os.environ.setdefault("MOMENTUM_LOG_LEVEL", "WARNING")
