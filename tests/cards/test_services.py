"""Issuing cards and making their PDFs: once per content, again when it changes."""

from __future__ import annotations

import subprocess

from sqlalchemy import select

from portal.cards import services
from portal.cards.models import Card, PdfState
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships import lifecycle
from portal.memberships.models import Membership
from portal.players.models import ProfileStatus


def _refresh(league, profile):
    with league_scope(league.id):
        card = services.refresh(db.session.get(type(profile), profile.id))
        db.session.commit()
        return card


def test_no_card_before_verification_and_payment(make, league, parent, player):
    """Is a card issued only once the profile is verified and a membership is paid?"""
    draft = make.profile(league, parent, first_name="Leo")
    assert _refresh(league, draft) is None
    assert _refresh(league, player) is None  # verified, but nothing paid yet


def test_card_pdf_is_made_once_per_content(league, member, outbox, tmp_path):
    """Is the PDF stored under its content hash, not remade when nothing changed, and the
    family told once?"""
    card = _refresh(league, member)
    assert card.pdf_state == PdfState.READY and card.pdf_key.endswith(".pdf")
    first_key = card.pdf_key
    pdf = get_storage().get(first_key)
    assert pdf.startswith(b"%PDF")
    again = _refresh(league, member)
    assert again.pdf_key == first_key  # unchanged content: no new PDF
    assert [m["Subject"] for m in outbox()] == ["Mia's player card is ready"]
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "Pages:           2" in info and "242.646 x 153.071 pts" in info  # 85.6 x 54 mm


def test_a_suspension_remakes_the_card(league, member):
    card = _refresh(league, member)
    old_key = card.pdf_key
    with league_scope(league.id):
        term = db.session.scalars(select(Membership)).one()
        lifecycle.suspend(term, "Red card", None)
        db.session.commit()
    card = _refresh(league, member)
    assert card.pdf_key != old_key
    assert not get_storage().exists(old_key)  # the replaced PDF is gone


def test_reissue_revokes_the_old_token(league, member):
    card = _refresh(league, member)
    with league_scope(league.id):
        old = db.session.get(Card, card.id)
        fresh = services.reissue(old, "Lost at the park")
        db.session.commit()
        assert old.revoked and old.revoked_reason == "Lost at the park"
        assert fresh.token != old.token and services.current_card(member.id).id == fresh.id


def test_tokens_are_long_and_random(league, member):
    card = _refresh(league, member)
    assert len(card.token) >= 22  # 16 random bytes: 128 bits
    assert len({services.new_token() for _ in range(1000)}) == 1000


def test_unverified_again_shows_pending_on_the_card(league, member):
    """When a locked field changes after verification, does the card's content change?"""
    before = _refresh(league, member).content_hash
    with league_scope(league.id):
        profile = db.session.get(type(member), member.id)
        profile.status = ProfileStatus.SUBMITTED
        db.session.commit()
    assert _refresh(league, member).content_hash != before
