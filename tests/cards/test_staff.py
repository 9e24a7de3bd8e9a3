"""Registrars and admins reissue a card from the player's profile; the old QR says REVOKED."""

from __future__ import annotations

from portal.cards import services
from portal.core.permissions import Role
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players.models import PlayerProfile


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
