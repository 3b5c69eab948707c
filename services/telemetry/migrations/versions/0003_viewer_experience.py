"""Each playback's bitrate distribution, Mux-style viewing time and viewer-experience score; rebuffer percentage
and frequency per second played (the issue's definition) for the rows already kept; an index for clinic-wide
reads of a period.

Rows kept before this revision get their bitrate seconds and score the next time an event of the playback
arrives; until then the score is null and the clinic aggregate leaves them out of the score bands.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCORE_COLUMNS = (
    "experience_score", "experience_playback_success", "experience_startup", "experience_smoothness",
    "experience_video_quality",
)


def upgrade() -> None:
    table = "telemetry.media_session_metrics"
    op.execute(f"ALTER TABLE {table} ADD COLUMN viewing_seconds double precision")
    op.execute(f"ALTER TABLE {table} ADD COLUMN bitrate_seconds jsonb NOT NULL DEFAULT '{{}}'::jsonb")
    op.execute(f"ALTER TABLE {table} ADD COLUMN average_bitrate integer")
    for column in SCORE_COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} double precision")
    # As the owner, past the forced row-level security that would hide every clinic's rows from it.
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(
        f"UPDATE {table} SET "
        "rebuffer_percentage = CASE WHEN watched_seconds > 0 THEN round((100 * rebuffer_seconds / watched_seconds)::numeric, 2) ELSE 0 END, "
        "rebuffers_per_minute = CASE WHEN watched_seconds > 0 THEN round((rebuffer_count * 60 / watched_seconds)::numeric, 3) ELSE 0 END, "
        "viewing_seconds = round((coalesce(startup_ms, 0) / 1000.0 + watched_seconds + rebuffer_seconds)::numeric, 3)"
    )
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE INDEX media_session_metrics_period ON {table} (tenant_id, session_started_at)")


def downgrade() -> None:
    table = "telemetry.media_session_metrics"
    op.execute("DROP INDEX telemetry.media_session_metrics_period")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(
        f"UPDATE {table} SET "
        "rebuffer_percentage = CASE WHEN watched_seconds + rebuffer_seconds > 0 "
        "THEN round((100 * rebuffer_seconds / (watched_seconds + rebuffer_seconds))::numeric, 2) ELSE 0 END, "
        "rebuffers_per_minute = CASE WHEN watched_seconds + rebuffer_seconds > 0 "
        "THEN round((rebuffer_count * 60 / (watched_seconds + rebuffer_seconds))::numeric, 3) ELSE 0 END"
    )
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for column in ("viewing_seconds", "bitrate_seconds", "average_bitrate", *SCORE_COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
