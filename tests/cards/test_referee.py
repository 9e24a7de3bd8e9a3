"""The referee's scanner, typed codes, the game-day roster and the check log."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.cards import services as card_services
from portal.cards.content import member_number
from portal.cards.models import Card, CardCheck, Team, TeamPlayer
from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships.models import MembershipStatus
from portal.players.models import ProfileStatus
from tests.cards.conftest import add_term
from tests.dbutil import sql_statements

BASE = "/l/riverside/check"


@pytest.fixture
def card(league, member):
    with league_scope(league.id):
        issued = card_services.issue(member)
        db.session.commit()
        return issued.token


def _checks(league):
    with league_scope(league.id):
        return db.session.scalars(select(CardCheck).order_by(CardCheck.id)).all()


# -- the scanner page and typed codes ---------------------------------------------------


def test_scanner_page_for_a_referee(client, login, league, referee):
    """Does a referee get the scanner with its script, its camera button and the form that
    works without JavaScript?"""
    login(referee)
    page = client.get(f"{BASE}/").text
    assert "js/scanner.js" in page and 'id="scan-start"' in page
    assert 'action="/l/riverside/check/find"' in page and 'name="code"' in page
    assert "/v/TOKEN.json" in page and "vendor/jsQR.js" in page
    assert "<script>" not in page  # no inline script: the CSP forbids it


def test_players_and_strangers_cannot_open_the_scanner(client, login, make, league, parent):
    """Is the scanner 404 for a player of the league, and a sign-in for anonymous?"""
    assert client.get(f"{BASE}/").status_code == 302
    make.grant(parent, league, Role.PLAYER)
    login(parent)
    assert client.get(f"{BASE}/").status_code == 404
    assert client.get(f"{BASE}/find?code=x").status_code == 404


@pytest.mark.parametrize("shape", ["url", "token", "member", "spaced member"])
def test_a_typed_code_leads_to_the_check(client, login, league, member, card, referee, shape):
    """Do a pasted link, a bare token and the printed member number all find the card?"""
    number = member_number(member)
    code = {
        "url": f"https://cards.example.com/v/{card}",
        "token": card,
        "member": number,
        "spaced member": number.replace("-", " - "),
    }[shape]
    login(referee)
    page = client.get(f"{BASE}/find", query_string={"code": code})
    assert page.status_code == 303 and page.headers["Location"].endswith(f"/v/{card}")
    data = client.get(f"{BASE}/find", query_string={"code": code, "format": "json"})
    assert data.headers["Location"].endswith(f"/v/{card}.json")


@pytest.mark.parametrize(
    "code, message",
    [
        ("", "Type the link"),
        ("not a code!", "not a card link or member number"),
        ("99-000001", "No card of Riverside FC has the member number 99-000001"),
        ("x" * 301, "too long"),
    ],
)
def test_a_bad_code_is_explained(client, login, league, referee, code, message):
    """Is a code that finds nothing answered 422 with a message, as a page or as JSON?"""
    login(referee)
    page = client.get(f"{BASE}/find", query_string={"code": code})
    assert page.status_code == 422 and message in page.text and 'id="code"' in page.text
    data = client.get(f"{BASE}/find", query_string={"code": code, "format": "json"})
    assert data.status_code == 422 and message in data.get_json()["error"]


def test_member_number_of_another_league_finds_nothing(client, login, make, league, referee):
    """Can a referee look up another league's player by their member number?"""
    other = make.league("elsewhere")
    guardian = make.user()
    stranger = make.profile(other, guardian, status=ProfileStatus.VERIFIED)
    with league_scope(other.id):
        card_services.issue(stranger)
        db.session.commit()
    login(referee)
    number = member_number(stranger)
    response = client.get(f"{BASE}/find", query_string={"code": number})
    assert response.status_code == 422
    # Nor by swapping in this league's id: the player is not in this league.
    forged = f"{league.id:02d}-{stranger.id:06d}"
    assert client.get(f"{BASE}/find", query_string={"code": forged}).status_code == 422


