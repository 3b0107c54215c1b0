"""a version on change requests (one decision wins), login throttles counted atomically

Revision ID: 0005_race
Revises: 0004_trust
Create Date: 2026-11-30 19:45:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_race"
down_revision = "0004_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_request") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    with op.batch_alter_table("change_request") as batch:
        batch.drop_column("version")
