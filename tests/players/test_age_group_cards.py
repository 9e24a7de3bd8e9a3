"""Cards print the age group computed from the league's groups and settings: a change
to those tells the cards, once per request."""

from __future__ import annotations

from portal.core.tenancy import league_scope
from portal.core.transactions import after_commit
from portal.extensions import db
from portal.players import settings_services as settings
from tests.leagues import look_changes


def _settings(league, **changes) -> settings.PlayerSettings:
    values = {name: getattr(league, name) for name in settings.PlayerSettings.__annotations__}
    return settings.PlayerSettings(**{**values, **changes})


def test_adding_moving_and_deleting_groups_tells_the_cards(make):
    """Does each change to the age groups ask for the league's cards to be looked at?"""
    league = make.league("riverside")
    with league_scope(league.id), look_changes() as sent:
        first = settings.add_age_group(league, "U10", None, 9)
        settings.add_age_group(league, "U12", 10, 11)
        settings.move_age_group(first, "down")
        settings.delete_age_group(first)
        db.session.commit()
    assert sent == [league.id] * 4


def test_a_move_past_the_end_changes_nothing_and_tells_no_one(make):
    league = make.league("riverside")
    with league_scope(league.id):
        group = settings.add_age_group(league, "U10", None, 9)
        db.session.commit()
        with look_changes() as sent:
            assert settings.move_age_group(group, "up") is False
    assert sent == []


def test_a_new_season_year_remakes_cards_but_a_retention_change_does_not(make):
    """Is the printed age group's input (the season year) told to the cards, and a
    setting no card shows left alone?"""
    league = make.league("riverside", season_year=2026)
    with league_scope(league.id), look_changes() as sent:
        settings.update_player_settings(league, _settings(league, document_retention_days=30))
        settings.update_player_settings(league, _settings(league, season_year=2027))
    assert sent == [league.id]


def test_callbacks_under_one_key_run_once_per_transaction(make):
    """Do five signals in one request queue one refresh, and the next request its own?"""
    league = make.league("riverside")
    ran = []
    with league_scope(league.id):
        db.session.get(type(league), league.id)  # a transaction is open
        for _ in range(5):
            after_commit(lambda: ran.append("keyed"), key=("refresh", league.id))
        after_commit(lambda: ran.append("plain"))
        after_commit(lambda: ran.append("plain"))
        db.session.commit()
        assert ran == ["keyed", "plain", "plain"]
        db.session.get(type(league), league.id)
        after_commit(lambda: ran.append("keyed"), key=("refresh", league.id))
        db.session.commit()
    assert ran == ["keyed", "plain", "plain", "keyed"]
