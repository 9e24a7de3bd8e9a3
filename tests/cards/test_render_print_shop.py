"""The printed card as a print shop and a scanner see it: a real bleed with crop marks,
text and code inside the trim box, a clear quiet zone round the QR code however long
the name, and a suspended card that says until when.

Positions come from the PDF itself (its page boxes, poppler's word boxes, and the
QR code's placement in the page's content); colours from the page rasterised by
poppler, as a printer would.
"""

from __future__ import annotations

import re
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from portal.cards.qr import qr_matrix
from portal.cards.render import BLEED_MM, SAFE_MM
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships import lifecycle
from portal.memberships.models import Membership
from tests.cards.test_render import MM, _card_pdf, _player, _qr_codes, _run, _words

CARD = (85.6, 54.0)
DPI = 600
PX_PER_MM = DPI / 25.4
# The audit's widest name: two long words of the widest letters, each as long as the
# form allows a part of a name to be before it wraps.
WIDE = ("W" + "w" * 42, "M" + "m" * 43)


@pytest.fixture
def write(tmp_path):
    def write(pdf: bytes, name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(pdf)
        return path

    return write


def _boxes(path: Path) -> dict[str, list[float]]:
    """The first page's boxes (MediaBox, TrimBox, BleedBox...) in points."""
    info = _run("pdfinfo", "-box", str(path))
    return {
        name: [float(v) for v in values.split()]
        for name, values in re.findall(r"^(\w+Box): +([-\d. ]+)$", info, re.MULTILINE)
    }


def _qr_placements(pdf: bytes) -> list[tuple[float, float, float]]:
    """Each QR code drawn in the PDF, in page order: (module size, left, top) in points
    from the trim box's bottom left, read from the operators render.py writes."""
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        found += [
            tuple(float(v) for v in match)
            for match in re.findall(rb"q 0 g ([\d.]+) 0 0 -[\d.]+ ([\d.]+) ([\d.]+) cm", text)
        ]
    return found


def _pages(path: Path, tmp_path: Path) -> list[Image.Image]:
    _run("pdftoppm", "-r", str(DPI), "-png", str(path), str(tmp_path / path.stem))
    return [Image.open(p).convert("L") for p in sorted(tmp_path.glob(f"{path.stem}-*.png"))]


def _dark_in_quiet_zone(page: Image.Image, placement, modules: int, bleed: float) -> int:
    """How many dark pixels lie within four modules of the code (the quiet zone), on a
    page rasterised at DPI whose trim box starts `bleed` mm from its top left."""
    module, left, top = (value / MM for value in placement)  # mm
    size = module * modules
    x0, y0 = left + bleed, CARD[1] - top + bleed  # the code's top left, mm from the page's
    zone = 4 * module
    ring = [
        (x, y)
        for x in range(round((x0 - zone) * PX_PER_MM), round((x0 + size + zone) * PX_PER_MM))
        for y in range(round((y0 - zone) * PX_PER_MM), round((y0 + size + zone) * PX_PER_MM))
        # outside the code itself, by a pixel's antialiasing
        if not (
            (x0 * PX_PER_MM) - 2 <= x <= (x0 + size) * PX_PER_MM + 2
            and (y0 * PX_PER_MM) - 2 <= y <= (y0 + size) * PX_PER_MM + 2
        )
    ]
    return sum(1 for point in ring if page.getpixel(point) < 160)


@pytest.mark.parametrize("bleed", [False, True])
def test_a_long_name_keeps_out_of_the_qr_codes_quiet_zone(
    make, league, parent, write, tmp_path, bleed
):
    """With the widest name the audit found, is there nothing printed within four
    modules of either QR code (front and back), so a phone still finds the code?"""
    profile = _player(make, league, parent, *WIDE)
    pdf, content = _card_pdf(league, profile, bleed=bleed)
    path = write(pdf, "wide.pdf")
    modules = len(qr_matrix(content["verify_url"]))
    placements = _qr_placements(pdf)
    assert len(placements) == 2  # front, back
    pages = _pages(path, tmp_path)
    for page, placement in zip(pages, placements, strict=True):
        assert _dark_in_quiet_zone(page, placement, modules, BLEED_MM if bleed else 0) == 0
    # The name wrapped inside its column, which ends before the quiet zone.
    front = [w for w in _words(path) if w[5] == 1 and w[0].lower().startswith(("w", "m"))]
    qr_left = placements[0][1] / MM
    assert front and max(w[3] for w in front) - (BLEED_MM if bleed else 0) <= qr_left - 4 * (
        placements[0][0] / MM
    )


def test_the_print_shop_card_has_a_real_bleed(league, member, write, tmp_path):
    """89.6 x 58 mm pages whose TrimBox is the card (85.6 x 54 mm) and BleedBox the page;
    the colour band reaches the page's edge, white elsewhere; crop marks at the corners."""
    pdf, content = _card_pdf(league, member, bleed=True)
    path = write(pdf, "bleed.pdf")
    boxes = _boxes(path)
    bleed = BLEED_MM * MM
    width, height = (side * MM for side in CARD)
    assert boxes["TrimBox"] == pytest.approx([0, 0, width, height], abs=0.01)
    assert boxes["MediaBox"] == pytest.approx(
        [-bleed, -bleed, width + bleed, height + bleed], abs=0.01
    )
    assert boxes["BleedBox"] == boxes["MediaBox"]
    front, back = _pages(path, tmp_path)
    band = (15, 118, 110)  # the league's primary colour, #0f766e, as grey
    band_grey = round(0.299 * band[0] + 0.587 * band[1] + 0.114 * band[2])

    def grey(page, x_mm, y_mm):  # mm from the page's (the bleed's) top left
        return page.getpixel((round(x_mm * PX_PER_MM), round(y_mm * PX_PER_MM)))

    for page in (front, back):
        for x, y in ((0.3, 0.3), (44.8, 0.3), (89.3, 0.3), (0.3, 6), (89.3, 6)):
            assert abs(grey(page, x, y) - band_grey) <= 6, (x, y)  # band to the edge
        for x, y in ((0.3, 40), (44.8, 57.7), (89.3, 40)):
            assert grey(page, x, y) >= 250, (x, y)  # the card's white, to the edge
        # Crop marks: the trim lines carried into the bleed at each corner, dark.
        for x, y in ((1.0, 2.0), (2.0, 1.0), (88.6, 2.0), (87.6, 1.0), (1.0, 56.0), (2.0, 57.0)):
            window = [
                grey(page, x + dx / PX_PER_MM, y + dy / PX_PER_MM)
                for dx in range(-3, 4)
                for dy in range(-3, 4)
            ]
            assert min(window) < 80, (x, y)
    (tmp_path / "qr").mkdir()
    assert _qr_codes(path, tmp_path / "qr") == [content["verify_url"]] * 2


def test_the_print_shop_card_keeps_text_and_code_inside_the_safe_area(
    league, member, write, tmp_path
):
    """Every word and both QR codes sit inside the trim box, SAFE_MM in from its edge."""
    pdf, _ = _card_pdf(league, member, bleed=True)
    path = write(pdf, "bleed.pdf")
    words = _words(path)
    assert len(words) > 20
    for text, left, top, right, bottom, page in words:
        left, top, right, bottom = (v - BLEED_MM for v in (left, top, right, bottom))
        assert left >= SAFE_MM and top >= SAFE_MM, (text, page, left, top)
        assert right <= CARD[0] - SAFE_MM and bottom <= CARD[1] - SAFE_MM, (text, page)
    for module, left, top in _qr_placements(pdf):
        left, top, module = left / MM, CARD[1] - top / MM, module / MM
        assert left >= SAFE_MM and top >= SAFE_MM
        assert left + 21 * module <= CARD[0] - SAFE_MM  # 21 modules at the least


def test_a_suspended_card_prints_until_when_and_the_valid_through_date(league, member, write):
    """A printed SUSPENDED card says until when (or "until further notice") and, as any
    card, how long the membership runs."""
    until = date.today() + timedelta(days=12)
    with league_scope(league.id):
        term = db.session.scalars(select(Membership)).one()
        ends = term.ends_on
        lifecycle.suspend(term, "Red card", until)
        db.session.commit()
    pdf, content = _card_pdf(league, member)
    assert content["status"] == "suspended" and content["suspended_until"] == until.isoformat()
    text = " ".join(_run("pdftotext", "-f", "1", "-l", "1", str(write(pdf, "s.pdf")), "-").split())
    assert "SUSPENDED" in text
    assert f"Suspended until {until.day:02d} {until:%b %Y}" in text
    assert f"Valid through {ends.day:02d} {ends:%b %Y}" in text
    with league_scope(league.id):
        db.session.scalars(select(Membership)).one().suspended_until = None
        db.session.commit()
    pdf, _ = _card_pdf(league, member)
    text = " ".join(_run("pdftotext", "-f", "1", "-l", "1", str(write(pdf, "t.pdf")), "-").split())
    assert "Suspended until further notice" in text and "Valid through" in text
