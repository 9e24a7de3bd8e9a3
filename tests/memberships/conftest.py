"""Membership fixtures: the Riverside league (playing in UTC, like `TODAY` in
admin_helpers), its admin, a parent with one ready player, a program and a plan, and the
test checkout's events held back.

The family's pages (family/) play in another time zone and bring their own league and
plan; a test module may likewise define a fixture of the same name to take precedence."""

from __future__ import annotations

import pytest

from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships import admin_services as services
from tests.memberships.admin_helpers import season


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC")


@pytest.fixture
def admin(make, league):
    return make.member(league, Role.ADMIN, name="Maria Lopez")


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def kid(make, league, parent):
    return make.ready_profile(league, parent, "Mia")


@pytest.fixture
def program(league):
    with league_scope(league.id):
        program = services.create_program(league, "Spring 2027")
        db.session.commit()
    return program


@pytest.fixture
def plan(make, league):
    return season(make, league, "Spring", capacity=20)


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


@pytest.fixture
def held_events(monkeypatch):
    """The test checkout's events are kept back: no webhook round trip, so only the
    pages' own sync (or the test itself) confirms a payment."""
    from portal.payments import testmode

    held: list[str] = []
    monkeypatch.setattr(testmode, "deliver_test_event", held.append)
    return held
