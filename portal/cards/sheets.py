"""Print sheets: many cards on US Letter or A4, ten to a page, with crop marks.

The cards are the same front and back as the single card (templates/cards/
_card.html), placed at their real ID-1 size (85.6 x 54 mm) in a centred grid
of 2 columns x 5 rows. Crop marks sit outside the cards, in the margins and
the gap between the columns, where a cut line meets the edge of the grid.

Double-sided sheets follow each page of fronts with a page of backs whose
columns are swapped: printed duplex and flipped on the long edge, the back of
each card lands behind its front. The grid is centred, so a mirrored slot is
the same slot with its column swapped.

500 cards would be 100 pages in one WeasyPrint pass, holding every page's
layout and photo in memory at once. So cards are laid out a few pages at a
time and the chunks joined with pdfium (already a dependency), which keeps
memory flat whatever the size of the batch, lets a job report progress, and
lets two processes share the work (see sheet_pdf.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice

from flask import current_app, get_template_attribute, render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.cards.content import card_contents
from portal.cards.models import Card
from portal.cards.render import CARD_SIZE_MM, name_size_pt, print_logo
from portal.cards.sheet_pdf import PROCESSES, Assets, Renderer
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players.models import PlayerProfile
from portal.players.services import today_in

COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
COLUMN_GAP_MM = 4.0  # room for crop marks between the columns, and for duplex drift
MARK_OFFSET_MM = 1.0  # marks stop short of the card, so a cut never shows one
MARK_LENGTH_MM = 4.0
MARK_WIDTH_MM = 0.12
CHUNK_CARDS = 20  # cards per WeasyPrint document (two pages of fronts)
ROSTER_CHUNK = 60  # players per roster document
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Paper:
    key: str
    label: str
    size: str  # as people say it
    width: float  # mm
    height: float


PAPERS = {
    "letter": Paper("letter", "US Letter", "8.5 \u00d7 11 in", 215.9, 279.4),
    "a4": Paper("a4", "A4", "210 \u00d7 297 mm", 210.0, 297.0),
}


@dataclass(frozen=True)
class Layout:
    """Where each of the ten slots sits on the page, and the crop marks (mm)."""

    paper: Paper
    slots: tuple[tuple[float, float], ...]  # (left, top), row by row
    marks: tuple[tuple[float, float, float, float], ...]  # (x1, y1, x2, y2)


def layout(paper: str) -> Layout:
    """The centred 2 x 5 grid on `paper`, with crop marks at every cut line."""
    sheet = PAPERS[paper]
    width, height = CARD_SIZE_MM
    left = (sheet.width - COLUMNS * width - (COLUMNS - 1) * COLUMN_GAP_MM) / 2
    top = (sheet.height - ROWS * height) / 2
    xs = [left + column * (width + COLUMN_GAP_MM) for column in range(COLUMNS)]
    slots = tuple((x, top + row * height) for row in range(ROWS) for x in xs)
    right, bottom = xs[-1] + width, top + ROWS * height
    marks = []
    # Vertical cut lines (each column's two edges): marks above and below the grid.
    for edge in [x + offset for x in xs for offset in (0, width)]:
        for start, direction, room in ((top, -1, top), (bottom, 1, sheet.height - bottom)):
            length = min(MARK_LENGTH_MM, room - MARK_OFFSET_MM - 0.3)
            begin = start + direction * MARK_OFFSET_MM
            marks.append((edge, begin, edge, begin + direction * length))
    # Horizontal cut lines (rows abut): marks left and right of the grid, and in the gap.
    for y in (top + row * height for row in range(ROWS + 1)):
        length = min(MARK_LENGTH_MM, left - MARK_OFFSET_MM - 0.3)
        marks.append((left - MARK_OFFSET_MM, y, left - MARK_OFFSET_MM - length, y))
        marks.append((right + MARK_OFFSET_MM, y, right + MARK_OFFSET_MM + length, y))
        for column in range(COLUMNS - 1):
            gap_from, gap_to = xs[column] + width, xs[column + 1]
            if gap_to - gap_from > 2 * MARK_OFFSET_MM:
                marks.append((gap_from + MARK_OFFSET_MM, y, gap_to - MARK_OFFSET_MM, y))
    return Layout(sheet, slots, tuple(marks))


def mirrored(slot: int) -> int:
    """The slot behind `slot` when the sheet is flipped on its long edge."""
    row, column = divmod(slot, COLUMNS)
    return row * COLUMNS + (COLUMNS - 1 - column)


def sheet_pages(count: int, double_sided: bool) -> list[list[tuple[int, str, int]]]:
    """The pages for `count` cards: each a list of (slot, side, card index)."""
    pages = []
    for first in range(0, count, PER_PAGE):
        indexes = range(first, min(first + PER_PAGE, count))
        pages.append([(i - first, "front", i) for i in indexes])
        if double_sided:
            pages.append([(mirrored(i - first), "back", i) for i in indexes])
    return pages


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# -- building a sheet ---------------------------------------------------------------


@dataclass
class Printed:
    """What the roster needs of a printed card (kept small: 500 of them stay in memory)."""

    profile_id: int
    name: str
    team: str | None
    shirt: str | None
    member_number: str
    status: str
    status_word: str
    valid_through: str | None
    thumb_key: str | None


def printable(profile_ids: Iterable[int]) -> list[int]:
    """The players among `profile_ids` that have a current card, in the order given."""
    wanted = list(dict.fromkeys(profile_ids))
    with_card = set()
    for batch in _batched(wanted, 500):
        with_card.update(
            db.session.scalars(
                select(Card.profile_id).where(Card.profile_id.in_(batch), Card.revoked_at.is_(None))
            )
        )
    return [profile_id for profile_id in wanted if profile_id in with_card]


def build_sheet(
    league,
    profile_ids: Iterable[int],
    *,
    paper: str = "letter",
    double_sided: bool = False,
    with_roster: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
) -> bytes:
    """One PDF with the current cards of `profile_ids` (players without a card are left
    out), ten to a page, backs mirrored after each page if `double_sided`, then a
    roster page per team if `with_roster`.

    `progress(done, total)` is called (in this thread) as cards are rendered. Needs an
    app context (no request); a sheet of more than one chunk is rendered by
    `SHEET_PROCESSES` worker processes (config, default 2).
    """
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}")
    with league_scope(league.id):
        today = today or today_in(league)
        ids = printable(profile_ids)
        if not ids:
            raise ValueError("none of these players has a card to print")
        grid, logo = layout(paper), _logo(league)
        chunks = list(_batched(ids, CHUNK_CARDS))
        report = (lambda done: progress(done, len(ids))) if progress else None
        printed: list[Printed] = []
        processes = current_app.config.get("SHEET_PROCESSES", PROCESSES) if len(chunks) > 1 else 1
        with Renderer(processes, on_rendered=report) as renderer:
            for chunk in chunks:
                contents = _contents(chunk, today)
                renderer.submit(
                    *_cards_document(contents, grid, double_sided, logo), cards=len(contents)
                )
                printed += [_printed(card, content) for card, content in contents]
            if with_roster:
                for document in _roster_documents(
                    league, printed, grid.paper, double_sided, logo, today
                ):
                    renderer.submit(*document)
            return renderer.join(even=double_sided)


def _contents(profile_ids: list[int], today: date) -> list[tuple[Card, dict]]:
    """The current card of each player (in the order given) and what it shows, read
    with a handful of queries for the whole chunk."""
    cards = db.session.scalars(
        select(Card)
        .where(Card.profile_id.in_(profile_ids), Card.revoked_at.is_(None))
        .options(selectinload(Card.profile).selectinload(PlayerProfile.league))
    ).all()
    by_profile = {card.profile_id: card for card in cards}
    ordered = [by_profile[pid] for pid in profile_ids if pid in by_profile]
    return list(zip(ordered, card_contents(ordered, today), strict=True))


def _printed(card: Card, content: dict) -> Printed:
    profile = card.profile
    return Printed(
        profile.id,
        content["name"],
        content["team"],
        content["shirt"],
        content["member_number"],
        content["status"],
        content["status_word"],
        content["valid_through"],
        profile.photo_thumb_key or profile.photo_key,
    )


def _logo(league) -> tuple[bytes, str] | None:
    """The logo as cards print it (flattened and small: decoded once, not per card)."""
    if not league.logo_key:
        return None
    return print_logo(get_storage().get(league.logo_key)), "image/jpeg"


def _assets(photo_keys: dict[int, str | None], logo) -> Assets:
    """Each player's photo under its own asset name (photo-<profile id>), and the logo."""
    storage = get_storage()
    assets = {
        f"photo-{pid}": (storage.get(key), "image/jpeg") for pid, key in photo_keys.items() if key
    }
    if logo:
        assets["logo"] = logo
    return assets


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
    contents: list[tuple[Card, dict]], grid: Layout, double_sided: bool, logo
) -> tuple[str, Assets, str, dict[str, str]]:
    """The chunk's HTML, assets, stylesheet and QR codes (element id -> URL)."""
    faces = [
        _card_faces(index, card.profile_id, content)
        for index, (card, content) in enumerate(contents)
    ]
    pages = [
        [(slot, faces[index][0 if side == "front" else 1]) for slot, side, index in page]
        for page in sheet_pages(len(contents), double_sided)
    ]
    html = render_template(
        "cards/print/sheet.html", grid=grid, pages=pages, mark_width=MARK_WIDTH_MM
    )
    assets = _assets({card.profile_id: content["photo_key"] for card, content in contents}, logo)
    sides = ("front", "back") if double_sided else ("front",)
    codes = {
        f"qr-{index}-{side}": content["verify_url"]
        for index, (_, content) in enumerate(contents)
        for side in sides
    }
    return html, assets, sheet_css(grid, contents[0][1]), codes


