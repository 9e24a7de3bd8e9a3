"""The player's card on the phone: who may open it, what it shows, the "making your
card" widget, the home-screen manifest, the service worker and the PDF download."""

from __future__ import annotations

import json
import re

import pytest

from portal.cards import card_queries, services
from portal.cards.models import Card, PdfState
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players.models import ProfileStatus

PAGE = "/l/riverside/players/{}/card"


def _issue(league, profile, **fields) -> Card:
    with league_scope(league.id):
        card = services.issue(db.session.get(type(profile), profile.id))
        for name, value in fields.items():
            setattr(card, name, value)
        db.session.commit()
        return card


def _refresh(league, profile) -> Card:
    """Issue the card and make its PDF, as the worker does."""
    with league_scope(league.id):
        card = services.refresh(db.session.get(type(profile), profile.id))
        db.session.commit()
        return card


def test_the_family_sees_its_childs_card(client, login, league, parent, member):
    """Does the guardian see the card large: name, status, QR, member number, live parts?"""
    card = _issue(league, member)
    login(parent)
    response = client.get(PAGE.format(member.id))
    page = response.text
    assert response.status_code == 200
    assert "Mia Parent" in page and "Riverside FC" in page and "VALID" in page
    assert f"{league.id:02d}-{member.id:06d}" in page  # the member number
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "pcard-qr-code" in page
    assert f"/v/{card.token}/photo" in page  # the photo, by the card's token
    assert "data-clock-time" in page and "pcard-band" in page  # the live parts
    assert 'data-source="network"' in page and "data-rendered-at=" in page
    assert 'rel="manifest"' in page and "js/card.js" in page
    # The CSP forbids inline script and style: none on the page.
    assert " style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_the_card_follows_the_league_setting_for_birth_date(client, login, league, parent, member):
    """Age group by default; the date of birth only when the league prints it."""
    _issue(league, member)
    login(parent)
    assert "Born" not in client.get(PAGE.format(member.id)).text
    league.card_shows_birth_date = True
    db.session.commit()
    assert "01 Jun 2015" in client.get(PAGE.format(member.id)).text


def test_another_family_gets_not_found(client, login, make, league, member):
    """Can another family open someone else's child's card, its PDF or its manifest?"""
    _refresh(league, member)
    login(make.user("other@example.com"))
    for suffix in ("", "/status", ".pdf", ".webmanifest"):
        assert client.get(PAGE.format(member.id) + suffix).status_code == 404, suffix


def test_staff_who_check_cards_can_see_it(client, login, league, member, referee):
    """May the league's referee open a player's card (to compare it at the field)?"""
    _issue(league, member)
    login(referee)
    page = client.get(PAGE.format(member.id)).text
    assert "Mia Parent" in page and "VALID" in page
    assert "\u2039 Riverside FC" in page  # back to the league, not to "My players"


def test_a_suspended_card_says_so_with_the_date(client, login, league, parent, member):
    from datetime import date, timedelta

    from sqlalchemy import select

    from portal.memberships import lifecycle
    from portal.memberships.models import Membership

    _issue(league, member)
    until = date.today() + timedelta(days=10)
    with league_scope(league.id):
        lifecycle.suspend(db.session.scalars(select(Membership)).one(), "Red card", until)
        db.session.commit()
    login(parent)
    page = client.get(PAGE.format(member.id)).text
    assert "SUSPENDED" in page and "pcard-bad" in page
    assert f"{until.day:02d} {until:%b %Y}" in page


def test_no_card_yet_says_why_unverified(client, login, make, league, parent):
    """A profile still being written: no card, the reason and the way to finish it."""
    draft = make.profile(league, parent, first_name="Leo")
    login(parent)
    page = client.get(PAGE.format(draft.id)).text
    assert "not finished yet" in page and f"/players/{draft.id}" in page
    assert "Finish the profile" in page and "hx-get" not in page and "pcard-qr" not in page


def test_no_card_yet_says_why_unpaid(client, login, league, parent, player):
    """Verified but nothing paid: say so, and link to registration."""
    login(parent)
    page = client.get(PAGE.format(player.id)).text
    assert "no paid membership yet" in page
    assert "/l/riverside/register" in page and "hx-get" not in page


def test_the_widget_polls_while_the_pdf_is_made_then_stops_with_286(
    client, login, league, parent, member
):
    """Does the page poll every 2 s while the PDF is made, and the status route answer
    286 (stop) with the download button once it is ready?"""
    _issue(league, member, pdf_state=PdfState.PENDING)
    login(parent)
    page = client.get(PAGE.format(member.id)).text
    assert 'hx-trigger="every 2s"' in page and "/card/status?n=0&amp;card=1" in page
    assert f'href="{PAGE.format(member.id)}"' in page  # the refresh link, without JS
    status = PAGE.format(member.id) + "/status"
    polling = client.get(status + "?n=0&card=1", headers={"HX-Request": "true"})
    assert polling.status_code == 200 and "n=1" in polling.text and "Making Mia" in polling.text
    _refresh(league, member)
    ready = client.get(status + "?n=1&card=1", headers={"HX-Request": "true"})
    assert ready.status_code == 286
    assert "Download the card (PDF)" in ready.text and "hx-get" not in ready.text
    assert "HX-Refresh" not in ready.headers


