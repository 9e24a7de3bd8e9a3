"""The referee's roster pages: columns that stay on the page whatever the names, photos
big enough to tell faces apart, and pages numbered per team with truly blank backs."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from portal.cards import sheet_roster, sheets
from portal.cards.sheet_roster import ROSTER_PHOTO_MM, roster_photo_mm
from tests.cards.printing import carded, page_texts, team

MARGIN_MM = 14.0  # the roster page's side margins (roster.html)
PT_PER_MM = 72 / 25.4


def _words(pdf: bytes, page: int) -> list[tuple[str, float, float]]:
    """Each word of a page with its left and right edges (mm), from pdftotext -bbox."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        html = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), file.name, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    words = []
    for line in html.splitlines():
        if "<word " in line:
            attrs = dict(part.split("=") for part in line.split(">")[0].split()[1:])
            left, right = (float(attrs[key].strip('"')) / PT_PER_MM for key in ("xMin", "xMax"))
            words.append((line.split(">")[1].split("<")[0], left, right))
    return words


def _photo_box_mm(pdf: bytes, page: int, tmp: Path) -> tuple[float, float]:
    """The width and height (mm) of the first test photo (plain #336699) on a page."""
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-", tmp / "roster"],
        input=pdf,
        check=True,
    )
    [png] = tmp.glob("roster*.png")
    with Image.open(png) as image:
        red, green, blue = image.convert("RGB").split()

    def near(channel: Image.Image, value: int) -> Image.Image:
        return channel.point(lambda v: 255 if abs(v - value) < 12 else 0)

    mask = ImageChops.multiply(
        ImageChops.multiply(near(red, 0x33), near(green, 0x66)), near(blue, 0x99)
    )
    left, top, right, bottom = mask.getbbox()
    end = next(
        y for y in range(top, bottom + 1) if not mask.crop((left, y, right, y + 1)).getbbox()
    )
    per_mm = 150 / 25.4
    return (right - left) / per_mm, (end - top) / per_mm


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_long_names_wrap_and_the_columns_stay_on_the_page(make, league, parent, paper):
    """The longest names the form allows (80 + 80 letters, here W's and M's, and a long
    Cyrillic one) wrap within the player column: is every word of the roster inside the
    page's margins, with the last column still there?"""
    hawks = team(league, "Hawks")
    plan = make.plan(league, "Spring")
    wide = carded(make, league, parent, "W" * 80, plan=plan, team=hawks, last_name="M" * 80)
    long = carded(
        make,
        league,
        parent,
        "Ana",
        plan=plan,
        team=hawks,
        last_name="Анастасия Кузнецова-Преображенская-Волконская-Оболенская",
    )
    pdf = sheets.build_sheet(league, [wide.id, long.id], paper=paper, with_roster=True)
    width = sheets.PAPERS[paper].width
    words = _words(pdf, 2)
    assert words and any(word == "THROUGH" for word, _, _ in words)
    for word, left, right in words:
        assert left >= MARGIN_MM - 0.5 and right <= width - MARGIN_MM + 0.5, (word, right)
    roster = page_texts(pdf)[1]
    assert "WWWW" in roster and "MMMM" in roster and "Кузнецова" in roster


def test_roster_photos_are_as_big_as_the_page_allows(make, league, parent, tmp_path):
    """A small team gets big photos (30 mm tall); a team of twenty never gets them below
    16 mm, and runs on to a second page instead."""
    assert roster_photo_mm(3, sheets.PAPERS["letter"]) == ROSTER_PHOTO_MM[1]
    assert roster_photo_mm(20, sheets.PAPERS["letter"]) == ROSTER_PHOTO_MM[0]
    assert ROSTER_PHOTO_MM[0] < roster_photo_mm(12, sheets.PAPERS["a4"]) < ROSTER_PHOTO_MM[1]
    hawks = team(league, "Hawks")
    players = [carded(make, league, parent, name, team=hawks) for name in ("Ann", "Bob")]
    pdf = sheets.build_sheet(league, [p.id for p in players], with_roster=True)
    width, height = _photo_box_mm(pdf, 2, tmp_path)
    assert height == pytest.approx(30, abs=0.6) and width == pytest.approx(24, abs=0.6)


def test_roster_pages_are_numbered_per_team_with_blank_backs(make, league, parent):
    """Double-sided, with a team that takes two pages and one that takes one: does each
    team count its own pages ("page 1 of 2"), and are the backs that keep the next team
    on a sheet of its own blank, with no page number?"""
    plan = make.plan(league, "Spring")
    owls, ravens = team(league, "Owls"), team(league, "Ravens")
    ids = [carded(make, league, parent, "Oda", plan=plan, team=owls, shirt="1").id]
    ids += [
        carded(make, league, parent, f"R{n:02d}", plan=plan, team=ravens, shirt=str(n)).id
        for n in range(16)
    ]
    pages = page_texts(sheets.build_sheet(league, ids, with_roster=True, double_sided=True))
    rosters = pages[4:]  # two pages of fronts and two of backs (17 cards)
    assert len(rosters) == 4
    assert "Owls" in rosters[0] and "page 1 of 1" in rosters[0]
    assert rosters[1].strip() == ""  # Owls' blank back
    assert "Ravens" in rosters[2] and "page 1 of 2" in rosters[2]
    assert "page 2 of 2" in rosters[3] and "PLAYER" in rosters[3]  # headings repeated
    assert "16 players with a card on this sheet" in rosters[3]


def test_a_roster_that_cannot_be_made_leaves_the_cards(make, league, parent, monkeypatch):
    """If WeasyPrint fails on a team's roster (here it asks for an image there is none
    of), does the sheet still come with every card, and a note saying which roster is
    missing?"""
    hawks = team(league, "Hawks")
    ann = carded(make, league, parent, "Ann", team=hawks)

    def broken(league, team, players, paper, logo, today):
        return '<img src="asset:nothing">', {}

    monkeypatch.setattr(sheet_roster, "_roster_document", broken)
    sheet = sheets.make_sheet(league, [ann.id], with_roster=True)
    assert sheet.printed == 1 and len(page_texts(sheet.pdf)) == 1
    [note] = sheet.notes
    assert note.startswith("The roster of Hawks could not be made (RenderError: ")
    assert note.endswith(
        "every card is on the sheet. Try again for the roster, and report it if it happens again."
    )
