"""The check page and its JSON word dates as they are: an ended card shows the day it
ended, never a future "valid through"; a lapsed suspension reads as lifted; the JSON
carries the page's own wording of each date and of the time of the check."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.cards import services
from portal.cards.filters import card_date
from portal.cards.models import Card
from portal.core.db import utcnow
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships.models import MembershipStatus
from portal.players.services import today_in
from tests.cards.conftest import add_term


def _card(league, profile) -> Card:
    with league_scope(league.id):
        card = services.issue(db.session.get(type(profile), profile.id))
        db.session.commit()
        return card


def _ended_today(make, league, player, status):
    today = today_in(league)
    planned = today + timedelta(days=364)
    add_term(
        league,
        player,
        make.plan(league, "Spring"),
        status=status,
        ends=planned,
        ended_at=utcnow(),
    )
    return today, planned


def test_refunded_today_shows_today_not_the_planned_end(client, make, league, player):
    """Refunded today: the page says Ended <today>, the JSON claims no validity through the
    planned end (valid_through null) and says when it ended (ended_on)."""
    today, planned = _ended_today(make, league, player, MembershipStatus.REFUNDED)
    card = _card(league, player)
    page = client.get(f"/v/{card.token}").text
    assert "REFUNDED / CANCELLED" in page
    assert f"<dt>Ended</dt><dd>{card_date(today)}</dd>" in page
    assert card_date(planned) not in page and "Valid through" not in page
    body = client.get(f"/v/{card.token}.json").get_json()
    assert body["status"] == "cancelled"
    assert body["valid_through"] is None and body["ended_on"] == today.isoformat()
    assert body["display"]["ended_on"] == card_date(today)


def test_cancelled_today_too(client, make, league, player):
    today, planned = _ended_today(make, league, player, MembershipStatus.CANCELLED)
    card = _card(league, player)
    page = client.get(f"/v/{card.token}").text
    assert f"<dd>{card_date(today)}</dd>" in page and card_date(planned) not in page
    body = client.get(f"/v/{card.token}.json").get_json()
    assert (body["valid_through"], body["ended_on"]) == (None, today.isoformat())


def test_a_cancelled_term_without_its_end_recorded_shows_no_date(client, make, league, player):
    add_term(league, player, make.plan(league, "Spring"), status=MembershipStatus.CANCELLED)
    card = _card(league, player)
    page = client.get(f"/v/{card.token}").text
    assert "REFUNDED / CANCELLED" in page and "<dt>Ended</dt>" not in page
    body = client.get(f"/v/{card.token}.json").get_json()
    assert body["valid_through"] is None and body["ended_on"] is None


def test_a_suspension_that_ended_yesterday_reads_valid(client, make, league, player):
    """Before the hourly job lifts it, a suspension until yesterday is over already."""
    yesterday = today_in(league) - timedelta(days=1)
    add_term(
        league,
        player,
        make.plan(league, "Spring"),
        status=MembershipStatus.SUSPENDED,
        suspended_until=yesterday,
    )
    card = _card(league, player)
    page = client.get(f"/v/{card.token}").text
    assert "✓</span> VALID" in page and "SUSPENDED" not in page
    assert f"until {card_date(yesterday)}" not in page
    body = client.get(f"/v/{card.token}.json").get_json()
    assert body["status"] == "valid" and body["suspended_until"] is None


def test_the_json_words_dates_and_time_as_the_page_does(client, league, member):
    """The scanner shows the JSON's `display` words: the same as the page's."""
    card = _card(league, member)
    page = client.get(f"/v/{card.token}").text
    body = client.get(f"/v/{card.token}.json").get_json()
    shown = body["display"]
    assert f"<dd>{shown['valid_through']}</dd>" in page
    assert re.fullmatch(r"\d\d \w{3} \d{4}", shown["valid_through"])
    assert shown["valid_from"] == card_date(body["valid_from"])
    # "15:42:04 on 21 Nov 2026 (CST)": 24-hour time, the league's zone, as on the page.
    pattern = r"\d\d:\d\d:\d\d on \d{1,2} \w{3} \d{4} \((CST|CDT)\)"
    assert re.fullmatch(pattern, shown["checked_at"])
    assert re.search(r"Checked " + pattern, page)


def test_an_unknown_token_json_has_the_time_of_the_check_worded_too(client):
    body = client.get("/v/AAAAAAAAAAAAAAAAAAAAAA.json").get_json()
    assert body["status"] == "unknown" and body["display"]["checked_at"].endswith("(UTC)")


def test_every_status_page_keeps_the_league_name_off_the_screen_edge(client, league, member):
    """The revoked page shows the league outside the player block: the stylesheet gives a
    `.league` straight under <main> its own side margins (it is flush left otherwise)."""
    card = _card(league, member)
    with league_scope(league.id):
        services.reissue(db.session.get(Card, card.id), "Lost")
        db.session.commit()
    page = client.get(f"/v/{card.token}").text
    assert '<div class="player">' not in page and '<p class="league">' in page
    css_url = page.split('href="', 1)[1].split('"', 1)[0]
    with client.get(css_url) as css:
        rule = re.search(r"main>\.league\{([^}]*)\}", css.text)
    assert rule and "margin:.75rem 1rem 0" in rule.group(1)
