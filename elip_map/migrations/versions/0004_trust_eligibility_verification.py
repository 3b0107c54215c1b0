"""structured eligibility on services, private organization contacts, the verification mail queue

Revision ID: 0004_trust
Revises: 0003
Create Date: 2026-11-30 16:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_trust"
down_revision = "0003"
branch_labels = None
depends_on = None

def service_columns() -> tuple:
    return (
        sa.Column("eligible_statuses", sa.String(length=300), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=True),
        sa.Column("fee", sa.String(length=20), nullable=True),
    )
def organization_columns() -> tuple:
    return (
        sa.Column("contact_email", sa.String(length=300), nullable=True),
        sa.Column("contact_language", sa.String(length=12), nullable=True),
        sa.Column("contact_phone", sa.String(length=30), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table("service") as batch:
        for column in service_columns():
            batch.add_column(column)
    with op.batch_alter_table("organization") as batch:
        for column in organization_columns():
            batch.add_column(column)
    op.create_table(
        "verification_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nonce"),
    )
    op.create_index("ix_verification_mail_status", "verification_mail", ["status", "next_attempt_at"], unique=False)
    op.create_index("ix_verification_mail_org", "verification_mail", ["organization_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_verification_mail_org", table_name="verification_mail")
    op.drop_index("ix_verification_mail_status", table_name="verification_mail")
    op.drop_table("verification_mail")
    with op.batch_alter_table("organization") as batch:
        for column in reversed(organization_columns()):
            batch.drop_column(column.name)
    with op.batch_alter_table("service") as batch:
        for column in reversed(service_columns()):
            batch.drop_column(column.name)
