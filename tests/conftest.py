"""Settings every suite shares. The stack fixtures are a plugin (tests/support/stack_fixtures.py)
that only the suites needing the stack load, so unit tests run without it."""

from __future__ import annotations

import os

os.environ.setdefault("MOMENTUM_LOG_LEVEL", "WARNING")

from hypothesis import settings  # noqa: E402

# Property tests check rules, not speed: on a 2-core machine shared with other test runs one example can
# take longer than Hypothesis's 200 ms default deadline, which fails a correct test as "flaky".
settings.register_profile("momentum", deadline=None)
settings.load_profile("momentum")
