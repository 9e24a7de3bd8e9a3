"""Reads for the card page: where the player's card stands, and who has one.

The page and its "making your card" widget ask one question, `pdf_progress`,
so the first render and every poll agree on what the family sees: the PDF to
download, the PDF being made, or, when no card is due yet, the plain reason.

Which card of many players is current is asked here alone (`current_cards`,
`profiles_with_cards`): by the print page, the print sheets, the referee's
roster and the player lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.cards import services
from portal.cards.models import Card, PdfState
from portal.core.storage import StorageError, get_storage
from portal.extensions import db
from portal.players.models import PlayerProfile, ProfileStatus

BATCH = 500  # profile ids per query when asking about a list of players
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


def batched(items: Iterable, size: int) -> Iterator[list]:
    """`items` in lists of `size` (the last shorter); itertools.batched from Python 3.12."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _current(what, profile_ids: Iterable[int] | Select, *options) -> Iterator:
    """`what` (Card, or a column of it) of the current (not revoked) cards of these
    players: the one definition of "current card" for lists of players.

    A query of ids runs as one statement; a list runs in batches of `BATCH` ids, so a
    500-card sheet never sends one enormous IN list. `options` (eager loads) apply to
    each batch.
    """
    if isinstance(profile_ids, Select):
        batches: Iterable = [profile_ids]
    else:
        batches = batched(dict.fromkeys(int(i) for i in profile_ids), BATCH)
    for batch in batches:
        yield from db.session.scalars(
            select(what)
            .where(Card.profile_id.in_(batch), Card.revoked_at.is_(None))
            .options(*options)
        )


def current_cards(
    profile_ids: Iterable[int] | Select, *, with_profiles: bool = False
) -> dict[int, Card]:
    """The current card of each of these players that has one, by profile id.

    One query per `BATCH` players; `with_profiles` loads each card's profile and
    league too (two more), for what a printed card shows.
    """
    options = (
        (selectinload(Card.profile).selectinload(PlayerProfile.league),) if with_profiles else ()
    )
    return {card.profile_id: card for card in _current(Card, profile_ids, *options)}


def profiles_with_cards(profile_ids: Iterable[int] | Select) -> set[int]:
    """Which of these players have a current card: ids only, no card rows in memory
    (player lists, and a 500-card sheet's first pass). One query per `BATCH` players."""
    return set(_current(Card.profile_id, profile_ids))


def logo_size(league) -> tuple[int, int] | None:
    """The league logo's width and height in pixels (from its PNG header), for the
    home-screen icon; None without a readable logo.

    The storage can only hand over whole files, so the size is remembered by the
    logo's key: the key carries a hash of the logo, so a new logo is a new key and
    each logo is read once per process, not on every manifest request.
    """
    if not league.logo_key:
        return None
    try:
        return _png_size(league.logo_key)
    except StorageError:
        return None  # not remembered: a file missing now may be there on the next request


@lru_cache(maxsize=256)
def _png_size(key: str) -> tuple[int, int] | None:
    data = get_storage().get(key)
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