def test_the_scanners_check_is_logged(client, login, league, member, card, referee):
    """Does the scanner's request (through find, with the session) answer VALID and log
    who checked which card with what result?"""
    login(referee)
    response = client.get(
        f"{BASE}/find",
        query_string={"code": member_number(member), "format": "json"},
        follow_redirects=True,
    )
    body = response.get_json()
    assert body["status"] == "valid" and body["word"] == "VALID" and body["name"] == "Mia Parent"
    [check] = _checks(league)
    assert (check.checked_by_id, check.result, check.player_name) == (
        referee.id,
        "valid",
        "Mia Parent",
    )
    # An anonymous scan of the same card is answered but not logged.
    client.post("/logout")
    assert client.get(f"/v/{card}.json").get_json()["status"] == "valid"
    assert len(_checks(league)) == 1


# -- the roster ----------------------------------------------------------------------------


def _roster_team(make, league, parent, count: int) -> int:
    """A team of `count` players: the first valid, the second expired, the rest without a
    card (pending approval or unknown), numbered 1.."""
    plan = make.plan(league, f"Plan {count}")
    today = date.today()
    players = []
    for n in range(count):
        players.append(
            make.profile(
                league,
                parent,
                first_name=f"P{n}",
                last_name="Roster",
                status=ProfileStatus.VERIFIED,
                photo_key=f"leagues/{league.id}/p{n}.jpg" if n else None,
            )
        )
    add_term(league, players[0], plan)
    if count > 1:
        add_term(
            league,
            players[1],
            plan,
            starts=today - timedelta(days=400),
            ends=today - timedelta(days=10),
            status=MembershipStatus.EXPIRED,
        )
    with league_scope(league.id):
        team = Team(name=f"Team {count}")
        db.session.add(team)
        for n, profile in enumerate(players):
            team.players.append(TeamPlayer(profile_id=profile.id, number=str(n + 1)))
            if n < 2:
                db.session.add(Card(profile_id=profile.id, token=card_services.new_token()))
        db.session.commit()
        return team.id


def test_roster_shows_each_card_as_it_is_now(client, login, make, league, parent, referee):
    """Does the roster list number, name and today's verdict of every player, in shirt
    order, with a check link for each card?"""
    team_id = _roster_team(make, league, parent, 3)
    login(referee)
    page = client.get(f"{BASE}/teams/{team_id}").text
    assert "1 valid</span> of 3 players" in page and "2 not valid" in page
    rows = page.split('class="roster-player')[1:]
    assert ["P0 Roster" in rows[0], "P1 Roster" in rows[1], "P2 Roster" in rows[2]] == [True] * 3
    assert "VALID" in rows[0] and "tone-ok" in rows[0]
    assert "EXPIRED" in rows[1] and "ended" in rows[1]
    assert "NO CARD" in rows[2] and "no card issued" in rows[2] and "/v/" not in rows[2]
    assert 'class="thumb initials"' in rows[0]  # no photo: initials
    assert "/l/riverside/check/players/" in rows[1]


def test_roster_queries_do_not_grow_with_the_team(client, login, make, league, parent, referee):
    """Does a roster of 8 run as many queries as a roster of 2 (no query per player)?"""
    small = _roster_team(make, league, parent, 2)
    large = _roster_team(make, league, parent, 8)
    login(referee)
    client.get(f"{BASE}/teams/{small}")  # warm anything cached per process
    with sql_statements() as few:
        assert client.get(f"{BASE}/teams/{small}").status_code == 200
    with sql_statements() as many:
        assert client.get(f"{BASE}/teams/{large}").status_code == 200
    assert len(many) == len(few)


def test_roster_photo_is_for_staff_only(client, login, make, league, parent, player, referee):
    """Does a referee get the player's photo, and a player of the league not?"""
    login(referee)
    response = client.get(f"{BASE}/players/{player.id}/photo")
    assert response.status_code == 302
    make.grant(parent, league, Role.PLAYER)
    login(parent)
    assert client.get(f"{BASE}/players/{player.id}/photo").status_code == 404


# -- the check log ----------------------------------------------------------------------------


