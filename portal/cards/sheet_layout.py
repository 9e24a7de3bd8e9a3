"""Where the ten cards of a print sheet go on US Letter or A4, and the crop marks.

The cards sit at their real ID-1 size (85.6 x 54 mm) in a centred grid of 2
columns x 5 rows: the rows abut (one cut between two cards), the columns have
a 4 mm gap for marks and for duplex drift. Crop marks are short lines on the
cut lines, outside every card, so a cut never leaves one on a card.

No mark is printed nearer the paper's edge than EDGE_MM, where most printers
cannot print (their margin is 4 to 6 mm), except on the grid's own outer
edges, which no sheet of ten can move further in on Letter (below).

A4 (297 mm tall) has 13.5 mm above and below the grid: every cut line gets its
marks past the grid's ends, 1 mm short of the card (a cut that strays a little
shows no mark), at least EDGE_MM from the paper's edge.

US Letter (279.4 mm tall) has only 4.7 mm above and below the five rows
(5 x 54 = 270 mm), so the vertical cut lines can have no marks past the grid's
ends: they would fall where the printer cannot print (the first layout put
them 3.7 to 0.3 mm from the edge, where most printers drop them). Turning the
grid does not help: ten cards need five 54 mm sides in a line, and only the
279.4 mm side holds 270 mm; a landscape grid of 3 x 4 would need 4 x 54 = 216 mm
of the 215.9 mm width; rows of lying and upright cards mixed hold nine at most
inside 5 mm margins. Ten up matters more (a 500-card sheet would grow from 50 to
56 pages), so on Letter the marks live between the cards:
on every horizontal cut line, in the side margins (20 mm) and across the gap
between the columns, and each of those marks runs right up to the card edges
beside it, so its ends show where the vertical cuts go (six marks along each
vertical cut line, rather than two past its ends). The top and bottom cut
lines' own marks are as far in as the grid's edge (4.7 mm): they print
wherever the cards' own edges print.

Double-sided sheets put each back in the slot with its column swapped; the
grid and its marks are symmetric about the page's vertical centre, so the
backs' marks and cards fall behind the fronts'.
"""

from __future__ import annotations

from dataclasses import dataclass

# ID-1, as render.CARD_SIZE_MM (a test keeps them equal): not imported from there, as
# that would load WeasyPrint into the web process, which needs only the paper sizes.
CARD_SIZE_MM = (85.6, 54.0)
COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
COLUMN_GAP_MM = 4.0  # room for crop marks between the columns, and for duplex drift
MARK_OFFSET_MM = 1.0  # marks past the grid's ends stop short of the card
MARK_LENGTH_MM = 4.0
MARK_MIN_LENGTH_MM = 2.0  # shorter than this is not worth printing: no mark there
MARK_WIDTH_MM = 0.12
EDGE_MM = 5.0  # no mark nearer the paper's edge (except the grid's own outer edges)


@dataclass(frozen=True)
class Paper:
    key: str
    label: str
    size: str  # as people say it
    width: float  # mm
    height: float
    short: str = ""  # in a heading: "Letter"


PAPERS = {
    "letter": Paper("letter", "US Letter", "8.5 \u00d7 11 in", 215.9, 279.4, "Letter"),
    "a4": Paper("a4", "A4", "210 \u00d7 297 mm", 210.0, 297.0, "A4"),
}


@dataclass(frozen=True)
class Layout:
    """Where each of the ten slots sits on the page, and the crop marks (mm)."""

    paper: Paper
    slots: tuple[tuple[float, float], ...]  # (left, top), row by row
    marks: tuple[tuple[float, float, float, float], ...]  # (x1, y1, x2, y2)


def layout(paper: str) -> Layout:
    """The centred 2 x 5 grid on `paper`, with crop marks for every cut line."""
    sheet = PAPERS[paper]
    width, height = CARD_SIZE_MM
    left = (sheet.width - COLUMNS * width - (COLUMNS - 1) * COLUMN_GAP_MM) / 2
    top = (sheet.height - ROWS * height) / 2
    xs = [left + column * (width + COLUMN_GAP_MM) for column in range(COLUMNS)]
    slots = tuple((x, top + row * height) for row in range(ROWS) for x in xs)
    right, bottom = xs[-1] + width, top + ROWS * height
    marks = []
    # Vertical cut lines (each column's two edges): past the grid's ends, if there is room.
    room = min(top, sheet.height - bottom) - MARK_OFFSET_MM - EDGE_MM
    ends = room >= MARK_MIN_LENGTH_MM
    if ends:
        length = min(MARK_LENGTH_MM, room)
        for edge in [x + offset for x in xs for offset in (0, width)]:
            above, below = top - MARK_OFFSET_MM, bottom + MARK_OFFSET_MM
            marks.append((edge, above, edge, above - length))
            marks.append((edge, below, edge, below + length))
    # Horizontal cut lines (rows abut): in the side margins and across the gaps. Without
    # marks past the grid's ends, they reach the card edges to show the vertical cuts.
    offset = MARK_OFFSET_MM if ends else 0.0
    side = min(MARK_LENGTH_MM + MARK_OFFSET_MM - offset, left - offset - EDGE_MM)
    for y in (top + row * height for row in range(ROWS + 1)):
        marks.append((left - offset, y, left - offset - side, y))
        marks.append((right + offset, y, right + offset + side, y))
        for column in range(COLUMNS - 1):
            gap_from, gap_to = xs[column] + width + offset, xs[column + 1] - offset
            if gap_to > gap_from:
                marks.append((gap_from, y, gap_to, y))
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
