"""Migrations: empty -> head -> empty works, and the models match the migrations.

Runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set (CI).
"""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from portal import create_app
from portal.extensions import db
from tests.dbutil import migrate_to_base, migrate_to_head, prepare_database

BEFORE_AGE_GROUP_CASE = "5d1e0c3b7a42"  # the revision before age group names ignore case


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


# SQLite cannot reflect an expression index (age_groups' lower(name)): SQLAlchemy and
# Alembic say so and skip it there; PostgreSQL compares it.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_models_and_migrations_agree(scratch_app):
    """Would autogenerate find anything to add? (A model changed without a migration.)"""
    migrate_to_head()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def _insert_league(slug: str) -> int:
    db.session.execute(
        text(
            "INSERT INTO leagues (slug, name, sport, timezone, primary_color, secondary_color) "
            "VALUES (:slug, :slug, 'Soccer', 'UTC', '#000000', '#ffffff')"
        ),
        {"slug": slug},
    )
    found = db.session.execute(text("SELECT id FROM leagues WHERE slug = :slug"), {"slug": slug})
    return found.scalar_one()


def _insert_group(league_id: int, name: str) -> None:
    db.session.execute(
        text("INSERT INTO age_groups (league_id, name, position) VALUES (:league, :name, 0)"),
        {"league": league_id, "name": name},
    )


def _group_names(league_id: int) -> list[str]:
    return list(
        db.session.scalars(
            text("SELECT name FROM age_groups WHERE league_id = :league ORDER BY id"),
            {"league": league_id},
        )
    )


def test_age_group_names_that_differ_only_by_case_are_renamed_on_upgrade(scratch_app):
    """Do groups that collide ignoring case survive the upgrade, the later ones renamed
    with a free suffix (cut to 30 characters), while other leagues are left alone?"""
    upgrade(revision=BEFORE_AGE_GROUP_CASE)
    first, second = _insert_league("first"), _insert_league("second")
    long_name = "Under Twelve Development Squad"  # 30 characters: the suffix must cut it
    for name in ("U12", "u12", "U12 (2)", "OPEN", "open", "Open", long_name, long_name.upper()):
        _insert_group(first, name)
    _insert_group(second, "u12")
    db.session.commit()
    migrate_to_head()
    assert (
        _group_names(first)
        == [
            "U12",
            "u12 (3)",  # "U12 (2)" already existed
            "U12 (2)",
            "OPEN",
            "open (2)",
            "Open (3)",
            long_name,
            long_name.upper()[:26] + " (2)",
        ]
    )
    assert _group_names(second) == ["u12"]
    with pytest.raises(IntegrityError):  # the database now refuses what the page refuses
        _insert_group(second, "U12")
        db.session.flush()
    db.session.rollback()


def test_a_league_gets_the_year_from_the_application_not_the_database(scratch_app):
    """Has season_year lost its frozen server default, with create_league setting it?"""
    from datetime import UTC, datetime

    from portal.leagues.services import create_league

    migrate_to_head()
    (column,) = [c for c in inspect(db.engine).get_columns("leagues") if c["name"] == "season_year"]
    assert column["default"] is None and column["nullable"] is False
    with pytest.raises(IntegrityError):  # no year given: refused, not quietly 2026
        _insert_league("no-year")
        db.session.flush()
    db.session.rollback()
    league = create_league("new-league", name="New League", sport="Soccer", timezone="UTC")
    assert league.season_year == datetime.now(UTC).year
    db.session.rollback()
