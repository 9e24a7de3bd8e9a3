"""Programs, plans, memberships, orders, refunds, webhook events, reconciliation, test gateway.

Revision ID: c9bae7e74987
Revises: a7191bb8bc88
Create Date: 2026-11-21 13:27:34.512816

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9bae7e74987'
down_revision = 'a7191bb8bc88'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reconciliation_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked', sa.Integer(), nullable=False),
    sa.Column('fixed', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_runs'))
    )
    op.create_table('test_gateway_objects',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_gateway_objects'))
    )
    with op.batch_alter_table('test_gateway_objects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_gateway_objects_created_at'), ['created_at'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'processing', 'paid', 'failed', 'expired', 'partially_refunded', 'refunded', 'needs_attention', name='orderstatus', native_enum=False, length=20), nullable=False),
    sa.Column('gateway', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('paid_minor', sa.Integer(), nullable=False),
    sa.Column('refunded_minor', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=True),
    sa.Column('session_url', sa.Text(), nullable=True),
    sa.Column('payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disputed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attention_reason', sa.Text(), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['guardian_id'], ['users.id'], name=op.f('fk_orders_guardian_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_orders_league_id_leagues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_orders_idempotency_key')),
    sa.UniqueConstraint('session_id', name=op.f('uq_orders_session_id'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_league_id'), ['league_id'], unique=False)
        batch_op.create_index('ix_orders_league_status_created', ['league_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_payment_intent_id'), ['payment_intent_id'], unique=False)

    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_programs_league_id_leagues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('league_id', 'name', name=op.f('uq_programs_league_id_name'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programs_league_id'), ['league_id'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('term', sa.Enum('fixed', 'rolling', name='termkind', native_enum=False, length=20), nullable=False),
    sa.Column('season_start', sa.Date(), nullable=True),
    sa.Column('season_end', sa.Date(), nullable=True),
    sa.Column('duration', sa.Integer(), nullable=True),
    sa.Column('duration_unit', sa.Enum('days', 'weeks', 'months', 'years', name='durationunit', native_enum=False, length=20), nullable=True),
    sa.Column('renewal_window_days', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('age_group_ids', sa.JSON(), nullable=True),
    sa.Column('born_from', sa.Date(), nullable=True),
    sa.Column('born_to', sa.Date(), nullable=True),
    sa.Column('required_fields', sa.JSON(), nullable=True),
    sa.Column('agreement_title', sa.String(length=120), nullable=False),
    sa.Column('agreement_text', sa.Text(), nullable=False),
    sa.Column('agreement_key', sa.String(length=255), nullable=True),
    sa.Column('agreement_version', sa.Integer(), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_plans_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_plans_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_league_id'), ['league_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plans_program_id'), ['program_id'], unique=False)

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('gateway_refund_id', sa.String(length=255), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_refunds_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_refunds_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('gateway_refund_id', name=op.f('uq_refunds_gateway_refund_id'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_league_id'), ['league_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)

    op.create_table('webhook_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'processing', 'processed', 'ignored', 'failed', name='eventstatus', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_webhook_events_league_id_leagues'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_webhook_events_order_id_orders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_webhook_events_event_id'))
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_events_status_received', ['status', 'received_at'], unique=False)

    op.create_table('agreement_acceptances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_agreement_acceptances_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_agreement_acceptances_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['player_profiles.id'], name=op.f('fk_agreement_acceptances_profile_id_player_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agreement_acceptances_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_acceptances'))
    )
    with op.batch_alter_table('agreement_acceptances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_acceptances_league_id'), ['league_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_acceptances_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_acceptances_profile_id'), ['profile_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending_payment', 'active', 'expired', 'suspended', 'cancelled', 'refunded', name='membershipstatus', native_enum=False, length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('suspended_until', sa.Date(), nullable=True),
    sa.Column('suspension_reason', sa.Text(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('reminder_sent_for', sa.Date(), nullable=True),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_memberships_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_memberships_plan_id_plans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['profile_id'], ['player_profiles.id'], name=op.f('fk_memberships_profile_id_player_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_league_id'), ['league_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index('ix_memberships_profile_status', ['profile_id', 'status'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('league_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_order_lines_league_id_leagues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_order_lines_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_order_lines_plan_id_plans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['profile_id'], ['player_profiles.id'], name=op.f('fk_order_lines_profile_id_player_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines')),
    sa.UniqueConstraint('membership_id', name=op.f('uq_order_lines_membership_id'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_league_id'), ['league_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_lines_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('leagues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_promotion_codes', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('renewal_reminder_days', sa.Integer(), server_default='14', nullable=False))



def downgrade():
    with op.batch_alter_table('leagues', schema=None) as batch_op:
        batch_op.drop_column('renewal_reminder_days')
        batch_op.drop_column('allow_promotion_codes')

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_lines_league_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_memberships_profile_status')
        batch_op.drop_index(batch_op.f('ix_memberships_profile_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_plan_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_league_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('agreement_acceptances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_acceptances_profile_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_acceptances_plan_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_acceptances_league_id'))

    op.drop_table('agreement_acceptances')
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_events_status_received')

    op.drop_table('webhook_events')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_order_id'))
        batch_op.drop_index(batch_op.f('ix_refunds_league_id'))

    op.drop_table('refunds')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_program_id'))
        batch_op.drop_index(batch_op.f('ix_plans_league_id'))

    op.drop_table('plans')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programs_league_id'))

    op.drop_table('programs')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_payment_intent_id'))
        batch_op.drop_index('ix_orders_league_status_created')
        batch_op.drop_index(batch_op.f('ix_orders_league_id'))
        batch_op.drop_index(batch_op.f('ix_orders_guardian_id'))

    op.drop_table('orders')
    with op.batch_alter_table('test_gateway_objects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_gateway_objects_created_at'))

    op.drop_table('test_gateway_objects')
    op.drop_table('reconciliation_runs')
