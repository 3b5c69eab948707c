"""Prometheus figures of app entrances: how many wait for finalization, how late the oldest is, and how each ended."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

PENDING = Gauge("momentum_entrances_pending", "App entrances logged and not yet finalized")
OLDEST_OVERDUE = Gauge(
    "momentum_entrances_oldest_overdue_seconds",
    "How long the oldest pending entrance has been past its delay window, 0 when none is",
)
# outcome: the terminal status, lowercased: finalized_to_inferred_workout (a mirror workout made),
# canceled_by_real_workout, skipped_no_source_workout, skipped_feature_disabled (no mirror needed or allowed).
FINALIZATIONS = Counter(
    "momentum_entrances_finalizations_total", "Entrances that reached their terminal state, by which", ["outcome"],
)
