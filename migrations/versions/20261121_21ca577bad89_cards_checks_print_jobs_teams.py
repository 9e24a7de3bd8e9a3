"""Player cards, card checks, print jobs, teams, and the leagues' card settings.

Revision ID: 21ca577bad89
Revises: c9bae7e74987
Create Date: 2026-11-21 14:59:48.818794

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '21ca577bad89'
down_revision = 'c9bae7e74987'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('print_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('selection', sa.JSON(), nullable=False),
    sa.Column('paper', sa.String(length=10), nullable=False),
    sa.Column('double_sided', sa.Boolean(), nullable=False),
    sa.Column('with_roster', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='printstatus', native_enum=False, length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('pdf_key', sa.String(length=255), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_print_jobs_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_print_jobs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_jobs'))
    )
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_jobs_league_id'), ['league_id'], unique=False)

    op.create_table('cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=200), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('pdf_key', sa.String(length=255), nullable=True),
    sa.Column('pdf_hash', sa.String(length=64), nullable=True),
    sa.Column('pdf_state', sa.Enum('none', 'pending', 'ready', 'failed', name='pdfstate', native_enum=False, length=20), nullable=False),
    sa.Column('pdf_error', sa.Text(), nullable=False),
    sa.Column('notified_hash', sa.String(length=64), nullable=True),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_cards_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['player_profiles.id'], name=op.f('fk_cards_profile_id_player_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cards')),
    sa.UniqueConstraint('token', name=op.f('uq_cards_token'))
    )
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cards_league_id'), ['league_id'], unique=False)
        batch_op.create_index('ix_cards_profile_current', ['profile_id', 'revoked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cards_profile_id'), ['profile_id'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_teams_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_teams_program_id_programs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('league_id', 'name', name=op.f('uq_teams_league_id_name'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_league_id'), ['league_id'], unique=False)

    op.create_table('card_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('player_name', sa.String(length=170), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_checks_card_id_cards'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_card_checks_checked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_card_checks_league_id_leagues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_checks'))
    )
    with op.batch_alter_table('card_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_checks_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_checks_checked_at'), ['checked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_checks_league_id'), ['league_id'], unique=False)

    op.create_table('team_players',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=4), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_team_players_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['player_profiles.id'], name=op.f('fk_team_players_profile_id_player_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_players_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_players')),
    sa.UniqueConstraint('team_id', 'profile_id', name=op.f('uq_team_players_team_id_profile_id'))
    )
    with op.batch_alter_table('team_players', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_players_league_id'), ['league_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_players_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_players_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('leagues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_shows_birth_date', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('verify_shows_birth_date', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('leagues', schema=None) as batch_op:
        batch_op.drop_column('verify_shows_birth_date')
        batch_op.drop_column('card_shows_birth_date')

    with op.batch_alter_table('team_players', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_players_team_id'))
        batch_op.drop_index(batch_op.f('ix_team_players_profile_id'))
        batch_op.drop_index(batch_op.f('ix_team_players_league_id'))

    op.drop_table('team_players')
    with op.batch_alter_table('card_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_checks_league_id'))
        batch_op.drop_index(batch_op.f('ix_card_checks_checked_at'))
        batch_op.drop_index(batch_op.f('ix_card_checks_card_id'))

    op.drop_table('card_checks')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_league_id'))

    op.drop_table('teams')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cards_profile_id'))
        batch_op.drop_index('ix_cards_profile_current')
        batch_op.drop_index(batch_op.f('ix_cards_league_id'))

    op.drop_table('cards')
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_jobs_league_id'))

    op.drop_table('print_jobs')
