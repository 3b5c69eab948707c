"""Care: the exercise catalogue, treatment plans, workouts (completion, skipping, exercise sessions,
forms), mirror workouts, and what telemetry measured in a session."""
