"""entrances' own copy of what the dashboard log used to ask plans on every call: each patient's
timezone and each clinic's appEntranceTracking flag, kept by plans' events and filled on first use.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from services.common.schema_ddl import isolate_by_tenant

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `as_of` is plans' clock at the event that wrote the row; an older event never overwrites a newer one.
    # NULL: filled from plans' answer on first use, which any event overwrites (that answer may predate it).
    op.execute(
        """
        CREATE TABLE entrances.patient_zones (
            patient_id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL,
            timezone text NOT NULL,
            as_of timestamptz
        )
        """
    )
    op.execute(
        """
        CREATE TABLE entrances.clinic_flags (
            tenant_id uuid PRIMARY KEY,
            entrance_tracking boolean NOT NULL,
            as_of timestamptz
        )
        """
    )
    for table in ("patient_zones", "clinic_flags"):
        isolate_by_tenant("entrances", table)


def downgrade() -> None:
    op.execute("DROP TABLE entrances.clinic_flags")
    op.execute("DROP TABLE entrances.patient_zones")