def test_log_is_newest_first_and_filters(client, login, make, league, member, card, referee):
    """Does the log list checks newest first, filter by result and by referee, and page?"""
    other_ref = make.member(league, Role.REFEREE, name="Robin Ref")
    admin = make.member(league, Role.ADMIN)
    with league_scope(league.id):
        card_id = db.session.scalars(select(Card.id)).one()
        for n in range(55):
            db.session.add(
                CardCheck(
                    card_id=card_id,
                    checked_by_id=referee.id,
                    result="valid",
                    player_name=f"Player {n:02d}",
                )
            )
        db.session.add(
            CardCheck(
                card_id=card_id,
                checked_by_id=other_ref.id,
                result="expired",
                player_name="Latest Check",
            )
        )
        db.session.commit()
    login(referee)
    assert client.get(f"{BASE}/log").status_code == 404  # referees check, admins read
    login(admin)
    page = client.get(f"{BASE}/log").text
    assert "1 to 50 of 56 checks" in page
    assert page.index("Latest Check") < page.index("Player 54") < page.index("Player 10")
    assert "Jordan Ref" in page and 'rel="next"' in page
    older = client.get(f"{BASE}/log?page=2").text
    assert "51 to 56 of 56" in older and "Player 00" in older
    expired = client.get(f"{BASE}/log?result=expired", headers={"HX-Request": "true"}).text
    assert "<html" not in expired and "1 to 1 of 1 check" in expired
    by_robin = client.get(f"{BASE}/log", query_string={"referee": other_ref.id}).text
    assert "Latest Check" in by_robin and "Player 01" not in by_robin
    odd = client.get(f"{BASE}/log?result=nonsense&referee=abc&page=-3")
    assert odd.status_code == 200 and "of 56 checks" in odd.text


# -- dates as the check page words them ------------------------------------------------------


def test_roster_dates_match_the_check_page(client, login, make, league, parent, referee):
    """Does the roster show a refunded card's end as the day it was refunded (not the
    term's planned end), a lapsed suspension as valid, and dates as "05 Dec 2026"?"""
    from portal.cards.filters import card_date
    from portal.core.db import utcnow
    from portal.players.services import today_in

    today = today_in(league)
    plan = make.plan(league, "Dates")
    refunded, lapsed = (
        make.profile(league, parent, first_name=name, status=ProfileStatus.VERIFIED)
        for name in ("Refunded", "Lapsed")
    )
    planned = today + timedelta(days=200)
    add_term(
        league,
        refunded,
        plan,
        status=MembershipStatus.REFUNDED,
        ends=planned,
        ended_at=utcnow(),
    )
    add_term(
        league,
        lapsed,
        plan,
        status=MembershipStatus.SUSPENDED,
        suspended_until=today - timedelta(days=1),
    )
    with league_scope(league.id):
        team = Team(name="Dates")
        db.session.add(team)
        for profile in (refunded, lapsed):
            team.players.append(TeamPlayer(profile_id=profile.id))
            db.session.add(Card(profile_id=profile.id, token=card_services.new_token()))
        db.session.commit()
        team_id = team.id
    login(referee)
    page = client.get(f"{BASE}/teams/{team_id}").text
    assert f"status as of {card_date(today)}" in page
    rows = {
        row.split("<strong>", 1)[1].split(" ", 1)[0]: row
        for row in page.split('class="roster-player')[1:]
    }
    assert f"ended {card_date(today)}" in rows["Refunded"] and card_date(planned) not in page
    assert "VALID" in rows["Lapsed"] and "SUSPENDED" not in rows["Lapsed"]


def test_the_scanner_asks_in_its_league_and_words_nothing_itself(client, login, league, referee):
    """Does the scanner's check address name its league (an unknown code is logged there),
    and does the script take dates and times from the server rather than format them?"""
    login(referee)
    page = client.get(f"{BASE}/").text
    assert f"/v/TOKEN.json?league={league.id}" in page and "data-timezone" not in page
    src = re.search(r'src="([^"]*js/scanner\.js[^"]*)"', page).group(1)
    with client.get(src) as response:
        script = response.text
    assert "toLocaleTimeString" not in script and "MONTHS" not in script
    assert "body.display" in script
