"""Reads for the card page: where the player's card stands, and who has one.

The page and its "making your card" widget ask one question, `pdf_progress`,
so the first render and every poll agree on what the family sees: the PDF to
download, the PDF being made, or, when no card is due yet, the plain reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.cards import services
from portal.cards.models import Card, PdfState
from portal.core.storage import StorageError, get_storage
from portal.extensions import db
from portal.players.models import PlayerProfile, ProfileStatus

# Polls of the widget (every 2 s) before it stops and says it is taking long: ~5 minutes.
MAX_POLLS = 150


@dataclass(frozen=True)
class PdfProgress:
    """Where the printable card stands.

    `state`: "ready" (download it), "making" (poll), "failed" (the worker gave
    up), "slow" (polled too long), or, with no card due yet, "unverified"
    (the profile is not verified) or "unpaid" (no paid membership).
    """

    state: str
    card: Card | None = None

    @property
    def polling(self) -> bool:
        return self.state == "making"


def pdf_progress(profile: PlayerProfile, card: Card | None, polls: int = 0) -> PdfProgress:
    """What the widget shows for `profile` whose current card is `card`."""
    if card is None:
        if profile.status != ProfileStatus.VERIFIED:
            return PdfProgress("unverified")
        if not services.deserves_card(profile):
            return PdfProgress("unpaid")
        state = "making"  # due: the worker issues it with its PDF
    elif card.pdf_state == PdfState.READY and card.pdf_key:
        state = "ready"
    elif card.pdf_state == PdfState.FAILED:
        state = "failed"
    else:
        state = "making"  # PENDING, or issued and its first PDF not made yet
    if state == "making" and polls >= MAX_POLLS:
        state = "slow"
    return PdfProgress(state, card)


def profiles_with_cards(profile_ids) -> set[int]:
    """Which of these players have a current card (one query, for lists of players)."""
    ids = [int(i) for i in profile_ids]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Card.profile_id).where(Card.profile_id.in_(ids), Card.revoked_at.is_(None))
        )
    )


def logo_size(league) -> tuple[int, int] | None:
    """The league logo's width and height in pixels (from its PNG header), for the
    home-screen icon; None without a readable logo."""
    if not league.logo_key:
        return None
    try:
        data = get_storage().get(league.logo_key)
    except StorageError:
        return None
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def ink_on(hex_colour: str) -> str:
    """Which text, "dark" or "light", reads best on a league colour (WCAG luminance),
    so a league with a pale colour still gets a legible card header."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # White text wins while its contrast (1.05 / (L + 0.05)) beats black's ((L + 0.05) / 0.05).
    return "dark" if luminance > 0.179 else "light"
