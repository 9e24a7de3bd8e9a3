"""Player fixtures: the Riverside league (season 2026), a parent, the league's
registrar, and clients already signed in as the parent or as a league admin.

A test module that needs a different league (or parent) defines its own fixture of the
same name, which takes precedence over these."""

from __future__ import annotations

import pytest

from portal.core.permissions import Role


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC", season_year=2026)


@pytest.fixture
def parent(make):
    return make.user("parent@example.com", name="Pat Parent")


@pytest.fixture
def registrar(make, league):
    return make.member(league, Role.REGISTRAR, name="Sam Registrar")


@pytest.fixture
def signed_in(client, login, parent):
    """The test client, signed in as the parent."""
    login(parent)
    return client


@pytest.fixture
def admin(make, league, login):
    """A league admin, signed in on the test client (the settings pages are theirs)."""
    person = make.member(league, Role.ADMIN)
    login(person)
    return person
