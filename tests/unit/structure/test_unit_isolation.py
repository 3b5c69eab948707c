"""Unit tests stand alone: collecting tests/unit imports nothing of the stack harness, so `make test-unit`
needs neither Postgres, RabbitMQ, S3 nor the fixtures that start them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# The harness, and what imports it: a unit test that needs one of these is not a unit test.
HARNESS = ("tests.support.stack", "tests.support.stack_fixtures", "tests.support.fresh", "tests.support.processes")

# Run in a fresh interpreter: any import of the harness fails the collection, and whatever reached
# sys.modules another way is named.
COLLECT = textwrap.dedent(
    """
    import sys
    import pytest

    HARNESS = set(sys.argv[2].split(","))

    class RefuseHarness:
        def find_spec(self, name, path=None, target=None):
            if name in HARNESS:
                raise ImportError(f"unit tests imported the stack harness: {name}")
            return None

    class Report:
        def pytest_collection_finish(self, session):
            print("harness modules loaded:", sorted(HARNESS & set(sys.modules)))

    sys.meta_path.insert(0, RefuseHarness())
    sys.exit(pytest.main([sys.argv[1], "--collect-only", "-q", "-c", sys.argv[3], "--rootdir", sys.argv[4]], plugins=[Report()]))
    """
)


def collect(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", COLLECT, str(target), ",".join(HARNESS), str(ROOT / "pyproject.toml"), str(ROOT)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def test_collecting_the_unit_tests_imports_no_harness() -> None:
    result = collect(ROOT / "tests" / "unit")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "harness modules loaded: []" in result.stdout
    assert " tests collected" in result.stdout


def test_a_unit_test_that_imports_the_harness_is_caught(tmp_path: Path) -> None:
    (tmp_path / "test_planted.py").write_text(
        "from tests.support.stack import RunningStack\n\n\ndef test_planted():\n    assert RunningStack\n", encoding="utf-8"
    )

    result = collect(tmp_path)

    assert result.returncode != 0
    assert "unit tests imported the stack harness: tests.support.stack" in result.stdout + result.stderr
