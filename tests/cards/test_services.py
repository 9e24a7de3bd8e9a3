"""Issuing cards and making their PDFs: once per content, again when it changes."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

from sqlalchemy import select

from portal.cards import services
from portal.cards.models import Card, PdfState
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships import lifecycle
from portal.memberships.models import Membership
from portal.players.models import ProfileStatus
from tests.cards.conftest import add_term
from tests.dbutil import selects, sql_statements


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


def test_changed_marks_every_players_card_in_one_query(make, league, parent, member):
    """Does a renamed team mark all its players' cards "being made" in one query?"""
    plan = make.plan(league, "Autumn")
    kids = [member]
    for name in ("Ava", "Noa"):
        kid = make.profile(
            league, parent, first_name=name, last_name="Parent", status=ProfileStatus.VERIFIED
        )
        add_term(league, kid, plan)
        kids.append(kid)
    with league_scope(league.id):
        for kid in kids:
            services.issue(kid).pdf_state = PdfState.READY
        ids = [kid.id for kid in kids]
        db.session.commit()
        with sql_statements() as statements:
            services.changed(*ids)
            db.session.flush()
        states = [services.current_card(i).pdf_state for i in ids]
        db.session.rollback()
    assert states == [PdfState.PENDING] * 3
    assert len(selects(statements)) == 1


def _subjects(outbox) -> list[str]:
    return [m["Subject"] for m in outbox()]


def test_a_card_not_yet_valid_is_announced_once_and_not_again_on_its_start_date(
    make, league, player, outbox
):
    """A term that starts later: the family hears "ready" when the first PDF is made, and
    nothing more when the start date comes and the card (and its PDF) turns VALID."""
    start = date.today() + timedelta(days=10)
    add_term(league, player, make.plan(league, "Summer"), starts=start, ends=start + timedelta(90))
    card = _refresh(league, player)
    first_pdf = card.pdf_key
    assert card.pdf_state == PdfState.READY
    assert _subjects(outbox) == ["Mia's player card is ready"]
    with league_scope(league.id):
        later = services.refresh(db.session.get(type(player), player.id), today=start)
        db.session.commit()
        assert later.pdf_key != first_pdf  # VALID now: a new PDF...
    assert _subjects(outbox) == ["Mia's player card is ready"]  # ...and no second email


def test_a_suspended_card_is_announced_once_and_its_lift_sends_nothing(league, member, outbox):
    """A card first made while suspended is still the family's card: one "ready" email,
    and none when the suspension is lifted (the status changes, the card does not)."""
    with league_scope(league.id):
        lifecycle.suspend(db.session.scalars(select(Membership)).one(), "Red card", None)
        db.session.commit()
    card = _refresh(league, member)
    assert card.pdf_state == PdfState.READY
    assert _subjects(outbox) == ["Mia's player card is ready"]
    with league_scope(league.id):
        lifecycle.lift(db.session.scalars(select(Membership)).one())
        db.session.commit()
    _refresh(league, member)
    assert _subjects(outbox) == ["Mia's player card is ready"]


def test_a_reissued_card_is_a_new_card_with_its_own_email(league, member, outbox):
    card = _refresh(league, member)
    with league_scope(league.id):
        services.reissue(db.session.get(Card, card.id), "Card lost")
        db.session.commit()
    assert _subjects(outbox) == ["Mia's player card is ready"] * 2