def _roster_documents(
    league, printed: list[Printed], paper: Paper, double_sided: bool, logo, today: date
) -> Iterator[tuple[str, Assets]]:
    """A roster ("game card") per team among the printed players, for the referee;
    teams are grouped into documents of about ROSTER_CHUNK players."""
    teams: dict[str, list[Printed]] = {}
    for entry in printed:
        if entry.team:
            teams.setdefault(entry.team, []).append(entry)
    batch: list[tuple[str, list[Printed]]] = []
    for name in sorted(teams, key=str.casefold):
        batch.append((name, sorted(teams[name], key=_roster_order)))
        if sum(len(players) for _, players in batch) >= ROSTER_CHUNK:
            yield _roster_document(league, batch, paper, double_sided, logo, today)
            batch = []
    if batch:
        yield _roster_document(league, batch, paper, double_sided, logo, today)


def _roster_order(player: Printed) -> tuple:
    """By shirt number (players without one last), then name."""
    shirt = player.shirt or ""
    return (
        (0, int(shirt), player.name.casefold())
        if shirt.isdigit()
        else (1 if shirt else 2, 0, player.name.casefold())
    )


def _roster_document(
    league, teams, paper: Paper, double_sided: bool, logo, today: date
) -> tuple[str, Assets]:
    html = render_template(
        "cards/print/roster.html",
        league=league,
        teams=teams,
        paper=paper,
        double_sided=double_sided,
        today=today,
    )
    keys = {p.profile_id: p.thumb_key for _, players in teams for p in players}
    return html, _assets(keys, logo)
