"""The alert rules and dashboards name only metrics the services export; every alert is tested and has a runbook entry."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
OBSERVABILITY = ROOT / "infra" / "observability"
METRIC = re.compile(r"\b(momentum_[a-z_]+)")
DEFINED = re.compile(r"""(?:Counter|Gauge|Histogram|Summary)\(\s*["'](momentum_[a-z_]+)["']""")
SUFFIXES = ("_total", "_bucket", "_count", "_sum")


def exported() -> set[str]:
    names: set[str] = set()
    for source in (ROOT / "services").rglob("*.py"):
        names.update(DEFINED.findall(source.read_text(encoding="utf-8")))
    return names


def base(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def alerts() -> list[dict]:
    rules = yaml.safe_load((OBSERVABILITY / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]


def used_in_dashboards() -> set[str]:
    names: set[str] = set()
    for dashboard in (OBSERVABILITY / "grafana").glob("*.json"):
        for panel in json.loads(dashboard.read_text(encoding="utf-8"))["panels"]:
            for target in panel.get("targets", []):
                names.update(METRIC.findall(target["expr"]))
    return names


def test_every_metric_an_alert_or_a_panel_names_is_exported_by_a_service() -> None:
    known = exported()
    assert {"momentum_http_requests_total", "momentum_outbox_backlog_rows"} <= known  # the scan finds them
    named = {m for rule in alerts() for m in METRIC.findall(rule["expr"])} | used_in_dashboards()
    unknown = sorted(m for m in named if m not in known and base(m) not in known)
    assert not unknown, f"alerts or dashboards name metrics no service exports: {unknown}"


def test_every_alert_has_a_promtool_case_and_a_runbook_entry() -> None:
    cases = (OBSERVABILITY / "alerts.test.yml").read_text(encoding="utf-8")
    runbook = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    headings = {re.sub(r"[^a-z0-9]", "", line.lower()) for line in runbook.splitlines() if line.startswith("#")}
    for rule in alerts():
        name = rule["alert"]
        assert f"alertname: {name}\n" in cases, f"{name} has no promtool test case"
        assert name.lower() in headings, f"{name} has no section in docs/runbook.md"
        assert rule["annotations"]["runbook"] == f"docs/runbook.md#{name.lower()}"
