"""A signed-in referee's check of a code that is no card is logged (UNKNOWN), so a fake
card leaves a trace; anonymous guesses are not logged and cost no extra query."""

from __future__ import annotations

from sqlalchemy import select

from portal.cards.check_log import shown_code
from portal.cards.models import CardCheck
from portal.core.permissions import Role
from portal.core.tenancy import unscoped
from portal.extensions import db
from tests.dbutil import selects, sql_statements

FAKE = "FakeCardToken0123456789"


def _checks() -> list[CardCheck]:
    with unscoped():
        return db.session.scalars(select(CardCheck).order_by(CardCheck.id)).all()


def test_a_referees_check_of_an_unknown_token_is_logged(client, login, league, referee):
    """Who, when, the code (as typed, shortened) and UNKNOWN, in the referee's league."""
    login(referee)
    assert client.get(f"/v/{FAKE}").status_code == 404
    assert client.get(f"/v/{FAKE}.json").get_json()["status"] == "unknown"
    first, second = _checks()
    assert (first.league_id, first.card_id, first.checked_by_id, first.result) == (
        league.id,
        None,
        referee.id,
        "unknown",
    )
    assert first.checked_at is not None and first.player_name == f"Unknown code {FAKE}"
    assert second.result == "unknown"


def test_the_page_shows_the_time_in_the_referees_league(client, login, league, referee):
    login(referee)
    page = client.get(f"/v/{FAKE}").text
    assert "(UTC)" not in page and ("(CST)" in page or "(CDT)" in page)


def test_the_logs_unknown_filter_finds_it(client, login, make, league, referee):
    login(referee)
    client.get(f"/v/{FAKE}.json")
    login(make.member(league, Role.ADMIN))
    page = client.get("/l/riverside/check/log?result=unknown").text
    assert "1 to 1 of 1 check" in page and f"Unknown code {FAKE}" in page
    assert "Jordan Ref" in page


def test_odd_and_long_codes_are_kept_short_and_plain(client, login, league, referee):
    """A long code keeps its first characters; an odd one only a short hash."""
    login(referee)
    client.get("/v/" + "x" * 5000)
    client.get("/v/<script>alert(1)</script>")
    long, odd = _checks()
    assert long.player_name == "Unknown code " + "x" * 24 + "…"
    assert odd.player_name.startswith("Unknown code #") and len(odd.player_name) == 26
    assert "<" not in odd.player_name
    assert shown_code("abc") == "Unknown code abc"


def test_anonymous_unknown_checks_are_not_logged_and_cost_one_query(client):
    """No cookie, no log: the unknown token costs the card's one query, as before."""
    with sql_statements() as statements:
        assert client.get(f"/v/{FAKE}").status_code == 404
    assert len(selects(statements)) == 1
    assert _checks() == []


def test_signed_in_players_unknown_checks_are_not_logged(client, login, make, league, parent):
    """Only staff who check cards are logged, as for known cards."""
    make.grant(parent, league, Role.PLAYER)
    login(parent)
    client.get(f"/v/{FAKE}")
    assert _checks() == []


def test_the_scanner_names_the_league_to_log_in(client, login, make, league, referee):
    """A referee of two leagues: the scanner's ?league= picks the log; without it (or with
    a league the user does not check for) each of the referee's leagues gets the check."""
    other = make.league("elsewhere")
    make.grant(referee, other, Role.REFEREE)
    stranger = make.league("strangers")
    login(referee)
    client.get(f"/v/{FAKE}.json?league={other.id}")
    assert [c.league_id for c in _checks()] == [other.id]
    client.get(f"/v/{FAKE}.json?league={stranger.id}")
    assert sorted(c.league_id for c in _checks()[1:]) == sorted([league.id, other.id])
