"""Print sheets: many cards on US Letter or A4, ten to a page, with crop marks.

The cards are the same front and back as the single card (templates/cards/
_card.html), placed at their real ID-1 size (85.6 x 54 mm) in a centred grid
of 2 columns x 5 rows (see sheet_layout.py for the grid and its crop marks).
Double-sided sheets follow each page of fronts with a page of backs whose
columns are swapped: printed duplex and flipped on the long edge, the back of
each card lands behind its front.

One player's problem never costs the admin the whole sheet: a card that cannot
be made (its photo is missing from storage or unreadable, or WeasyPrint fails
on it) is left out, and the sheet says who and why in words an admin can act
on (`LeftOut`); the rest print. Photos are fetched and checked before a chunk
is laid out, so a player left out leaves no hole in the grid. A chunk that
fails in WeasyPrint is drawn again card by card in this process to find the
culprit. Only when nothing at all could be printed does the sheet fail
(`SheetError`, with the reasons).

500 cards would be 100 pages in one WeasyPrint pass, holding every page's
layout and photo in memory at once. So cards are laid out a few pages at a
time and the chunks joined with pdfium (already a dependency), which keeps
memory flat whatever the size of the batch, lets a job report progress, and
lets two processes share the work (see sheet_pdf.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from flask import current_app, get_template_attribute, render_template
from markupsafe import Markup
from PIL import Image, UnidentifiedImageError

from portal.cards.card_queries import batched, current_cards, profiles_with_cards
from portal.cards.content import card_contents
from portal.cards.models import Card
from portal.cards.render import CARD_SIZE_MM, name_size_pt, pdf_from_html, print_logo
from portal.cards.sheet_layout import (  # noqa: F401 (the sheet's layout, from here too)
    COLUMNS,
    MARK_WIDTH_MM,
    PAPERS,
    PER_PAGE,
    ROWS,
    Layout,
    Paper,
    layout,
    mirrored,
    sheet_pages,
)
from portal.cards.sheet_pdf import PROCESSES, Assets, Document, Renderer
from portal.cards.sheet_roster import Printed, roster_documents
from portal.cards.team_queries import roster_order
from portal.core.storage import StorageError, get_storage
from portal.core.tenancy import league_scope
from portal.players.services import today_in

CHUNK_CARDS = 20  # cards per WeasyPrint document (two pages of fronts)
Progress = Callable[[int, int], None]

# Why a card was left out, for the admin: what happened, then what to do about it.
PHOTO_MISSING = "their photo is missing; ask the family to upload it again"
PHOTO_UNREADABLE = "their photo cannot be opened; ask the family to upload it again"
NOT_DRAWN = "their card could not be drawn ({error}); try again, and report it if it happens again"
LOGO_MISSING = (
    "The league's logo is missing from storage, so the cards were printed without it; "
    "upload it again in the league's settings."
)


class SheetError(ValueError):
    """Nothing could be printed; the message is for the admin, `left_out` says who."""

    def __init__(self, message: str, left_out: list[LeftOut] | None = None):
        super().__init__(message)
        self.left_out = left_out or []


@dataclass(frozen=True)
class LeftOut:
    """A player whose card is not on the sheet, and why (see the reasons above)."""

    profile_id: int
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name} \u2014 {self.reason}"


@dataclass
class Sheet:
    pdf: bytes
    printed: int  # cards on the sheet
    left_out: list[LeftOut] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the whole sheet (a missing logo)


@dataclass
class Entry:
    """A card going on the sheet: what it shows, and its photo, already checked."""

    card: Card
    content: dict
    photo: bytes | None


def printable(profile_ids: Iterable[int]) -> list[int]:
    """The players among `profile_ids` that have a current card, in the order given
    (ids only, asked in batches: a 500-card sheet keeps no card rows for this)."""
    wanted = list(dict.fromkeys(profile_ids))
    with_card = profiles_with_cards(wanted)
    return [profile_id for profile_id in wanted if profile_id in with_card]


def build_sheet(league, profile_ids: Iterable[int], **options) -> bytes:
    """The PDF of `make_sheet` (players whose card cannot be made are left out)."""
    return make_sheet(league, profile_ids, **options).pdf


def make_sheet(
    league,
    profile_ids: Iterable[int],
    *,
    paper: str = "letter",
    double_sided: bool = False,
    with_roster: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
) -> Sheet:
    """One PDF with the current cards of `profile_ids` (players without a card are left
    out silently, those whose card cannot be made are listed), ten to a page, backs
    mirrored after each page if `double_sided`, then a roster per team if `with_roster`.

    `progress(done, total)` is called (in this thread) as cards are rendered. Needs an
    app context (no request); a sheet of more than one chunk is rendered by
    `SHEET_PROCESSES` worker processes (config, default 2). Raises SheetError if no
    card could be printed.
    """
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}")
    with league_scope(league.id):
        today = today or today_in(league)
        ids = printable(profile_ids)
        if not ids:
            raise SheetError("None of these players has a card to print.")
        sheet = Sheet(b"", 0)
        grid, logo = layout(paper), _logo(league, sheet.notes)
        report = (
            (lambda done: progress(min(done + len(sheet.left_out), len(ids)), len(ids)))
            if progress
            else None
        )
        printed: dict[int, Printed] = {}
        many = len(ids) > CHUNK_CARDS
        processes = current_app.config.get("SHEET_PROCESSES", PROCESSES) if many else 1
        with Renderer(processes, on_rendered=report) as renderer:
            for chunk in _chunks(ids, today, logo is not None, sheet.left_out):
                printed.update((entry.card.profile_id, _printed(entry)) for entry in chunk)
                redraw = partial(_redraw, chunk, grid, double_sided, logo, sheet, printed)
                renderer.submit(
                    *_cards_document(chunk, grid, double_sided, logo),
                    cards=len(chunk),
                    retry=redraw,
                )
            renderer.settle()  # every card drawn or left out: the rosters list what printed
            if not printed:
                raise SheetError(_nothing_printed(sheet.left_out), sheet.left_out)
            if with_roster:
                rosters = roster_documents(league, printed.values(), grid.paper, logo, today)
                for team, document in rosters:
                    renderer.submit(*document, retry=partial(_no_roster, team, sheet.notes))
            sheet.pdf, sheet.printed = renderer.join(even=double_sided), len(printed)
            return sheet


def _no_roster(team: str, notes: list[str], error: Exception) -> None:
    """A team's roster failed in WeasyPrint: the sheet goes without it, with a note."""
    notes.append(
        f"The roster of {team} could not be made ({type(error).__name__}: {error}"[:300]
        + "); every card is on the sheet. Try again for the roster, and report it if it "
        "happens again."
    )


