"""Prometheus business figures of plans: workouts completed, mirror workouts made, billing records by status."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

COMPLETIONS = Counter("momentum_plans_completions_total", "Workouts patients completed (a repeat of one is not counted)")
MIRROR_WORKOUTS = Counter(
    "momentum_plans_mirror_workouts_total", "Mirror workouts made for app entrances that stood for a day of exercise"
)
# status: projected (the period is open) | ready (to bill) | billed
BILLING_RECORDS = Gauge("momentum_billing_records", "RTM billing records across clinics, by status", ["status"])
BILLING_UNCLOSED = Gauge(
    "momentum_billing_records_unclosed",
    "Billing records still projected though their period ended before yesterday: the period closer is behind",
)
