"""The runbook's backup and restore, run for real: a base backup plus archived WAL restores a scratch cluster to a chosen moment."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[3]
BACKUP = ROOT / "infra" / "backup.sh"
BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), default=None)
OWNER = "postgres"

pytestmark = pytest.mark.skipif(BIN is None, reason="no PostgreSQL server binaries on this machine")


def as_owner(*args: str) -> list[str]:
    return ["runuser", "-u", OWNER, "--", *args] if os.geteuid() == 0 else list(args)


def sql(port: int, statement: str) -> str:
    out = subprocess.run(
        ["psql", "-w", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-Atqc", statement],
        check=True, capture_output=True, text=True, timeout=60,
    )
    return out.stdout.strip()


def backup(*args: str, port: int | None = None) -> str:
    env = dict(os.environ, PGHOST="127.0.0.1", PGUSER="postgres", PG_BIN=str(BIN))
    if port is not None:
        env["PGPORT"] = str(port)
    out = subprocess.run(["bash", str(BACKUP), *args], check=True, capture_output=True, text=True, env=env, timeout=180)
    return out.stdout.strip()


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A folder the postgres user can use; every cluster started in it is stopped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="momentum-backup-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, OWNER)
    yield folder
    for pid_file in folder.glob("*/postmaster.pid"):
        subprocess.run(as_owner(str(BIN / "pg_ctl"), "-D", str(pid_file.parent), "-m", "immediate", "stop"),
                       capture_output=True, timeout=60)
    shutil.rmtree(folder, ignore_errors=True)


def start_source(scratch: Path) -> tuple[int, Path]:
    """A cluster run as production runs: WAL archived by the runbook's archive_command."""
    data, archive, port = scratch / "source", scratch / "wal-archive", free_port()
    archive.mkdir()
    if os.geteuid() == 0:
        shutil.chown(archive, OWNER)
    subprocess.run(as_owner(str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"),
                   check=True, capture_output=True, timeout=120)
    command = backup("archive-command", str(archive))
    with open(data / "postgresql.auto.conf", "a", encoding="utf-8") as conf:
        conf.write(f"wal_level = replica\narchive_mode = on\narchive_command = '{command.replace(chr(39), chr(39) * 2)}'\n")
    subprocess.run(
        as_owner(str(BIN / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-t", "60",
                 "-o", f"-p {port} -k {scratch} -c listen_addresses=127.0.0.1", "start"),
        check=True, capture_output=True, timeout=120,
    )
    return port, archive


def wait_archived(port: int, archive: Path) -> None:
    """Closes the current WAL segment and waits until the archiver has copied it."""
    segment = sql(port, "select pg_walfile_name(pg_switch_wal())")
    deadline = time.monotonic() + 60
    while not (archive / segment).exists():
        assert time.monotonic() < deadline, f"WAL segment {segment} never reached the archive"
        time.sleep(0.2)


def restored_rows(scratch: Path, name: str, archive: Path, target: str | None) -> list[str]:
    data, port = scratch / name, free_port()
    backup("restore", str(scratch / "base"), str(archive), str(data), *([target] if target else []))
    backup("verify", str(data), str(port))
    return sql(port, "select visit from clinic_visits order by visit").splitlines()


def test_a_base_backup_and_the_wal_archive_restore_to_a_moment_and_to_the_end(scratch: Path) -> None:
    port, archive = start_source(scratch)
    sql(port, "create table clinic_visits (visit text primary key, at timestamptz not null default clock_timestamp())")
    sql(port, "insert into clinic_visits (visit) values ('before the backup')")
    backup("base", str(scratch / "base"), port=port)
    sql(port, "insert into clinic_visits (visit) values ('after the backup')")
    time.sleep(1.0)
    moment = sql(port, "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
    time.sleep(1.0)
    sql(port, "insert into clinic_visits (visit) values ('after the chosen moment')")
    wait_archived(port, archive)
    subprocess.run(as_owner(str(BIN / "pg_ctl"), "-D", str(scratch / "source"), "-m", "fast", "stop"),
                   check=True, capture_output=True, timeout=60)

    # Point in time: what was committed by the moment, not what came after it.
    assert restored_rows(scratch, "to-the-moment", archive, moment) == ["after the backup", "before the backup"]
    # To the end of the archive: everything that was committed and archived.
    assert restored_rows(scratch, "to-the-end", archive, None) == [
        "after the backup", "after the chosen moment", "before the backup",
    ]


def test_a_restore_refuses_a_directory_that_holds_data(scratch: Path) -> None:
    (scratch / "base").mkdir()
    (scratch / "base" / "base.tar.gz").write_bytes(b"x")
    busy = scratch / "busy"
    busy.mkdir()
    (busy / "PG_VERSION").write_text("15\n")
    result = subprocess.run(["bash", str(BACKUP), "restore", str(scratch / "base"), str(scratch), str(busy)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "is not empty" in result.stderr
    assert (busy / "PG_VERSION").read_text() == "15\n"
