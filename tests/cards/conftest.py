"""Card fixtures: a verified player with a photo and a paid, current membership."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.demo import crest
from portal.extensions import db
from portal.leagues import services as league_services
from portal.memberships.models import Membership, MembershipStatus
from portal.players.models import ProfileStatus
from tests.images import jpeg


@pytest.fixture
def league(make):
    league = make.league(
        "riverside",
        name="Riverside FC",
        timezone="America/Chicago",
        primary_color="#0f766e",
        secondary_color="#facc15",
    )
    with league_scope(league.id):
        league_services.set_logo(league, crest("RF", "#0f766e", "#facc15"))
        db.session.commit()
    return league


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def player(make, league, parent):
    """A verified player with a real photo in storage."""
    photo_key = f"leagues/{league.id}/players/mia/photo.jpg"
    get_storage().put(photo_key, jpeg(600, 750, "#336699"), "image/jpeg")
    return make.profile(
        league,
        parent,
        first_name="Mia",
        last_name="Parent",
        status=ProfileStatus.VERIFIED,
        photo_key=photo_key,
    )


def add_term(
    league, profile, plan, *, status=MembershipStatus.ACTIVE, starts=None, ends=None, **fields
) -> Membership:
    today = date.today()
    fields.setdefault("activated_at", db.func.now())
    with league_scope(league.id):
        term = Membership(
            profile_id=profile.id,
            plan_id=plan.id,
            status=status,
            starts_on=starts or today - timedelta(days=30),
            ends_on=ends or today + timedelta(days=300),
            **fields,
        )
        db.session.add(term)
        db.session.commit()
    return term


@pytest.fixture
def member(make, league, player):
    """The player with a current term on a plan."""
    add_term(league, player, make.plan(league, "Spring"))
    return player


@pytest.fixture
def referee(make, league):
    return make.member(league, Role.REFEREE, name="Jordan Ref")
