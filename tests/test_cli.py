"""Command-line tools: creating a platform admin and loading the demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.auth import verify_password
from portal.accounts.models import User
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues.models import GenderField, League, LeagueRole
from portal.players import queries, rules
from portal.players.models import PlayerProfile, ProfileStatus


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
    assert "play-ball-2026" in first.output
    for email in (
        "parent.pat@example.com",
        "guardian.chen@example.com",
        "guardian.rivera@example.com",
        "guardian.obi@example.com",
        "skater.jesse@example.com",
        "skater.dana@example.com",
        "skater.chris@example.com",
    ):
        assert email in first.output
    assert "5 profiles to review" in first.output
    second = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "nothing added" in second.output
    assert db.session.scalar(select(func.count()).select_from(League)) == 2
    with unscoped():
        assert db.session.scalar(select(func.count()).select_from(LeagueRole)) == 11


def _league(slug: str) -> League:
    with unscoped():
        return db.session.scalars(select(League).where(League.slug == slug)).one()


def _statuses(league: League) -> dict[str, int]:
    with league_scope(league.id):
        return {status.value: count for status, count in queries.status_counts().items()}


def test_demo_seed_sets_up_players_through_the_real_services(app):
    """Do the demo leagues get their settings and age groups, and players in every state
    with their photos and documents in storage?"""
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    riverside, northside = _league("riverside"), _league("northside-hockey")
    assert (riverside.age_cutoff_month, riverside.age_cutoff_day) == (12, 31)
    assert northside.gender_field == GenderField.REQUIRED
    with league_scope(riverside.id):
        assert [g.name for g in queries.age_groups()] == [f"U{n}" for n in range(6, 19, 2)]
    with league_scope(northside.id):
        assert [g.name for g in queries.age_groups()] == ["O-40", "O-30", "Open"]
    assert _statuses(riverside) == {
        "verified": 1,
        "draft": 1,
        "submitted": 5,
        "changes_requested": 1,
    }
    assert _statuses(northside) == {"verified": 1, "submitted": 2}
    storage = get_storage()
    with league_scope(riverside.id):
        profiles = {p.first_name: p for p in db.session.scalars(select(PlayerProfile))}
        groups = queries.age_groups()
        ages = {
            p.first_name: rules.league_age(p.date_of_birth, riverside) for p in profiles.values()
        }
        assert len(set(ages.values())) == len(profiles)  # every child a different age
        mia, leo, zara = profiles["Mia"], profiles["Leo"], profiles["Zara"]
        assert mia.guardian.email == leo.guardian.email == "parent.pat@example.com"
        assert rules.age_group_for(ages["Mia"], groups).name == "U12"
        assert mia.dob_verified_by_name == "Sam Okafor"
        assert mia.document_key is None  # Riverside deletes documents at verification
        assert storage.exists(mia.photo_key) and storage.exists(mia.photo_thumb_key)
        assert leo.photo_key is None and storage.exists(leo.document_key)
        assert zara.change_reason and storage.exists(zara.document_preview_key)
        assert all(
            storage.exists(p.photo_key) and storage.exists(p.document_key)
            for p in profiles.values()
            if p.status == ProfileStatus.SUBMITTED
        )
    with league_scope(northside.id):
        adults = db.session.scalars(select(PlayerProfile)).all()
        assert all(p.is_self and p.gender is not None for p in adults)
        assert all(storage.exists(p.document_key) for p in adults)  # kept 30 days here


def test_demo_seed_offers_programs_and_paid_memberships(app):
    """Do the demo leagues offer programs and plans, with families who paid through the
    real checkout (one suspended), Pat's Mia playing futsal with a card that reads VALID,
    and still free to register for the spring?"""
    from portal.cards import services as card_services
    from portal.cards.content import card_verdict
    from portal.cards.models import PdfState
    from portal.demo_programs import demo_year
    from portal.memberships import eligibility
    from portal.memberships.models import Membership, MembershipStatus, Plan, Program
    from portal.payments.models import Order, OrderStatus
    from portal.players.services import today_in

    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "paid for Ava and Noah" in result.output
    riverside, northside = _league("riverside"), _league("northside-hockey")
    year = demo_year(today_in(riverside))
    with league_scope(riverside.id):
        programs = db.session.scalars(select(Program).order_by(Program.position)).all()
        assert [p.name for p in programs] == [
            f"Spring recreational {year}",
            "Summer camp",
            "Winter futsal",
        ]
        plans = {p.name: p for p in db.session.scalars(select(Plan))}
        assert [(p.price_minor, p.capacity) for p in programs[0].plans] == [
            (12000, None),
            (14000, 16),
            (14000, None),
        ]
        seasons = [p for p in plans.values() if p.season_start]
        assert len(seasons) == 4 and all(p.season_start.year == year for p in seasons)
        camp = plans["Day camp, 12 to 16 July"]
        assert (camp.agreement_title, camp.agreement_version) == ("Waiver and release", 1)
        members = {m.profile.first_name: m.status for m in db.session.scalars(select(Membership))}
        assert members == {
            "Ava": MembershipStatus.ACTIVE,
            "Noah": MembershipStatus.ACTIVE,
            "Lucas": MembershipStatus.SUSPENDED,
            "Sofia": MembershipStatus.ACTIVE,
            "Daniel": MembershipStatus.ACTIVE,
            "Zara": MembershipStatus.ACTIVE,
            "Mia": MembershipStatus.ACTIVE,
        }
        assert {o.status for o in db.session.scalars(select(Order))} == {OrderStatus.PAID}
        mia = db.session.scalars(
            select(PlayerProfile).where(PlayerProfile.first_name == "Mia")
        ).one()
        assert eligibility.problems(mia, plans["U10 and U12"], today_in(riverside)) == []
        card = card_services.current_card(mia.id)
        assert card.pdf_state == PdfState.READY
        assert card_verdict(card, today_in(riverside)).code == "valid"
    with league_scope(northside.id):
        adult = {p.name: p for p in db.session.scalars(select(Plan))}
        assert {
            (n, p.currency, p.price_minor, p.duration_unit.value) for n, p in adult.items()
        } == {
            ("Monthly", "cad", 4500, "months"),
            ("Full year", "cad", 45000, "years"),
        }
        assert len(db.session.scalars(select(Membership)).all()) == 2
