"""Roster pages ("game cards") at the end of a print sheet: one per team, for the referee.

Each team's roster is a document of its own, so its pages are numbered on their
own ("page 1 of 2") and, on a double-sided sheet, the blank back that keeps the
next team on a fresh sheet of paper is truly blank (the renderer pads a
document of an odd number of pages, see sheet_pdf.concatenate); one document
holding every team numbered its pages straight through, blank backs included.

The referee compares each face with the player in front of them, so the photos
are as big as the page allows: a team that fits on one page gets photos up to
ROSTER_PHOTO_MM[1] tall; a big team never gets them smaller than
ROSTER_PHOTO_MM[0] (a face still recognisable at arm's length) and runs on to a
second page instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from flask import render_template

from portal.cards.sheet_layout import Paper
from portal.cards.sheet_pdf import Assets
from portal.core.storage import StorageError, get_storage

ROSTER_PHOTO_MM = (16.0, 30.0)  # the photo's height, smallest and largest (width: 4/5)
ROSTER_MARGINS_MM = 12.0 + 14.0  # the page's top and bottom margins (roster.html)
ROSTER_CHROME_MM = 34.0  # the header, the column headings and the closing line
ROSTER_ROW_EXTRA_MM = 1.6  # a row's padding and rule, besides its photo


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
    photo_keys: tuple[str, ...]  # the thumbnail first, then the card photo
    order: tuple  # where the player goes on a roster (team_queries.roster_order)


def roster_photo_mm(players: int, paper: Paper) -> float:
    """The photo height that fits `players` rows on one page of `paper`, within
    ROSTER_PHOTO_MM (a little room kept for names that wrap onto a third line)."""
    body = (paper.height - ROSTER_MARGINS_MM - ROSTER_CHROME_MM) * 0.97
    fits = body / max(players, 1) - ROSTER_ROW_EXTRA_MM
    smallest, largest = ROSTER_PHOTO_MM
    return round(max(smallest, min(largest, fits)), 1)


def roster_documents(
    league, printed: Iterable[Printed], paper: Paper, logo, today: date
) -> Iterator[tuple[str, tuple[str, Assets]]]:
    """Each team among the printed players, by name, with its roster document."""
    teams: dict[str, list[Printed]] = {}
    for entry in printed:
        if entry.team:
            teams.setdefault(entry.team, []).append(entry)
    for name in sorted(teams, key=str.casefold):
        players = sorted(teams[name], key=lambda player: player.order)
        yield name, _roster_document(league, name, players, paper, logo, today)


def _roster_document(
    league, team: str, players: list[Printed], paper: Paper, logo, today: date
) -> tuple[str, Assets]:
    assets = _photos(players)
    if logo:
        assets["logo"] = logo
    html = render_template(
        "cards/print/roster.html",
        league=league,
        team=team,
        players=players,
        photos=assets.keys(),
        photo_mm=roster_photo_mm(len(players), paper),
        paper=paper,
        today=today,
    )
    return html, assets


def _photos(players: list[Printed]) -> Assets:
    """Each player's photo as asset photo-<profile id>: the thumbnail, else the card
    photo; a player with neither shows an empty frame rather than stopping the roster."""
    storage, assets = get_storage(), {}
    for player in players:
        for key in player.photo_keys:
            try:
                assets[f"photo-{player.profile_id}"] = (storage.get(key), "image/jpeg")
                break
            except StorageError:
                continue
    return assets
