"""Command-line tools: creating a platform admin and loading the demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.auth import verify_password
from portal.accounts.models import User
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.leagues.models import League, LeagueRole


def test_create_admin_makes_a_new_platform_admin(app):
    """Does `flask create-admin` create a verified platform admin with the given password?"""
    result = app.test_cli_runner().invoke(
        args=[
            "create-admin",
            "Boss@Example.com",
            "--name",
            "The Boss",
            "--password",
            "a strong password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.full_name, user.is_platform_admin) == (
        "boss@example.com",
        "The Boss",
        True,
    )
    assert user.email_verified and verify_password(user.password_hash, "a strong password")


def test_create_admin_promotes_an_existing_account(app, make):
    person = make.user("pat@example.com", verified=False)
    result = app.test_cli_runner().invoke(
        args=["create-admin", "pat@example.com", "--password", "x"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, person.id).is_platform_admin


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "a@example.com", "--password", "short"]
    )
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_seed_loads_once(app):
    """Does `demo seed --if-empty` load the demo leagues and accounts, and only once?"""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "parent.pat@example.com" in first.output and "play-ball-2026" in first.output
    second = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "nothing added" in second.output
    assert db.session.scalar(select(func.count()).select_from(League)) == 2
    with unscoped():
        assert db.session.scalar(select(func.count()).select_from(LeagueRole)) == 5
