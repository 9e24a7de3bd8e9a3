"""Migrations: empty -> head -> empty works, and the models match the migrations.

Runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set (CI).
"""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from tests.dbutil import migrate_to_base, migrate_to_head, prepare_database


@pytest.fixture
def scratch_app(tmp_path):
    """An app on its own empty database, so the shared test schema is left alone."""
    url = prepare_database(os.environ.get("TEST_DATABASE_URL"), tmp_path, suffix="_migrations")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "STORAGE_URL": f"file://{tmp_path}/storage",
            "MAIL_URL": f"file://{tmp_path}/mail",
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_to_head_and_back(scratch_app):
    """Does the schema build from nothing, tear down to nothing, and build again?"""
    assert _tables() == set()
    migrate_to_head()
    assert _tables() == set(db.metadata.tables)
    migrate_to_base()
    assert _tables() == set()
    migrate_to_head()
    assert _tables() == set(db.metadata.tables)


def test_models_and_migrations_agree(scratch_app):
    """Would autogenerate find anything to add? (A model changed without a migration.)"""
    migrate_to_head()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
