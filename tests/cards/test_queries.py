"""The shared reads of the cards domain: current cards and paid terms of many players,
the roster order, the logo's size, and the statements a print selection runs."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace

from PIL import Image
from sqlalchemy import select

from portal.cards import card_queries, content, print_queries, team_queries
from portal.cards.models import Card, Team, TeamPlayer
from portal.core.paging import MAX_PAGE
from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.leagues import services as league_services
from portal.memberships.models import MembershipStatus
from portal.players.models import PlayerProfile
from tests.cards.conftest import add_term
from tests.cards.printing import carded, team
from tests.dbutil import sql_statements

# -- current cards and paid terms of many players --------------------------------------


def test_current_cards_leave_out_revoked_cards_and_players_without_one(
    make, league, parent, monkeypatch
):
    """Does `current_cards` give each player's current card only (not a revoked one, and
    nothing for a player without a card), however the ids arrive: a list asked in
    batches, or a query of ids?"""
    monkeypatch.setattr(card_queries, "BATCH", 2)  # three batches for five players
    players = [carded(make, league, parent, f"P{i}") for i in range(4)]
    draft = make.profile(league, parent, first_name="Dee")
    with league_scope(league.id):
        old = db.session.scalars(select(Card).where(Card.profile_id == players[0].id)).one()
        old.revoked_at = datetime(2024, 1, 1, tzinfo=UTC)
        fresh = Card(league_id=league.id, profile_id=players[0].id, token="fresh-token-1234")
        db.session.add(fresh)
        db.session.commit()
        ids = [p.id for p in players] + [draft.id]
        with sql_statements() as statements:
            cards = card_queries.current_cards(ids)
        assert len(statements) == 3
        assert set(cards) == {p.id for p in players}
        assert cards[players[0].id].token == "fresh-token-1234"
        everyone = select(PlayerProfile.id)
        assert set(card_queries.current_cards(everyone)) == set(cards)
        assert card_queries.profiles_with_cards(ids + ids) == set(cards)
        assert card_queries.profiles_with_cards([]) == set()


def test_paid_terms_leave_out_terms_waiting_for_payment(make, league, parent):
    """Does the one paid-terms query skip terms still waiting for payment, give an empty
    list to a player without terms, and load plans only when asked?"""
    mia, leo = carded(make, league, parent, "Mia"), carded(make, league, parent, "Leo")
    add_term(league, mia, make.plan(league, "Unpaid"), status=MembershipStatus.PENDING_PAYMENT)
    draft = make.profile(league, parent, first_name="Dee")
    with league_scope(league.id):
        ids = [mia.id, leo.id, draft.id]
        with sql_statements() as bare:
            terms = content.terms_by_profile(ids, with_plans=False)
        assert len(bare) == 1
        assert [len(terms[i]) for i in ids] == [1, 1, 0]
        with sql_statements() as with_plans:
            content.terms_by_profile(ids)
        assert len(with_plans) == 3
        by_query = content.terms_by_profile(select(PlayerProfile.id), with_plans=False)
        assert {i: len(by_query[i]) for i in ids} == {mia.id: 1, leo.id: 1, draft.id: 0}
        with sql_statements() as none:
            assert content.terms_by_profile([]) == {}
        assert none == []


def test_the_print_selection_runs_as_many_statements_for_many_players(make, league, parent):
    """Does choosing players to print run the same few statements for six players as
    for one (no query per player)?"""
    hawks = team(league, "Hawks")
    carded(make, league, parent, "Solo", team=hawks, shirt="1")
    with league_scope(league.id):
        filters = print_queries.PrintFilters(team_id=hawks.id)
        with sql_statements() as few:
            one = print_queries.select_players(filters, league, date.today())
    for i in range(5):
        carded(make, league, parent, f"P{i}", team=hawks, shirt=str(i + 2))
    with league_scope(league.id), sql_statements() as many:
        six = print_queries.select_players(filters, league, date.today())
    assert len(one.players) == 1 and len(six.players) == 6
    assert len(many) == len(few)


# -- the roster order --------------------------------------------------------------------


def test_rosters_list_players_by_shirt_number_then_name(make, league, parent):
    """Is the roster ordered by shirt number as a number ("00" just before "0", 2 before
    10), players without a number last, ties by last then first name?"""
    hawks = team(league, "Hawks")
    shirts = [
        ("Ten", "Adams", "10"),
        ("Two", "Young", "2"),
        ("Zero", "Baker", "0"),
        ("Double", "Zane", "00"),
        ("Amy", "Cole", ""),
        ("Bea", "Abel", ""),
    ]
    for first, last, shirt in shirts:
        carded(make, league, parent, first, last_name=last, team=hawks, shirt=shirt)
    with league_scope(league.id):
        hawks = db.session.get(Team, hawks.id)
        order = [entry.profile.first_name for entry in team_queries.team_players(hawks)]
    assert order == ["Double", "Zero", "Two", "Ten", "Bea", "Amy"]


# -- the logo's size for the home-screen icon ---------------------------------------------


def test_the_logo_size_is_read_once_per_logo(league):
    """Is the logo read once for its size (the key names its content), and does a new
    logo give its own size?"""
    assert card_queries.logo_size(league) == (256, 256)
    get_storage().delete(league.logo_key)  # no second read: the size is remembered
    assert card_queries.logo_size(league) == (256, 256)
    with league_scope(league.id):
        league_services.set_logo(league, _png(40, 30))
        db.session.commit()
    assert card_queries.logo_size(league) == (40, 30)


def test_a_logo_missing_from_storage_has_no_size_until_it_is_there():
    """Does a logo that cannot be read give no icon, and is that not remembered?"""
    league = SimpleNamespace(logo_key=f"leagues/1/logo-missing-{uuid.uuid4().hex[:16]}.png")
    assert card_queries.logo_size(league) is None
    get_storage().put(league.logo_key, _png(12, 34), "image/png")
    assert card_queries.logo_size(league) == (12, 34)
    assert card_queries.logo_size(SimpleNamespace(logo_key=None)) is None


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(out, format="PNG")
    return out.getvalue()


# -- ids typed into forms and links ------------------------------------------------------


def test_check_log_filters_ignore_ids_and_pages_that_are_not_numbers():
    read = team_queries.CheckFilters.read
    assert read({"referee": "12", "page": "3"}) == team_queries.CheckFilters("", 12, 3)
    for bad in ("", "x", "-1", "0", "99999999999", "²"):
        assert read({"referee": bad}).referee is None
    for bad in ("", "x", "-1", "0", "²"):
        assert read({"page": bad}).page == 1
    assert read({"page": "99999999999"}).page == MAX_PAGE  # the last page, once counted


def test_a_player_id_out_of_range_is_refused_in_place(client, login, make, league, player):
    """Does adding a player with a forged, out-of-range id say "choose a player" (422)
    rather than fail?"""
    login(make.member(league, Role.ADMIN, name="Maria Admin"))
    hawks = team(league, "Hawks")  # `player` can join: the form is shown
    for forged in ("99999999999", "0", "abc", ""):
        response = client.post(f"/l/riverside/teams/{hawks.id}/players", data={"profile": forged})
        assert response.status_code == 422
        assert "Choose a player to add." in response.text
    with league_scope(league.id):
        assert db.session.scalars(select(TeamPlayer)).all() == []
