"""QR codes of card check links: inline SVG for the phone, PDF drawing for print.

Apart from render.py so that the web process can draw a phone card's code
without importing WeasyPrint (about 2 s).

segno makes the code (error correction M: a scratched card still scans). The
phone gets it as inline SVG. The printed card gets it as PDF drawing operators,
written straight into the page by render.py: WeasyPrint parses an SVG path in
Python (about 50 calls per command), which was a fifth of a card's time for
two codes, while the same code as PDF operators costs nothing to place. Both
are vector, so sharp at any print size and on any screen.
"""

from __future__ import annotations

from functools import lru_cache

import segno
from markupsafe import Markup, escape


@lru_cache(maxsize=512)
def qr_matrix(url: str) -> tuple[bytearray, ...]:
    """The modules of `url`'s code, row by row (1: dark), without the quiet zone.

    Kept per URL, so a card made again (a new status, a new photo) does not encode
    its code again. Read only: the rows are shared.
    """
    return tuple(segno.make(url, error="m", micro=False).matrix)


@lru_cache(maxsize=512)
def qr_svg(url: str, css_class: str = "", title: str = "") -> Markup:
    """The QR code of `url` as inline SVG (`css_class` and `title` for the page's own
    styling and readers). The path is ours and shorter than segno's own: runs of two
    or more modules in a row are one stroke each, and the single modules left are
    joined into vertical strokes where they touch."""
    matrix = qr_matrix(url)
    size = len(matrix)
    attributes = f' class="{escape(css_class)}"' if css_class else ""
    label = f"<title>{escape(title)}</title>" if title else ""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}"{attributes}>'
        f'{label}<path stroke="#000" d="M0 0{_qr_path(matrix)}"/></svg>'
    )


def qr_pdf(url: str, left: float, top: float, size: float) -> bytes:
    """PDF content operators that paint `url`'s code in black in the square of `size`
    points whose top-left corner is (left, top), in the page's default user space
    (points from the bottom left, y up).

    One path of rectangles filled at once (so no hairline seams between them), in
    module units: the transformation puts row 0 at the top. Black is DeviceGray 0,
    which a print shop's RIP prints with black ink only.
    """
    matrix = qr_matrix(url)
    module = size / len(matrix)
    rectangles = " ".join(f"{x} {y} {w} {h} re" for x, y, w, h in qr_rectangles(matrix))
    return (
        f"q 0 g {module:.5f} 0 0 {-module:.5f} {left:.3f} {top:.3f} cm {rectangles} f Q"
    ).encode()


def qr_rectangles(matrix) -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) in modules, covering exactly the dark modules: each run of
    dark modules in a row, continued down over the rows below that repeat it (finder
    patterns, blocks): about a fifth fewer rectangles than runs."""
    open_runs: dict[tuple[int, int], int] = {}  # (x, width) -> its first row
    rectangles = []
    for y, row in enumerate((*matrix, ())):
        runs = set(_runs(row))
        for run in [run for run in open_runs if run not in runs]:
            top = open_runs.pop(run)
            rectangles.append((run[0], top, run[1], y - top))
        for run in runs:
            open_runs.setdefault(run, y)
    return sorted(rectangles, key=lambda rectangle: (rectangle[1], rectangle[0]))


def _runs(line) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row or column."""
    runs, start = [], None
    for index, dark in enumerate((*line, 0)):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def _qr_path(matrix) -> str:
    """Relative path commands (strokes one module wide) covering every dark module."""
    strokes, covered = [], set()
    for y, row in enumerate(matrix):
        for x, length in _runs(row):
            if length > 1:
                strokes.append((x, y + 0.5, "h", length))
                covered.update((x + i, y) for i in range(length))
    for x in range(len(matrix)):
        for y, length in _runs([row[x] for row in matrix]):
            if any((x, y + i) not in covered for i in range(length)):
                strokes.append((x + 0.5, y, "v", length))
    parts, here = [], (0.0, 0.0)
    for x, y, direction, length in strokes:
        parts.append(f"m{x - here[0]:g} {y - here[1]:g}{direction}{length}")
        here = (x + length, y) if direction == "h" else (x, y + length)
    return "".join(parts)
