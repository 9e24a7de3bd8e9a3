"""Cards follow the changes they print: approval, payment, suspension, the league's look,
and the calendar. The worker (run at once in tests) remakes the PDF after each commit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.cards import services, tasks
from portal.cards.models import PdfState
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.leagues import services as league_services
from portal.memberships import lifecycle
from portal.memberships.models import Membership, MembershipStatus
from portal.players import reviews
from portal.players.models import PlayerProfile, ProfileStatus
from tests.cards.conftest import add_term


def _card(league, profile_id):
    with league_scope(league.id):
        card = services.current_card(profile_id)
        return card and (card.pdf_state, card.pdf_key, card.content_hash)


def test_approval_of_a_paid_player_makes_their_card(make, league, parent, outbox):
    """Does the registrar's approval issue the card and make its PDF, and tell the family?"""
    registrar = make.user("reg@example.com")
    profile = make.profile(league, parent, first_name="Ana", status=ProfileStatus.SUBMITTED)
    add_term(league, profile, make.plan(league, "Spring"))
    assert _card(league, profile.id) is None
    with league_scope(league.id):
        reviews.approve(db.session.get(PlayerProfile, profile.id), registrar)
        db.session.commit()
    state, key, _ = _card(league, profile.id)
    assert state == PdfState.READY and key.endswith(".pdf")
    assert "Ana's player card is ready" in [m["Subject"] for m in outbox()]


def test_activation_after_payment_makes_the_card(make, league, player):
    """A verified player's paid term (activation) issues the card."""
    term = add_term(
        league,
        player,
        make.plan(league, "Spring"),
        status=MembershipStatus.PENDING_PAYMENT,
        activated_at=None,
    )
    with league_scope(league.id):
        assert lifecycle.activate(db.session.get(Membership, term.id))
        db.session.commit()
    assert _card(league, player.id)[0] == PdfState.READY


def test_suspension_and_lift_remake_the_card(league, member):
    with league_scope(league.id):
        services.refresh(db.session.get(PlayerProfile, member.id))
        db.session.commit()
    _, key, digest = _card(league, member.id)
    with league_scope(league.id):
        term = db.session.scalars(select(Membership)).one()
        lifecycle.suspend(term, "Red card", None)
        db.session.commit()
    state, suspended_key, suspended_digest = _card(league, member.id)
    assert state == PdfState.READY and suspended_digest != digest and suspended_key != key
    with league_scope(league.id):
        lifecycle.lift(db.session.scalars(select(Membership)).one())
        db.session.commit()
    assert _card(league, member.id)[2] == digest  # the same content as before: same hash


def test_new_league_colours_remake_every_card(league, member):
    with league_scope(league.id):
        services.refresh(db.session.get(PlayerProfile, member.id))
        db.session.commit()
    _, key, digest = _card(league, member.id)
    with league_scope(league.id):
        league_services.update_league(db.session.merge(league), primary_color="#7c3aed")
        db.session.commit()
    _, new_key, new_digest = _card(league, member.id)
    assert new_digest != digest and new_key != key


def test_an_unrelated_league_change_leaves_cards_alone(league, member):
    with league_scope(league.id):
        services.refresh(db.session.get(PlayerProfile, member.id))
        db.session.commit()
    before = _card(league, member.id)
    with league_scope(league.id):
        league_services.update_league(db.session.merge(league), description="New text")
        db.session.commit()
    assert _card(league, member.id) == before


def test_cards_turning_with_the_calendar(make, league, member, parent):
    """Which cards change status today: a term starting today, one that ended yesterday."""
    today = date.today()
    later = make.profile(league, parent, first_name="Zoe", status=ProfileStatus.VERIFIED)
    add_term(league, later, make.plan(league, "Summer"), starts=today, ends=today + timedelta(90))
    with league_scope(league.id):
        for profile_id in (member.id, later.id):
            services.refresh(db.session.get(PlayerProfile, profile_id))
        db.session.commit()
        assert services.turning_today(today) == [later.id]
        assert services.turning_today(today + timedelta(91)) == [later.id]
        assert services.turning_today(today + timedelta(5)) == []
    assert tasks.refresh_cards_turning_today.call_local() >= 1


def test_nightly_expiry_remakes_the_card(league, member):
    with league_scope(league.id):
        services.refresh(db.session.get(PlayerProfile, member.id))
        db.session.commit()
    digest = _card(league, member.id)[2]
    with league_scope(league.id):
        assert lifecycle.expire_due(date.today() + timedelta(days=400)) == 1
        db.session.commit()
    assert _card(league, member.id)[2] != digest