def _nothing_printed(left_out: list[LeftOut]) -> str:
    shown = "; ".join(str(entry) for entry in left_out[:3])
    more = f"; and {len(left_out) - 3} more" if len(left_out) > 3 else ""
    return f"No card could be printed. Left out: {shown}{more}."


def _chunks(
    ids: list[int], today: date, with_logo: bool, left_out: list[LeftOut]
) -> Iterator[list[Entry]]:
    """The cards to print in chunks of CHUNK_CARDS, each with its photo; a player whose
    photo is missing or unreadable goes to `left_out`, and the next card takes the slot."""
    ready: list[Entry] = []
    for batch in batched(ids, CHUNK_CARDS):
        for card, content in _contents(batch, today):
            if not with_logo:
                content["league"]["logo_key"] = None
            photo, problem = _photo(content["photo_key"])
            if problem:
                left_out.append(LeftOut(card.profile_id, content["name"], problem))
            else:
                ready.append(Entry(card, content, photo))
        while len(ready) >= CHUNK_CARDS:
            yield ready[:CHUNK_CARDS]
            ready = ready[CHUNK_CARDS:]
    if ready:
        yield ready


def _contents(profile_ids: list[int], today: date) -> list[tuple[Card, dict]]:
    """The current card of each player (in the order given) and what it shows, read
    with a handful of queries for the whole chunk."""
    by_profile = current_cards(profile_ids, with_profiles=True)
    ordered = [by_profile[pid] for pid in profile_ids if pid in by_profile]
    return list(zip(ordered, card_contents(ordered, today), strict=True))


def _photo(key: str | None) -> tuple[bytes | None, str | None]:
    """The card photo's bytes, or why it cannot go on a card. A card without a photo
    (none was ever asked for) prints with an empty frame, as the single card does."""
    if not key:
        return None, None
    try:
        data = get_storage().get(key)
    except StorageError:
        return None, PHOTO_MISSING
    return (data, None) if _readable(data) else (None, PHOTO_UNREADABLE)


