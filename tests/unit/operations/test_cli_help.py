"""Every `momentum` command and option explains itself: --help of each exits 0, and none lacks a help text."""

from __future__ import annotations

from typing import Any, Iterator

import typer

from services.cli import app, main


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from commands(sub, (*path, name))


TREE = list(commands(typer.main.get_command(app)))


def test_the_tree_holds_every_command_scripts_and_the_runbook_use():
    paths = {" ".join(path) for path, _ in TREE}
    for used in ("token", "login", "seed", "migrate", "migrate up", "migrate status", "migrate history",
                 "migrate downgrade", "tenant create", "tenant access", "user create", "user access", "clinics list",
                 "clinics show", "users list", "users show", "dlq list", "dlq show", "dlq replay", "dlq purge",
                 "billing recalculate", "streaks recalculate", "streaks replay", "entrances sweep", "entrances finalize",
                 "telemetry partitions", "telemetry lifecycle", "telemetry sessions", "s3 setup"):
        assert used in paths, used


def test_the_migrate_commands_name_exactly_the_services_with_migrations():
    from services.common.migrations import migrated_services
    from services.migrate_cli import Service

    assert tuple(s.value for s in Service) == migrated_services()


def test_help_of_every_command_exits_0(capsys):
    for path, _ in TREE:
        assert main([*path, "--help"]) == 0, path
        shown = capsys.readouterr()
        assert "Usage: momentum" in shown.out and not shown.err, path


def test_every_command_and_option_has_a_help_text():
    for path, command in TREE:
        assert (command.help or "").strip(), f"momentum {' '.join(path)} has no help"
        for param in command.params:
            if param.name == "help":
                continue
            assert (getattr(param, "help", None) or "").strip(), f"momentum {' '.join(path)}: {param.name} has no help"
