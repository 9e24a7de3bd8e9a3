"""Player profiles, their history, age groups, staged uploads, and league player settings.

Revision ID: a7191bb8bc88
Revises: 707f3cf46739
Create Date: 2026-11-21 12:40:29.433043

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7191bb8bc88'
down_revision = '707f3cf46739'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('age_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('max_age', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_age_groups_league_id_leagues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_age_groups')),
    sa.UniqueConstraint('league_id', 'name', name=op.f('uq_age_groups_league_id_name'))
    )
    with op.batch_alter_table('age_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_age_groups_league_id'), ['league_id'], unique=False)

    op.create_table('player_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('is_self', sa.Boolean(), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('gender', sa.Enum('female', 'male', 'other', name='gender', native_enum=False, length=20), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('emergency_name', sa.String(length=120), nullable=False),
    sa.Column('emergency_phone', sa.String(length=40), nullable=False),
    sa.Column('photo_key', sa.String(length=255), nullable=True),
    sa.Column('photo_thumb_key', sa.String(length=255), nullable=True),
    sa.Column('document_key', sa.String(length=255), nullable=True),
    sa.Column('document_preview_key', sa.String(length=255), nullable=True),
    sa.Column('document_type', sa.String(length=50), nullable=True),
    sa.Column('document_kind', sa.Enum('birth_certificate', 'passport', 'driving_licence', 'other', name='documentkind', native_enum=False, length=30), nullable=True),
    sa.Column('document_uploaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('document_deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'verified', 'changes_requested', name='profilestatus', native_enum=False, length=20), nullable=False),
    sa.Column('change_reason', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dob_verified_on', sa.Date(), nullable=True),
    sa.Column('dob_verified_by_name', sa.String(length=120), nullable=True),
    sa.Column('unlocked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unlocked_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_snapshot', sa.JSON(), nullable=True),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['guardian_id'], ['users.id'], name=op.f('fk_player_profiles_guardian_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_player_profiles_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_player_profiles_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unlocked_by_id'], ['users.id'], name=op.f('fk_player_profiles_unlocked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_player_profiles'))
    )
    with op.batch_alter_table('player_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_player_profiles_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_player_profiles_league_id'), ['league_id'], unique=False)
        batch_op.create_index('ix_player_profiles_queue', ['league_id', 'status', 'submitted_at'], unique=False)

    op.create_table('staged_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('photo', 'document', name='uploadkind', native_enum=False, length=20), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('preview_key', sa.String(length=255), nullable=True),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_staged_uploads_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staged_uploads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_staged_uploads_token'))
    )
    with op.batch_alter_table('staged_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staged_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staged_uploads_league_id'), ['league_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staged_uploads_user_id'), ['user_id'], unique=False)

    op.create_table('profile_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('status', 'field', 'unlock', 'document', name='eventkind', native_enum=False, length=20), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('from_value', sa.Text(), nullable=True),
    sa.Column('to_value', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_profile_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_profile_events_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['player_profiles.id'], name=op.f('fk_profile_events_profile_id_player_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_events'))
    )
    with op.batch_alter_table('profile_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_events_league_id'), ['league_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_profile_events_profile_id'), ['profile_id'], unique=False)

    with op.batch_alter_table('leagues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gender_field', sa.Enum('off', 'optional', 'required', name='genderfield', native_enum=False, length=20), server_default='optional', nullable=False))
        batch_op.add_column(sa.Column('require_phone', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('require_address', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('require_emergency_contact', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('require_photo', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('require_document', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('season_year', sa.Integer(), server_default='2026', nullable=False))
        batch_op.add_column(sa.Column('age_cutoff_month', sa.Integer(), server_default='12', nullable=False))
        batch_op.add_column(sa.Column('age_cutoff_day', sa.Integer(), server_default='31', nullable=False))
        batch_op.add_column(sa.Column('approval_mode', sa.Enum('manual', 'auto_renewals', name='approvalmode', native_enum=False, length=20), server_default='manual', nullable=False))
        batch_op.add_column(sa.Column('document_retention_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('renewal_window_days', sa.Integer(), server_default='30', nullable=False))



def downgrade():
    with op.batch_alter_table('leagues', schema=None) as batch_op:
        batch_op.drop_column('renewal_window_days')
        batch_op.drop_column('document_retention_days')
        batch_op.drop_column('approval_mode')
        batch_op.drop_column('age_cutoff_day')
        batch_op.drop_column('age_cutoff_month')
        batch_op.drop_column('season_year')
        batch_op.drop_column('require_document')
        batch_op.drop_column('require_photo')
        batch_op.drop_column('require_emergency_contact')
        batch_op.drop_column('require_address')
        batch_op.drop_column('require_phone')
        batch_op.drop_column('gender_field')

    with op.batch_alter_table('profile_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_events_profile_id'))
        batch_op.drop_index(batch_op.f('ix_profile_events_league_id'))

    op.drop_table('profile_events')
    with op.batch_alter_table('staged_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staged_uploads_user_id'))
        batch_op.drop_index(batch_op.f('ix_staged_uploads_league_id'))
        batch_op.drop_index(batch_op.f('ix_staged_uploads_created_at'))

    op.drop_table('staged_uploads')
    with op.batch_alter_table('player_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_player_profiles_queue')
        batch_op.drop_index(batch_op.f('ix_player_profiles_league_id'))
        batch_op.drop_index(batch_op.f('ix_player_profiles_guardian_id'))

    op.drop_table('player_profiles')
    with op.batch_alter_table('age_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_age_groups_league_id'))

    op.drop_table('age_groups')
