"""Operations without the stack: a pid file only counts when its process is alive and is that service (so
`services.sh start` after a SIGKILL restarts it), and MOMENTUM_LOG_FILE logs rotate at their size cap."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def service_running(pid_dir: Path, name: str, python: str = "") -> bool:
    script = f'source "{ROOT}/infra/pids.sh"; service_running "$1" "$2" "$3"'
    return subprocess.run(["bash", "-c", script, "-", str(pid_dir), name, python], timeout=10).returncode == 0


def test_a_pid_file_counts_only_for_a_live_process_of_that_service(tmp_path):
    # A process whose command line is `… -m services.plans`, like the real one, but that only sleeps.
    plans = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "-m", "services.plans"])
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "plans").write_text(str(plans.pid))
        assert service_running(tmp_path, "plans")
        assert service_running(tmp_path, "plans", sys.executable)
        # the same service run by another checkout's interpreter is not ours
        assert not service_running(tmp_path, "plans", "/elsewhere/.venv/bin/python")
        # services.plans is not services.plansx, nor another service
        (tmp_path / "plan").write_text(str(plans.pid))
        assert not service_running(tmp_path, "plan")
        # a live pid that is not ours (a reused pid after a crash or a reboot)
        (tmp_path / "streaks").write_text(str(other.pid))
        assert not service_running(tmp_path, "streaks")
        # the pid of a process that was SIGKILLed
        plans.kill()
        plans.wait(10)
        assert not service_running(tmp_path, "plans")
        # no file, garbage in the file
        assert not service_running(tmp_path, "entrances")
        (tmp_path / "telemetry").write_text("not a pid")
        assert not service_running(tmp_path, "telemetry")
    finally:
        for proc in (plans, other):
            proc.kill()
            proc.wait(10)


def test_log_files_rotate_at_their_size_cap(tmp_path):
    log_file = tmp_path / "plans.log"
    program = textwrap.dedent(
        f"""
        from services.common.logging import configure_logging, get_logger
        configure_logging("json", "INFO", service="plans", file={str(log_file)!r}, max_bytes=4096, backups=2)
        log = get_logger("test")
        for n in range(400):
            log.warning("rotation.line", n=n, padding="x" * 40)
        """
    )
    subprocess.run([sys.executable, "-c", program], cwd=ROOT, check=True, timeout=60)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["plans.log", "plans.log.1", "plans.log.2"]  # two backups kept, older ones dropped
    for name in files:
        assert (tmp_path / name).stat().st_size <= 4096
    last = json.loads((tmp_path / "plans.log").read_text().splitlines()[-1])
    assert last["event"] == "rotation.line" and last["n"] == 399 and last["service"] == "plans"


def test_log_rotation_settings_are_read_and_a_bad_one_is_named():
    import pytest

    from services.common.settings import SettingsError, load_settings

    default = load_settings({})
    assert default.log_file is None  # stderr, for a supervisor
    settings = load_settings({"MOMENTUM_LOG_FILE": "/var/log/momentum/plans.log", "MOMENTUM_LOG_MAX_BYTES": "1048576",
                              "MOMENTUM_LOG_BACKUPS": "3"})
    assert (settings.log_file, settings.log_max_bytes, settings.log_backups) == ("/var/log/momentum/plans.log", 1048576, 3)
    with pytest.raises(SettingsError, match="MOMENTUM_LOG_MAX_BYTES"):
        load_settings({"MOMENTUM_LOG_MAX_BYTES": "lots"})
