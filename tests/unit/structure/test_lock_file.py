"""requirements.lock, which `make up` installs with --require-hashes, agrees with pyproject.toml's pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes) of every package in the lock file."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = normalised(match.group(1))
            entries[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
    return entries


def declared() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        assert match, f"{requirement!r} in pyproject.toml is not pinned with =="
        pins[normalised(match.group(1))] = match.group(2)
    return pins


def test_every_pinned_dependency_is_locked_at_the_same_version() -> None:
    lock = locked()
    stale = {name: (version, lock.get(name, ("missing", 0))[0]) for name, version in declared().items()
             if lock.get(name, ("", 0))[0] != version}
    assert not stale, f"pyproject.toml and requirements.lock disagree (declared, locked): {stale}; run `make lock`"


def test_every_locked_package_carries_a_hash() -> None:
    lock = locked()
    assert len(lock) > len(declared()), "the lock names only the direct dependencies"
    assert all(hashes for _, hashes in lock.values()), [name for name, (_, h) in lock.items() if not h]
