"""Age group names unique in a league ignoring case, as the settings page already checks.

The old constraint (league_id, name) let "U12" and "u12" both in; the new unique
index on (league_id, lower(name)) does not. Rows that already collide (only possible
from before, or from a race between two admins) keep the oldest group's name; each
later one is renamed with a suffix, "u12 (2)", "u12 (3)" ..., cut to fit 30
characters. Nothing else about the groups changes (profiles are not tied to a group).
Collisions are found with the database's own lower(), the function the index uses.

SQLite cannot reflect an expression index: a later batch_alter_table on age_groups
(which rebuilds the table) would silently lose it, so such a revision must create
the index again afterwards.

Revision ID: 99485d036e9d
Revises: 5d1e0c3b7a42
Create Date: 2026-11-22 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '99485d036e9d'
down_revision = '5d1e0c3b7a42'
branch_labels = None
depends_on = None

INDEX = 'uq_age_groups_league_id_lower_name'
NAME_LENGTH = 30


def upgrade():
    _rename_collisions(op.get_bind())
    with op.batch_alter_table('age_groups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_age_groups_league_id_name'), type_='unique')
    # Outside the batch: on SQLite a batch rebuild would not carry an expression index.
    op.create_index(INDEX, 'age_groups', ['league_id', sa.text('lower(name)')], unique=True)


def downgrade():
    op.drop_index(INDEX, table_name='age_groups')
    with op.batch_alter_table('age_groups', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_age_groups_league_id_name'), ['league_id', 'name'])


def _rename_collisions(connection) -> None:
    """Give every group whose name equals an older one's, ignoring case, a free name."""
    rows = connection.execute(
        sa.text('SELECT id, league_id, name, lower(name) AS folded FROM age_groups ORDER BY id')
    ).all()
    taken = {(row.league_id, row.folded) for row in rows}
    seen = set()
    for row in rows:
        if (row.league_id, row.folded) not in seen:
            seen.add((row.league_id, row.folded))
            continue
        number = 2
        while True:
            suffix = f' ({number})'
            candidate = row.name[: NAME_LENGTH - len(suffix)].rstrip() + suffix
            folded = connection.execute(sa.select(sa.func.lower(candidate))).scalar_one()
            if (row.league_id, folded) not in taken:
                break
            number += 1
        taken.add((row.league_id, folded))
        connection.execute(
            sa.text('UPDATE age_groups SET name = :name WHERE id = :id'),
            {'name': candidate, 'id': row.id},
        )
