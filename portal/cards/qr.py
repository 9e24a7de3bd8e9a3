"""QR codes of card check links as small inline SVG, for the PDF and the phone alike.

Apart from render.py so that the web process can draw a phone card's code
without importing WeasyPrint (about 2 s).
"""

from __future__ import annotations

from functools import lru_cache

import segno
from markupsafe import Markup, escape


@lru_cache(maxsize=512)
def qr_svg(url: str, css_class: str = "", title: str = "") -> Markup:
    """The QR code of `url` as inline SVG: vector, so sharp at any print size and on
    a phone's screen (`css_class` and `title` for the page's own styling and readers).

    segno makes the code (error correction M: a scratched card still scans); the
    path is ours and shorter than segno's own. WeasyPrint parses an SVG path in
    Python, about 50 calls per command, and a card draws its code twice, so
    drawing was a third of a card's time: runs of two or more modules in a row
    are one stroke each, and the single modules left are joined into vertical
    strokes where they touch (about a fifth fewer commands). Kept per URL, so a
    card made again (a new status, a new photo) does not encode its code again.
    """
    matrix = segno.make(url, error="m", micro=False).matrix
    size = len(matrix)
    attributes = f' class="{escape(css_class)}"' if css_class else ""
    label = f"<title>{escape(title)}</title>" if title else ""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}"{attributes}>'
        f'{label}<path stroke="#000" d="M0 0{_qr_path(matrix)}"/></svg>'
    )


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
