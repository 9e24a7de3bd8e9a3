"""A card whose PDF cannot be made: the worker tries again while the card shows "being
made", then gives up and the page says plainly what happened and what to do; a photo
missing from storage is not tried again (it will not come back by itself), and the
card on the phone shows the initials instead of a broken image."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import UnidentifiedImageError

from portal.cards import services, tasks
from portal.cards.models import PdfState
from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from tests.images import jpeg

PAGE = "/l/riverside/players/{}/card"


def _card(league, profile):
    """The player's current card as the worker left it (read again, not from the session)."""
    db.session.expire_all()
    with league_scope(league.id):
        return services.current_card(profile.id)


def _make(league, profile) -> None:
    """The worker's job for the player, as queued after a change (huey runs it at once)."""
    tasks.refresh_card(league.id, profile.id)


def _text(html: str) -> str:
    """The page's words, tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_missing_photo_fails_at_once_and_says_what_to_do(client, login, league, parent, member):
    """The photo is gone from storage: no retries; the page says the photo is missing and
    to upload it again, and the phone card shows the initials, not the broken photo."""
    get_storage().delete(member.photo_key)
    _make(league, member)
    card = _card(league, member)
    assert card.pdf_state == PdfState.FAILED and card.pdf_key is None
    assert card.pdf_error.startswith("photo_missing: MissingAsset:")
    assert services.pdf_failure(card) == "photo_missing"

    login(parent)
    page = client.get(PAGE.format(member.id)).text
    text = _text(page)
    assert "We could not make the printable card: Mia's photo is missing." in text
    assert "upload the photo again on the profile page" in text.lower()
    assert "try again" not in text and "hx-get" not in page.split('id="card-making"')[1][:300]
    assert f'href="/l/riverside/players/{member.id}"' in page  # the way to the profile
    assert f"/v/{card.token}/photo" not in page  # no request for a photo that is not there
    assert re.search(r'<span class="pcard-photo pcard-photo-none"[^>]*>MP</span>', page)
    widget = client.get(PAGE.format(member.id) + "/status?n=1&card=1")
    assert widget.status_code == 286 and "photo is missing" in widget.text

    # A new photo (the profile's change calls services.changed): made, and downloadable.
    get_storage().put(member.photo_key, jpeg(600, 750), "image/jpeg")
    with league_scope(league.id):
        services.changed(member.id)
        db.session.commit()
    assert _card(league, member).pdf_state == PdfState.READY
    page = client.get(PAGE.format(member.id)).text
    assert "Download the card (PDF)" in page and f"/v/{card.token}/photo" in page


def test_other_failures_are_tried_again_then_the_page_says_tell_the_league(
    client, login, make, league, parent, member
):
    """An unexpected error (here a damaged logo): while tries remain, the card shows
    "being made" (and the widget polls); after the last, the family is told to contact
    the league, and the league's admin sees the error itself."""
    league.contact_email = "office@riverside.example"
    db.session.commit()
    get_storage().put(league.logo_key, b"not an image", "image/png")
    _make(league, member)  # huey's first try (three more to come): it fails
    card = _card(league, member)
    assert card.pdf_state == PdfState.PENDING and card.pdf_error.startswith("error: ")
    assert services.pdf_failure(card) is None
    login(parent)
    page = client.get(PAGE.format(member.id)).text
    assert "Making Mia" in page and 'hx-trigger="every 2s"' in page

    with pytest.raises(UnidentifiedImageError):
        tasks.refresh_card.call_local(league.id, member.id)  # the last try: no task, no retry
    card = _card(league, member)
    assert card.pdf_state == PdfState.FAILED and services.pdf_failure(card) == "error"
    text = _text(client.get(PAGE.format(member.id)).text)
    assert "We could not make the printable card." in text
    assert "Tell your league at office@riverside.example" in text
    assert "UnidentifiedImageError" not in text  # the details are for the league

    login(make.member(league, Role.ADMIN, name="Maria Admin"))
    assert "UnidentifiedImageError" in client.get(PAGE.format(member.id)).text


def test_a_photo_that_fails_to_load_is_contained_and_replaced(
    client, login, league, parent, member
):
    """Even with the photo's URL on the page, a failed load cannot spill over the card:
    the image carries the initials card.js swaps in, and the style keeps its box."""
    tasks.refresh_card(league.id, member.id)
    login(parent)
    page = client.get(PAGE.format(member.id)).text
    assert re.search(r'<img class="pcard-photo"[^>]*data-initials="MP"', page)
    assert re.search(r'href="/static/css/card\.css[^"]*"', page)
    css = (Path(__file__).parents[2] / "static" / "css" / "card.css").read_text()
    rule = re.search(r"\.pcard-photo \{([^}]*)\}", css)[1]
    assert "overflow: hidden" in rule and "2.4rem" not in rule
