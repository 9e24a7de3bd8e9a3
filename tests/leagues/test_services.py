"""League services: a new league's season year, and which setting changes remake cards."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.leagues import services
from tests.leagues import look_changes


@pytest.mark.parametrize("timezone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_new_league_starts_in_this_year_where_it_plays(timezone):
    """Does create_league give the current year in the league's time zone (the database
    no longer has a default for it)?"""
    with unscoped():
        league = services.create_league(
            "riverside", name="Riverside FC", sport="Soccer", timezone=timezone
        )
    assert league.season_year == datetime.now(UTC).astimezone(ZoneInfo(timezone)).year


def test_a_new_league_without_a_timezone_is_on_utc():
    with unscoped():
        league = services.create_league("riverside", name="Riverside FC", sport="Soccer")
    assert (league.timezone, league.season_year) == ("UTC", datetime.now(UTC).year)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("primary_color", "#7c3aed"),
        ("card_shows_birth_date", True),
        ("season_year", 2030),
        ("age_cutoff_month", 8),
    ],
)
def test_a_change_to_what_cards_show_remakes_them_once(make, field, value):
    """Is a change to a printed setting (or one the printed age group comes from) told
    to the cards once, whichever page made it?"""
    league = make.league("riverside")
    with (
        league_scope(league.id),
        look_changes() as sent,
        services.remaking_cards_if_changed(league),
    ):
        setattr(league, field, value)
        league.description = "Also changed"
    assert sent == [league.id]


def test_no_change_to_what_cards_show_leaves_them_alone(make):
    league = make.league("riverside", primary_color="#0f766e")
    with league_scope(league.id), look_changes() as sent:
        with services.remaking_cards_if_changed(league):
            league.description = "New text"
            league.primary_color = "#0f766e"  # set, but to the same value
        services.update_league(league, name=league.name, website=None, description="More")
    assert sent == []


def test_a_change_that_fails_tells_the_cards_nothing(make):
    league = make.league("riverside")
    with (
        league_scope(league.id),
        look_changes() as sent,
        pytest.raises(ValueError),
        services.remaking_cards_if_changed(league),
    ):
        league.name = "Renamed"
        raise ValueError("refused")
    assert sent == []
    db.session.rollback()


def test_update_league_tells_the_cards_when_the_name_changes(make):
    league = make.league("riverside")
    with league_scope(league.id), look_changes() as sent:
        services.update_league(league, name="Riverside United", description=None)
    assert sent == [league.id] and league.name == "Riverside United"