def _readable(data: bytes) -> bool:
    """Whether WeasyPrint can show the photo: an image Pillow recognises (the header
    only, so cheap), and a JPEG that is not cut short (WeasyPrint copies a JPEG into the
    PDF without decoding it: a truncated one would print as a grey box or not at all)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
    except (UnidentifiedImageError, OSError, ValueError):
        return False
    return kind != "JPEG" or data.rstrip(b"\0")[-2:] == b"\xff\xd9"


def _redraw(
    chunk: list[Entry],
    grid: Layout,
    double_sided: bool,
    logo,
    sheet: Sheet,
    printed: dict[int, Printed],
    error: Exception,
) -> Document | None:
    """A chunk failed in WeasyPrint: draw each of its cards alone (here) to find those
    that fail, leave them out, and give the chunk back without them (None if none is
    left). If every card draws alone, the fault is not one card's: the error stands."""
    good = []
    for entry in chunk:
        try:
            html, assets, css, codes = _cards_document([entry], grid, double_sided, logo)
            pdf_from_html(html, assets, css, codes=codes)
        except Exception as problem:  # any fault in this card's drawing: leave it out
            reason = NOT_DRAWN.format(error=f"{type(problem).__name__}: {problem}"[:300])
            sheet.left_out.append(LeftOut(entry.card.profile_id, entry.content["name"], reason))
            printed.pop(entry.card.profile_id, None)
        else:
            good.append(entry)
    if len(good) == len(chunk):
        raise error
    return (*_cards_document(good, grid, double_sided, logo), len(good)) if good else None


def _printed(entry: Entry) -> Printed:
    profile, content = entry.card.profile, entry.content
    return Printed(
        profile.id,
        content["name"],
        content["team"],
        content["shirt"],
        content["member_number"],
        content["status"],
        content["status_word"],
        content["valid_through"],
        tuple(key for key in (profile.photo_thumb_key, profile.photo_key) if key),
        roster_order(content["shirt"], profile),
    )


def _logo(league, notes: list[str]) -> tuple[bytes, str] | None:
    """The logo as cards print it (flattened and small: decoded once, not per card). A
    logo gone from storage or unreadable prints no logo, with a note, rather than no
    sheet."""
    if not league.logo_key:
        return None
    try:
        return print_logo(get_storage().get(league.logo_key)), "image/jpeg"
    except (StorageError, UnidentifiedImageError, OSError):
        notes.append(LOGO_MISSING)
        return None


def _card_faces(index: int, profile_id: int, content: dict) -> tuple[Markup, Markup]:
    """The card's front and back markup, its photo renamed to the player's own asset
    and its QR places given ids of their own (qr-<index>-front, -back).

    The shared macros name the photo `asset:photo` (one card per document); on a
    sheet every card needs its own name.
    """
    front = get_template_attribute("cards/_card.html", "front")
    back = get_template_attribute("cards/_card.html", "back")
    name_pt = name_size_pt(content["name"])
    photo = f"photo-{profile_id}"
    return front(content, name_pt, f"qr-{index}-front", photo), back(content, f"qr-{index}-back")


def sheet_css(grid: Layout, card: dict) -> str:
    """The sheet's stylesheet: the same text for every chunk of a league's sheet, so the
    renderer parses it once and keeps it (see render.stylesheet)."""
    return render_template("cards/print/_sheet_css.html", grid=grid, card=card, size=CARD_SIZE_MM)


def _cards_document(
    entries: list[Entry], grid: Layout, double_sided: bool, logo
) -> tuple[str, Assets, str, dict[str, str]]:
    """The chunk's HTML, assets, stylesheet and QR codes (element id -> URL)."""
    faces = [
        _card_faces(index, entry.card.profile_id, entry.content)
        for index, entry in enumerate(entries)
    ]
    pages = [
        [(slot, faces[index][0 if side == "front" else 1]) for slot, side, index in page]
        for page in sheet_pages(len(entries), double_sided)
    ]
    html = render_template(
        "cards/print/sheet.html", grid=grid, pages=pages, mark_width=MARK_WIDTH_MM
    )
    assets: Assets = {
        f"photo-{entry.card.profile_id}": (entry.photo, "image/jpeg")
        for entry in entries
        if entry.photo is not None
    }
    if logo:
        assets["logo"] = logo
    sides = ("front", "back") if double_sided else ("front",)
    codes = {
        f"qr-{index}-{side}": entry.content["verify_url"]
        for index, entry in enumerate(entries)
        for side in sides
    }
    return html, assets, sheet_css(grid, entries[0].content), codes
