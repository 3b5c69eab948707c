"""Prometheus figures of app entrances: how many wait for finalization, how late the oldest is, and how each ended."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

PENDING = Gauge("momentum_entrances_pending", "App entrances logged and not yet finalized")
OLDEST_OVERDUE = Gauge(
    "momentum_entrances_oldest_overdue_seconds",
    "How long the oldest pending entrance has been past its delay window, 0 when none is",
)
# outcome: create_mirror | cancel_real_workout | skip_feature_disabled | skip_no_source_workout, and the
# drops of a message that came too early (drop_not_due) or for an entrance already final (drop_not_pending).
FINALIZATIONS = Counter(
    "momentum_entrances_finalizations_total", "Finalization attempts that committed, by what they decided",
    ["outcome"],
)
