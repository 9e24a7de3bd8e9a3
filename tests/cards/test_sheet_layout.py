"""Crop marks that printers can print: none in the 5 mm by the paper's edge, where most
printers print nothing (the grid's own outer edges on Letter apart, see sheet_layout),
and every cut line still marked on US Letter and A4."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image

from portal.cards import render, sheet_layout, sheets
from tests.cards.printing import carded

WIDTH, HEIGHT = sheet_layout.CARD_SIZE_MM


def _cuts(grid) -> tuple[list[float], list[float]]:
    """The vertical (x) and horizontal (y) cut lines of the grid."""
    xs = sorted({round(x + offset, 3) for x, _ in grid.slots for offset in (0, WIDTH)})
    ys = sorted({round(y + offset, 3) for _, y in grid.slots for offset in (0, HEIGHT)})
    return xs, ys


def test_the_card_size_is_the_renderers():
    assert sheet_layout.CARD_SIZE_MM == render.CARD_SIZE_MM


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_no_mark_lies_where_printers_cannot_print(paper):
    """Is every mark at least 5 mm from the side edges, and from the top and bottom edges
    (Letter: no nearer than the grid itself, 4.7 mm, its own outer cut lines)?"""
    grid = sheets.layout(paper)
    top, bottom = grid.slots[0][1], grid.slots[-1][1] + HEIGHT
    above = min(sheet_layout.EDGE_MM, top)
    below = min(sheet_layout.EDGE_MM, grid.paper.height - bottom)
    for x1, y1, x2, y2 in grid.marks:
        assert min(x1, x2) >= sheet_layout.EDGE_MM
        assert max(x1, x2) <= grid.paper.width - sheet_layout.EDGE_MM
        assert min(y1, y2) >= above - 1e-9 and max(y1, y2) <= grid.paper.height - below + 1e-9
    if paper == "a4":  # room above and below the grid: nothing nearer than 5 mm at all
        assert above == below == sheet_layout.EDGE_MM
    else:  # Letter: the grid fills all but 9.4 mm of the height
        assert top == pytest.approx(4.7) and grid.paper.height - bottom == pytest.approx(4.7)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_cut_line_is_marked(paper):
    """Does every horizontal cut line have marks on both sides of the grid and in the
    gap, and every vertical one marks on it (A4) or marks ending on it (Letter)?"""
    grid = sheets.layout(paper)
    xs, ys = _cuts(grid)
    assert len(xs) == 4 and len(ys) == 6
    horizontal = [m for m in grid.marks if m[1] == m[3]]
    vertical = [m for m in grid.marks if m[0] == m[2]]
    for y in ys:
        assert len([m for m in horizontal if m[1] == pytest.approx(y)]) == 3
    for x in xs:
        on_line = [m for m in vertical if m[0] == pytest.approx(x)]
        ending_on = [m for m in horizontal if pytest.approx(x) in (m[0], m[2])]
        if paper == "a4":
            assert len(on_line) == 2  # above and below the grid
        else:
            assert not vertical and len(ending_on) == 6  # one on each horizontal cut line


def _ink(image: Image.Image, box: tuple[float, float, float, float], dots: float) -> bool:
    """Whether anything dark is printed in `box` (mm from the top left)."""
    left, top, right, bottom = (round(v * dots) for v in box)
    region = image.crop((left, top, right, bottom))
    return region.getextrema()[0] < 160


def test_nothing_is_printed_in_the_edge_band_on_letter(make, league, parent, tmp_path):
    """Rasterised, is the Letter sheet blank within 4.5 mm of the top and bottom edges and
    5 mm of the sides, fronts and mirrored backs alike, with the marks where the layout
    puts them?"""
    players = [carded(make, league, parent, name) for name in ("Ann", "Bob", "Cat")]
    pdf = sheets.build_sheet(league, [p.id for p in players], double_sided=True)
    (tmp_path / "sheet.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", tmp_path / "sheet.pdf", tmp_path / "page"], check=True
    )
    dots = 200 / 25.4
    grid = sheets.layout("letter")
    marks = [m for m in grid.marks if m[1] == m[3] and m[0] < 50]  # in the left margin
    for page in ("page-1.png", "page-2.png"):
        with Image.open(tmp_path / page) as picture:
            image = picture.convert("L")
        assert image.size == (round(215.9 * dots), round(279.4 * dots))
        assert not _ink(image, (0, 0, 215.9, 4.5), dots)
        assert not _ink(image, (0, 274.9, 215.9, 279.4), dots)
        assert not _ink(image, (0, 0, 5, 279.4), dots)
        assert not _ink(image, (210.9, 0, 215.9, 279.4), dots)
        for x1, y, x2, _ in marks:
            assert _ink(image, (min(x1, x2) + 0.5, y - 0.3, max(x1, x2) - 0.5, y + 0.3), dots)