def test_a_card_that_appears_reloads_the_page(client, login, league, parent, member):
    """Due but not issued when the page was drawn: once issued, the page reloads to show it."""
    login(parent)
    page = client.get(PAGE.format(member.id)).text
    assert "card=0" in page and "Making Mia" in page
    _issue(league, member)
    response = client.get(PAGE.format(member.id) + "/status?n=3&card=0")
    assert response.headers["HX-Refresh"] == "true"


def test_polling_gives_up_after_a_while_and_a_failure_stops_it(
    client, login, league, parent, member
):
    _issue(league, member, pdf_state=PdfState.PENDING)
    login(parent)
    slow = client.get(PAGE.format(member.id) + f"/status?n={card_queries.MAX_POLLS}&card=1")
    assert slow.status_code == 286 and "longer than usual" in slow.text
    _issue(league, member, pdf_state=PdfState.FAILED)
    failed = client.get(PAGE.format(member.id) + "/status?n=2&card=1")
    assert failed.status_code == 286 and "could not make the printable card" in failed.text


def test_the_pdf_downloads_when_ready(client, login, league, parent, member):
    """Before the PDF exists: 404; once made: a redirect to a short-lived link to it."""
    _issue(league, member)
    login(parent)
    assert client.get(PAGE.format(member.id) + ".pdf").status_code == 404
    _refresh(league, member)
    response = client.get(PAGE.format(member.id) + ".pdf")
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
    with client.get(response.headers["Location"]) as pdf:
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        # named for the player, and shown in the phone's viewer rather than saved blind
        assert pdf.headers["Content-Disposition"].startswith("inline")
        assert 'filename="Mia-Parent-card.pdf"' in pdf.headers["Content-Disposition"]
    assert "Download the card (PDF)" in client.get(PAGE.format(member.id)).text


def test_the_manifest_opens_the_card_from_the_home_screen(client, login, league, parent, member):
    _issue(league, member)
    login(parent)
    response = client.get(PAGE.format(member.id) + ".webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["start_url"] == manifest["id"] == PAGE.format(member.id)
    assert PAGE.format(member.id).startswith(manifest["scope"])
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#0f766e"
    assert manifest["short_name"] == "Mia's card" and "Mia Parent" in manifest["name"]
    logo, default = manifest["icons"]
    assert logo["src"].startswith("/l/riverside/logo") and logo["sizes"] == "256x256"
    assert default["type"] == "image/svg+xml" and default["sizes"] == "any"
    assert client.get(logo["src"]).status_code == 200


def test_the_service_worker_is_served_where_its_scope_covers_the_cards(client, league):
    """Is the worker plain JavaScript, never cached stale, with a scope over the card pages?"""
    with client.get("/l/riverside/players/card-sw.js") as response:
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert response.headers["Cache-Control"] == "no-cache"
        scope = response.headers["Service-Worker-Allowed"]
        assert "keep-card" in response.text and "data-source" in response.text
    assert scope == "/l/riverside/players/"
    assert PAGE.format(1).startswith(scope)  # the card pages are inside the worker's scope


def test_the_page_registers_the_worker_with_that_scope(client, login, league, parent, member):
    _issue(league, member)
    login(parent)
    page = client.get(PAGE.format(member.id)).text
    assert 'data-sw="/l/riverside/players/card-sw.js"' in page
    assert 'data-sw-scope="/l/riverside/players/"' in page


def test_my_players_links_to_each_card(client, login, make, league, parent, member):
    """Do My players and My memberships offer the card of a child who has one, and no
    card link for a child without?"""
    leo = make.profile(league, parent, first_name="Leo")
    _issue(league, member)
    login(parent)
    for listing in ("/l/riverside/players/", "/l/riverside/memberships/"):
        page = client.get(listing).text
        assert f'href="{PAGE.format(member.id)}"' in page, listing
        assert "Show Mia's player card" in page
        assert f'href="{PAGE.format(leo.id)}"' not in page, listing


@pytest.mark.parametrize(
    ("colour", "ink"),
    [("#0f766e", "light"), ("#facc15", "dark"), ("#ffffff", "dark"), ("#1e3a8a", "light")],
)
def test_the_card_header_text_stays_readable_on_the_league_colour(colour, ink):
    assert card_queries.ink_on(colour) == ink


def test_an_unverified_card_holder_shows_pending(client, login, league, parent, member):
    """A card issued, then the profile sent back for review: the card says PENDING."""
    _issue(league, member)
    with league_scope(league.id):
        db.session.get(type(member), member.id).status = ProfileStatus.SUBMITTED
        db.session.commit()
    login(parent)
    page = client.get(PAGE.format(member.id)).text
    assert "PENDING APPROVAL" in page and "pcard-warn" in page
