"""directory schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 12:49:33.778409
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('geocode_cache',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address_key', sa.String(length=500), nullable=False),
        sa.Column('method', sa.String(length=40), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('precision_m', sa.Float(), nullable=True),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('source', sa.String(length=300), nullable=True),
        sa.Column('raw', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('address_key', 'method', name='uq_geocode_cache')
    )
    op.create_table('meta',
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key')
    )
    op.create_table('organization',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('name_key', sa.String(length=300), nullable=False),
        sa.Column('alternate_name', sa.String(length=300), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('website', sa.String(length=500), nullable=True),
        sa.Column('email', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name_key')
    )
    op.create_table('location',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=True),
        sa.Column('location_key', sa.String(length=500), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('accessibility', sa.Text(), nullable=True),
        sa.Column('transportation', sa.Text(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('source_url', sa.Text(), nullable=True),
        sa.Column('closed', sa.Boolean(), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('geocode_method', sa.String(length=40), nullable=True),
        sa.Column('geocode_precision_m', sa.Float(), nullable=True),
        sa.Column('geocode_confidence', sa.Float(), nullable=True),
        sa.Column('geocode_source', sa.String(length=300), nullable=True),
        sa.Column('geocoded_at', sa.DateTime(), nullable=True),
        sa.Column('geocode_status', sa.String(length=20), nullable=False),
        sa.Column('geocode_note', sa.Text(), nullable=True),
        sa.Column('geocoded_address', sa.String(length=500), nullable=True),
        sa.Column('neighbourhood_number', sa.String(length=10), nullable=True),
        sa.Column('neighbourhood_name', sa.String(length=200), nullable=True),
        sa.Column('ward', sa.String(length=100), nullable=True),
        sa.Column('outside_city', sa.Boolean(), nullable=False),
        sa.Column('last_verified', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organization_id', 'location_key', name='uq_location_org_key')
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index('ix_location_geocode_status', ['geocode_status'], unique=False)
        batch_op.create_index('ix_location_neighbourhood', ['neighbourhood_number'], unique=False)

    op.create_table('service',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('eligibility', sa.Text(), nullable=True),
        sa.Column('fees', sa.Text(), nullable=True),
        sa.Column('application_process', sa.Text(), nullable=True),
        sa.Column('website', sa.String(length=500), nullable=True),
        sa.Column('email', sa.String(length=300), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('last_verified', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_table('address',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('attention', sa.String(length=300), nullable=True),
        sa.Column('address_1', sa.String(length=300), nullable=True),
        sa.Column('address_2', sa.String(length=300), nullable=True),
        sa.Column('city', sa.String(length=120), nullable=True),
        sa.Column('region', sa.String(length=120), nullable=True),
        sa.Column('state_province', sa.String(length=60), nullable=True),
        sa.Column('postal_code', sa.String(length=10), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('address_type', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_table('duplicate_suspect',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=True),
        sa.Column('source_file', sa.String(length=300), nullable=True),
        sa.Column('row_numbers', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('resolved', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_table('language',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('location_id', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('language', schema=None) as batch_op:
        batch_op.create_index('ix_language_code', ['code'], unique=False)

    op.create_table('phone',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('location_id', sa.Integer(), nullable=True),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('number', sa.String(length=30), nullable=False),
        sa.Column('extension', sa.String(length=10), nullable=True),
        sa.Column('type', sa.String(length=20), nullable=False),
        sa.Column('description', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_table('schedule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=True),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('weekday', sa.Integer(), nullable=True),
        sa.Column('opens_at', sa.Time(), nullable=True),
        sa.Column('closes_at', sa.Time(), nullable=True),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_table('service_at_location',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['location_id'], ['location.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('service_id', 'location_id', name='uq_service_at_location')
    )
    op.create_table('service_type',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('service_id', 'slug', name='uq_service_type')
    )
    with op.batch_alter_table('service_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_type_slug'), ['slug'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('service_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_type_slug'))

    op.drop_table('service_type')
    op.drop_table('service_at_location')
    op.drop_table('schedule')
    op.drop_table('phone')
    with op.batch_alter_table('language', schema=None) as batch_op:
        batch_op.drop_index('ix_language_code')

    op.drop_table('language')
    op.drop_table('duplicate_suspect')
    op.drop_table('address')
    op.drop_table('service')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index('ix_location_neighbourhood')
        batch_op.drop_index('ix_location_geocode_status')

    op.drop_table('location')
    op.drop_table('organization')
    op.drop_table('meta')
    op.drop_table('geocode_cache')

