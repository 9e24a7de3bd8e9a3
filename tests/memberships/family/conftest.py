"""Fixtures for the family's pages: a league in America/Chicago (so "today" is the
league's own day, not UTC's), two ready players and a plan to register them for.

These take precedence over the league and plan of tests/memberships/conftest.py; the
parent and `held_events` come from there."""

from __future__ import annotations

import pytest

DASH = "\u2013"  # between the first and last day of a term


@pytest.fixture
def league(make):
    return make.league("riverside", name="Riverside FC", timezone="America/Chicago")


@pytest.fixture
def kids(make, league, parent):
    return [make.ready_profile(league, parent, "Mia"), make.ready_profile(league, parent, "Leo")]


@pytest.fixture
def plan(make, league):
    return make.plan(league, "Spring season", price_minor=12000)
