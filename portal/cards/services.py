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
from portal.core.storage import StorageError, discard, get_storage, store
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
FAILURE_KINDS = ("photo_missing", "logo_missing", "error")


class MissingAsset(RuntimeError):
    """A file the card prints (the player's photo, the league's logo) is not in storage.
    Trying again will not bring it back: it has to be uploaded again."""

    def __init__(self, asset: str, key: str):
        super().__init__(f"the {asset} is missing from storage ({key})")
        self.asset = asset


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


def mark_pending(*profile_ids: int) -> None:
    """The cards show "being made" until the worker has looked at them (one query)."""
    cards = db.session.scalars(
        select(Card).where(Card.profile_id.in_(profile_ids), Card.revoked_at.is_(None))
    )
    for card in cards:
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


def changed(*profile_ids: int) -> None:
    """Something on these players' cards may have changed: refresh them after this
    commits (a renamed team: every player on it, still one query).

    The cards show "being made" at once; the worker then decides whether the
    content really changed.
    """
    if not profile_ids:
        return
    league_id = current_league_id()
    mark_pending(*profile_ids)

    def enqueue() -> None:
        from portal.cards.tasks import refresh_card

        for profile_id in profile_ids:
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
    _tell_the_family(card, digest)
    return card


def _assets(content: dict) -> dict[str, tuple[bytes, str]]:
    """The files the card prints; MissingAsset if one is not in storage."""
    wanted = {
        "photo": (content["photo_key"], "image/jpeg"),
        "logo": (content["league"]["logo_key"], "image/png"),
    }
    storage = get_storage()
    assets = {}
    for name, (key, mime_type) in wanted.items():
        if key:
            try:
                assets[name] = (storage.get(key), mime_type)
            except StorageError as error:
                raise MissingAsset(name, key) from error
    return assets


def print_shop_pdf(card: Card, today: date | None = None) -> bytes:
    """The card for a print shop (a 2 mm bleed and crop marks: render.card_pdf), showing
    what it shows today. Made on request and not stored: league admins ask for it
    rarely, and it takes a fraction of a second (plus loading WeasyPrint, about 2 s,
    the first time in a web process). MissingAsset if its photo or logo is missing."""
    from portal.cards.render import card_pdf  # WeasyPrint loads only where cards are made

    content = card_content(card, today or today_in(card.profile.league))
    return card_pdf(content, _assets(content), bleed=True)


def record_failure(profile: PlayerProfile, error: Exception, *, final: bool) -> Card | None:
    """The worker could not make the player's card PDF (its work rolled back). While it
    will try again (`final` False) the card stays "being made"; after its last try it is
    FAILED, and the page says why (`pdf_failure`). The error is kept for staff, its kind
    first. A card due but not issued yet is issued now: the card on the phone works
    without its PDF, and the failure has a card to be recorded on."""
    card = current_card(profile.id)
    if card is None and deserves_card(profile):
        card = issue(profile)
    if card is None:
        return None
    kind = f"{error.asset}_missing" if isinstance(error, MissingAsset) else "error"
    card.pdf_state = PdfState.FAILED if final else PdfState.PENDING
    card.pdf_error = f"{kind}: {type(error).__name__}: {error}"[:2000]
    return card


def pdf_failure(card: Card | None) -> str | None:
    """Why the worker gave up on the card's PDF: "photo_missing", "logo_missing" or
    "error" (anything else); None when it has not given up."""
    if card is None or card.pdf_state != PdfState.FAILED:
        return None
    kind = card.pdf_error.split(":", 1)[0]
    return kind if kind in FAILURE_KINDS else "error"


def _tell_the_family(card: Card, digest: str) -> None:
    """Email the family once per card, when its first PDF is made: the card is ready,
    whatever it says (valid, not yet valid, suspended...).

    A later PDF of the same card (a new status, a start date come, a new photo) sends
    nothing: the family already has the link, and the card on the phone is always up
    to date. A reissued card is a new card, with its own email. `notified_hash` keeps
    the content the email was sent for.
    """
    if card.notified_hash:
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
