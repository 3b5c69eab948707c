"""The e2e suite runs against the in-process stack: it loads the stack fixtures."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Once per session whichever suite asks first, so one stack serves them all.
    config.pluginmanager.import_plugin("tests.support.stack_fixtures")
