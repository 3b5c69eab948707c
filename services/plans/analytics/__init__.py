"""Analytics: a patient's progress, the specialist's per-plan analytics and the clinic dashboard (read-only)."""
