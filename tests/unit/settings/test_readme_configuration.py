"""README's configuration table is what an operator configures from: it names every variable the settings read, no other."""

from __future__ import annotations

import re
from pathlib import Path

from services.common.settings import CALLERS, SERVICES, read_variables

README = Path(__file__).resolve().parents[3] / "README.md"
PLACEHOLDERS = {"<SERVICE>": [s.upper() for s in SERVICES], "<CALLER>": [c.upper() for c in CALLERS]}


def documented() -> set[str]:
    """Each name of the table's first column; `_PORT` after `MOMENTUM_AMQP_HOST` is MOMENTUM_AMQP_PORT, `…_FILE`
    gives each name of its row a NAME_FILE, `<SERVICE>` and `<CALLER>` stand for each of them."""
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        first = None
        in_row: list[str] = []
        for token in re.findall(r"`([^`]+)`", row.split("|")[1]):
            if token.startswith(("MOMENTUM_", "ENTRANCE_")):
                first = token
                in_row.append(token)
            elif token.startswith("_") and first:
                in_row.append(first.rsplit("_", 1)[0] + token)
            elif token == "…_FILE":
                in_row += [f"{name}_FILE" for name in in_row]
        for name in in_row:
            for placeholder, values in PLACEHOLDERS.items():
                if placeholder in name:
                    names.update(name.replace(placeholder, value) for value in values)
                    break
            else:
                names.add(name)
    return names


def test_every_variable_the_settings_read_is_in_readme():
    missing = sorted(set(read_variables()) - documented())
    assert not missing, f"README's configuration table lacks {missing}"


def test_every_secret_is_documented_with_its_file_variable():
    missing = sorted(f"{name}_FILE" for name, secret in read_variables().items() if secret and f"{name}_FILE" not in documented())
    assert not missing, f"README's configuration table does not say these secrets may come from a file: {missing}"


def test_readme_documents_no_variable_the_settings_do_not_read():
    read = set(read_variables()) | {f"{name}_FILE" for name, secret in read_variables().items() if secret}
    stale = sorted(documented() - read)
    assert not stale, f"README's configuration table documents variables nothing reads: {stale}"
