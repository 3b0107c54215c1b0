"""indexes on foreign keys

Child rows (addresses, phones, schedules, languages, service links) are always read by their parent:
without these indexes the newcomer page's language query was quadratic on SQLite.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:12:36
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = (
    ("address", "ix_address_location", ["location_id"]),
    ("language", "ix_language_location", ["location_id"]),
    ("language", "ix_language_service", ["service_id"]),
    ("phone", "ix_phone_location", ["location_id"]),
    ("phone", "ix_phone_organization", ["organization_id"]),
    ("schedule", "ix_schedule_location", ["location_id"]),
    ("schedule", "ix_schedule_service", ["service_id"]),
    ("service", "ix_service_organization", ["organization_id"]),
    ("service_at_location", "ix_service_at_location_location", ["location_id"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
