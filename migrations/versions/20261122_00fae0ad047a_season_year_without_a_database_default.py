"""leagues.season_year without a database default.

The column's server default was the year the table was made (2026): any league
inserted without a year would silently start in that season for ever. The
application gives every new league its year (leagues.services.create_league, and
the model's default for any other insert); the database no longer guesses.
Existing rows keep their year.

Revision ID: 00fae0ad047a
Revises: 99485d036e9d
Create Date: 2026-11-22 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '00fae0ad047a'
down_revision = '99485d036e9d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leagues', schema=None) as batch_op:
        batch_op.alter_column('season_year', existing_type=sa.Integer(), existing_nullable=False, server_default=None)


def downgrade():
    with op.batch_alter_table('leagues', schema=None) as batch_op:
        batch_op.alter_column('season_year', existing_type=sa.Integer(), existing_nullable=False, server_default='2026')
