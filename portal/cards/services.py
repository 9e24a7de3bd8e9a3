"""Issuing, reissuing and refreshing cards. Flush, never commit (jobs commit).

A player gets a card once their profile is verified and a membership has been
paid. From then on, anything that changes what the card shows (approval,
renewal, a new photo, a suspension) calls `changed()`, which asks the worker
to bring the card's PDF up to date; the PDF is named by a hash of its
content, so an unchanged card is never rendered twice.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta

from sqlalchemy import or_, select

from portal.cards.content import card_content, content_hash
from portal.cards.models import Card, PdfState
from portal.core.db import utcnow
from portal.core.mail import send_mail
from portal.core.storage import discard, get_storage, store
from portal.core.tenancy import current_league_id
from portal.core.transactions import after_commit
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus
from portal.players.models import PlayerProfile, ProfileStatus
from portal.players.services import today_in

log = logging.getLogger(__name__)
# What staff pick from when reissuing a card (the first is the default).
REISSUE_REASONS = ("Card lost", "New photo", "After a suspension", "Damaged card")
TOKEN_BYTES = 16  # 128 bits: unguessable, and a short URL keeps the QR code small


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def current_card(profile_id: int) -> Card | None:
    return db.session.scalars(
        select(Card).where(Card.profile_id == profile_id, Card.revoked_at.is_(None))
    ).first()


def card_by_token(token: str) -> Card | None:
    """Any card (current or revoked) by its token; the caller scopes the league."""
    return db.session.scalars(select(Card).where(Card.token == token)).first()


def deserves_card(profile: PlayerProfile) -> bool:
    """A verified profile with a paid membership (any term, current or not) has a card."""
    if profile.status != ProfileStatus.VERIFIED:
        return False
    return (
        db.session.scalar(
            select(Membership.id)
            .where(
                Membership.profile_id == profile.id,
                Membership.status.not_in((MembershipStatus.PENDING_PAYMENT,)),
                Membership.activated_at.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


def issue(profile: PlayerProfile) -> Card:
    """The player's current card, issuing one if they have none."""
    card = current_card(profile.id)
    if card is None:
        card = Card(league_id=profile.league_id, profile=profile, token=new_token())
        db.session.add(card)
        db.session.flush()
    return card


def reissue(card: Card, reason: str) -> Card:
    """A new card with a new token; the old one answers "revoked: a newer card exists"."""
    card.revoked_at = utcnow()
    card.revoked_reason = reason.strip() or "Replaced by a new card"
    db.session.flush()
    fresh = Card(league_id=card.league_id, profile_id=card.profile_id, token=new_token())
    db.session.add(fresh)
    db.session.flush()
    changed(card.profile_id)
    return fresh


def mark_pending(profile_id: int) -> None:
    """The card shows "being made" until the worker has looked at it."""
    card = current_card(profile_id)
    if card is not None:
        card.pdf_state = PdfState.PENDING


def turning_today(today: date) -> list[int]:
    """Players (of the league in scope) whose card's status turns with the date today:
    a term starts, a term ended yesterday, or a suspension ended yesterday."""
    yesterday = today - timedelta(days=1)
    return list(
        db.session.scalars(
            select(Membership.profile_id)
            .join(Card, (Card.profile_id == Membership.profile_id) & Card.revoked_at.is_(None))
            .where(
                Membership.activated_at.is_not(None),
                or_(
                    Membership.starts_on == today,
                    Membership.ends_on == yesterday,
                    Membership.suspended_until == yesterday,
                ),
            )
            .distinct()
        )
    )


def changed(profile_id: int) -> None:
    """Something on the player's card may have changed: refresh it after this commits.

    The card shows "being made" at once; the worker then decides whether the
    content really changed.
    """
    league_id = current_league_id()
    mark_pending(profile_id)

    def enqueue() -> None:
        from portal.cards.tasks import refresh_card

        refresh_card(league_id, profile_id)

    after_commit(enqueue)


def refresh(profile: PlayerProfile, today: date | None = None) -> Card | None:
    """Bring the player's card up to date: issue it if now deserved, and make its PDF
    if the content changed. Returns the card (None: no card is deserved yet)."""
    card = current_card(profile.id)
    if card is None:
        if not deserves_card(profile):
            return None
        card = issue(profile)
    today = today or today_in(profile.league)
    content = card_content(card, today)
    digest = content_hash(content)
    card.content_hash = digest
    if card.pdf_hash == digest and card.pdf_key:
        card.pdf_state = PdfState.READY  # nothing printed changed: no new PDF
        return card
    old_key = card.pdf_key
    from portal.cards.render import card_pdf  # WeasyPrint loads only where cards are made

    key = f"private/leagues/{card.league_id}/cards/{card.id}-{digest[:20]}.pdf"
    card.pdf_key = store(key, card_pdf(content, _assets(content)), "application/pdf")
    card.pdf_hash, card.pdf_state, card.pdf_error = digest, PdfState.READY, ""
    if old_key and old_key != card.pdf_key:
        discard(old_key)
    _tell_the_family(card, content, digest)
    return card


def _assets(content: dict) -> dict[str, tuple[bytes, str]]:
    storage = get_storage()
    assets = {}
    if content["photo_key"]:
        assets["photo"] = (storage.get(content["photo_key"]), "image/jpeg")
    if content["league"]["logo_key"]:
        assets["logo"] = (storage.get(content["league"]["logo_key"]), "image/png")
    return assets


def _tell_the_family(card: Card, content: dict, digest: str) -> None:
    """Email when a usable card is ready (not for a suspended or expired one)."""
    if card.notified_hash == digest or content["status"] not in ("valid", "not_yet_valid"):
        return
    card.notified_hash = digest
    profile = card.profile
    send_mail(
        profile.guardian.email,
        f"{profile.first_name}'s player card is ready",
        "card_ready",
        profile=profile,
        league=profile.league,
        link=absolute_url("l.cards.mine", league_slug=profile.league.slug, profile_id=profile.id),
    )
