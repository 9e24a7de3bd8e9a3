"""Registrars and admins reissue a card from the player's profile; the old QR says REVOKED."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.cards import services
from portal.cards.filters import card_date
from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships.models import MembershipStatus
from portal.players.models import PlayerProfile
from portal.players.services import today_in
from tests.cards.conftest import add_term


def _issue(league, profile):
    with league_scope(league.id):
        card = services.refresh(db.session.get(PlayerProfile, profile.id))
        db.session.commit()
        return card.token


def test_the_profile_page_shows_the_card_and_staff_reissue_it(client, login, make, league, member):
    old = _issue(league, member)
    registrar = make.member(league, Role.REGISTRAR)
    login(registrar)
    page = client.get(f"/l/{league.slug}/players/{member.id}").text
    assert "Player card" in page and "VALID" in page and "Reissue the card" in page
    response = client.post(
        f"/l/{league.slug}/players/{member.id}/card/reissue", data={"reason": "Card lost"}
    )
    assert response.status_code == 303
    assert client.get(f"/v/{old}.json").json["status"] == "revoked"
    with league_scope(league.id):
        fresh = services.current_card(member.id)
        assert fresh.token != old and fresh.pdf_key  # the worker made the new card's PDF
    assert client.get(f"/v/{fresh.token}.json").json["status"] == "valid"
    assert (
        "New card issued for Mia Parent" in client.get(f"/l/{league.slug}/players/{member.id}").text
    )


def test_the_family_sees_the_card_but_cannot_reissue_it(client, login, league, parent, member):
    token = _issue(league, member)
    login(parent)
    page = client.get(f"/l/{league.slug}/players/{member.id}").text
    assert "Player card" in page and "Reissue the card" not in page
    response = client.post(f"/l/{league.slug}/players/{member.id}/card/reissue")
    assert response.status_code == 404
    assert client.get(f"/v/{token}.json").json["status"] == "valid"


def test_no_card_yet_says_so(client, login, make, league, player):
    login(make.member(league, Role.ADMIN))
    response = client.post(f"/l/{league.slug}/players/{player.id}/card/reissue")
    assert response.status_code == 303
    page = client.get(f"/l/{league.slug}/players/{player.id}").text
    assert "has no card to reissue yet" in page and "Player card" not in page


def test_reissuing_asks_first_then_keeps_it_in_the_history(client, login, make, league, member):
    """Does "Reissue the card" open a form (why, and that the old card stops working) rather
    than reissue at once, and is the reissue then in the player's history and listed on the
    card panel with when, who and why?"""
    old = _issue(league, member)
    registrar = make.member(league, Role.REGISTRAR, name="Sam Registrar")
    login(registrar)
    profile_url = f"/l/{league.slug}/players/{member.id}"
    panel = client.get(profile_url).text
    confirm_url = f"{profile_url}/card/reissue"
    assert f'href="{confirm_url}"' in panel and "Past reissues" not in panel
    form = client.get(confirm_url)
    assert form.status_code == 200
    assert "stops working at once" in form.text and 'name="reason"' in form.text
    assert "Reissue and revoke the old card" in form.text
    assert client.get(f"/v/{old}.json").json["status"] == "valid"  # nothing happened yet
    client.post(confirm_url, data={"reason": "Damaged card"})
    assert client.get(f"/v/{old}.json").json["status"] == "revoked"
    with league_scope(league.id):
        (event,) = [e for e in db.session.get(PlayerProfile, member.id).events if e.field == "card"]
        assert (event.actor_id, event.reason) == (registrar.id, "Damaged card")
    page = client.get(profile_url).text
    past = page.split("Past reissues", 1)[1].split("</ol>", 1)[0]
    assert "Reissued" in past and "by Sam Registrar" in past and "Damaged card" in past
    history = page.split('id="history-heading"', 1)[1]
    assert "Damaged card" in history and "Sam Registrar" in history


def test_the_confirmation_is_for_staff_of_the_league_only(
    client, login, make, league, parent, member, player
):
    _issue(league, member)
    login(parent)
    assert client.get(f"/l/{league.slug}/players/{member.id}/card/reissue").status_code == 404
    login(make.member(league, Role.ADMIN))
    nothing = make.profile(league, parent, first_name="Nocard")
    response = client.get(f"/l/{league.slug}/players/{nothing.id}/card/reissue")
    assert response.status_code == 303


def _panel(client, league, profile) -> str:
    page = client.get(f"/l/{league.slug}/players/{profile.id}").text
    return page.split('id="card-heading"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize(
    ("term", "words", "not_said"),
    [
        (
            {"status": MembershipStatus.SUSPENDED, "suspended_until": 6},
            "Suspended until",
            "through",
        ),
        ({"status": MembershipStatus.SUSPENDED}, "Suspended until lifted", "through"),
        (
            {"status": MembershipStatus.EXPIRED, "starts": -400, "ends": -10},
            "Expired on",
            "through",
        ),
        ({"status": MembershipStatus.REFUNDED, "ended_at": True}, "Ended on", "through"),
        ({}, "Valid through", "Ended"),
    ],
)
def test_the_panel_words_the_date_as_the_state(
    client, login, make, league, player, term, words, not_said
):
    """ "SUSPENDED through 20 Feb 2027" no more: each state has its own words and date."""
    today = today_in(league)
    fields = {}
    for name, value in term.items():
        if name == "status":
            fields[name] = value
        elif name == "ended_at":
            fields[name] = utcnow()
        else:
            fields[name] = today + timedelta(days=value)
    add_term(league, player, make.plan(league, "Spring"), **fields)
    _issue(league, player)
    login(make.member(league, Role.REGISTRAR))
    panel = _panel(client, league, player)
    assert words in panel and not_said not in panel
    if term.get("status") == MembershipStatus.REFUNDED:
        assert f"Ended on {card_date(today)}" in panel
