"""Orders: promotion codes as offered, what a flagged payment reported, how an admin
settled it, and a closed dispute's outcome.

Revision ID: 5d1e0c3b7a42
Revises: 21ca577bad89
Create Date: 2026-11-22 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e0c3b7a42'
down_revision = '21ca577bad89'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_promotion_codes', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('reported_minor', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reported_currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dispute_outcome', sa.String(length=20), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_orders_resolved_by_id_users'), 'users', ['resolved_by_id'], ['id'], ondelete='SET NULL')
    # Orders opened before this revision offered codes when their league did (the old
    # check read the league's setting): keep that as their own.
    op.execute(
        "UPDATE orders SET allow_promotion_codes = "
        "(SELECT leagues.allow_promotion_codes FROM leagues WHERE leagues.id = orders.league_id)"
    )


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_resolved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('dispute_outcome')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolved_by_id')
        batch_op.drop_column('resolution')
        batch_op.drop_column('reported_currency')
        batch_op.drop_column('reported_minor')
        batch_op.drop_column('allow_promotion_codes')
