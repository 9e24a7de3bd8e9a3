"""The printed card: real size, embedded fonts, a QR code that scans, names that fit in
any script, a sharp photo, and a renderer that fetches nothing but our own assets.

PDFs are read with poppler (pdfinfo, pdffonts, pdfimages, pdftotext, pdftoppm) and the
QR code decoded with zbar, as a printer and a phone would see them.
"""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from pathlib import Path

import pytest
import segno
from sqlalchemy import select

from portal.cards import services
from portal.cards.content import card_content
from portal.cards.models import Card
from portal.cards.qr import _qr_path, qr_pdf, qr_rectangles, qr_svg
from portal.cards.render import RenderError, card_pdf, name_size_pt, pdf_from_html
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.memberships import lifecycle
from portal.memberships.models import Membership
from portal.players.models import ProfileStatus
from portal.players.services import today_in
from tests.cards.conftest import add_term
from tests.images import jpeg

MM = 72 / 25.4  # points per millimetre
SIXTY = "Maximiliana Alexandrina Konstantinopoulou-Wolfeschlegelstein"
assert len(SIXTY) == 60


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def pdf_file(tmp_path):
    """Write PDF bytes to a file poppler can read."""

    def write(pdf: bytes, name: str = "card.pdf") -> Path:
        path = tmp_path / name
        path.write_bytes(pdf)
        return path

    return write


def _card_pdf(league, profile, *, bleed: bool = False) -> tuple[bytes, dict]:
    """The card PDF of `profile` made the way the worker makes it (content, assets)."""
    with league_scope(league.id):
        profile = db.session.get(type(profile), profile.id)
        card = services.issue(profile)
        db.session.commit()
        content = card_content(card, today_in(profile.league))
        return card_pdf(content, services._assets(content), bleed=bleed), content


def _player(make, league, parent, first_name: str, last_name: str):
    """A verified player with a 600 x 750 photo (the stored size) and a current term."""
    photo_key = f"leagues/{league.id}/players/{abs(hash(first_name))}/photo.jpg"
    get_storage().put(photo_key, jpeg(600, 750, "#336699"), "image/jpeg")
    profile = make.profile(
        league,
        parent,
        first_name=first_name,
        last_name=last_name,
        status=ProfileStatus.VERIFIED,
        photo_key=photo_key,
    )
    add_term(league, profile, make.plan(league, f"Plan {first_name[:20]}"))
    return profile


def _page_sizes(path: Path) -> list[tuple[float, float]]:
    info = _run("pdfinfo", "-f", "1", "-l", "99", str(path))
    return [
        (float(w), float(h)) for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+)", info)
    ]


def _words(path: Path) -> list[tuple[str, float, float, float, float, int]]:
    """Every word with its box in mm (xMin, yMin, xMax, yMax) and its page (1-based)."""
    html = _run("pdftotext", "-bbox", str(path), "-")
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line
        )
        if match:
            x1, y1, x2, y2 = (float(v) / MM for v in match.groups()[:4])
            words.append((match[5], x1, y1, x2, y2, page))
    return words


def _fonts(path: Path) -> list[dict]:
    lines = _run("pdffonts", str(path)).splitlines()[2:]
    fonts = []
    for line in lines:
        name, rest = line.split(maxsplit=1)
        emb, sub, uni = rest.split()[-5:-2]
        fonts.append({"name": name, "emb": emb, "sub": sub, "uni": uni})
    return fonts


def _qr_codes(path: Path, tmp_path: Path) -> list[str]:
    """What a phone reads off each page, rasterised at 300 dpi."""
    _run("pdftoppm", "-r", "300", "-png", str(path), str(tmp_path / "page"))
    found = []
    for image in sorted(tmp_path.glob("page-*.png")):
        found += _run("zbarimg", "-q", "--raw", str(image)).split()
    return found


def test_the_card_is_exactly_id1_size_with_and_without_bleed(league, member, pdf_file):
    """Is every page 85.6 x 54 mm, and 89.6 x 58 mm with a 2 mm bleed on each side?"""
    pdf, _ = _card_pdf(league, member)
    assert _page_sizes(pdf_file(pdf)) == [(242.646, 153.071)] * 2  # 85.6 x 54 mm, front + back
    bled, _ = _card_pdf(league, member, bleed=True)
    sizes = _page_sizes(pdf_file(bled, "bleed.pdf"))
    assert sizes == [(round(89.6 * MM, 3), round(58 * MM, 3))] * 2


def test_every_font_is_embedded(league, member, pdf_file):
    """Would a print shop get the same letters (every font embedded, with Unicode maps)?"""
    fonts = _fonts(pdf_file(_card_pdf(league, member)[0]))
    assert fonts and all(f["emb"] == "yes" and f["uni"] == "yes" for f in fonts)
    assert all("Noto" in f["name"] for f in fonts)


def test_the_qr_code_on_both_sides_opens_the_check_page(league, member, pdf_file, tmp_path):
    """Does the printed QR code (front and back, 300 dpi) decode to the card's check URL?"""
    pdf, content = _card_pdf(league, member)
    with league_scope(league.id):
        token = db.session.scalars(select(Card.token)).one()
    assert content["verify_url"].endswith(f"/v/{token}")
    assert _qr_codes(pdf_file(pdf), tmp_path) == [content["verify_url"]] * 2


@pytest.mark.parametrize(
    "url",
    ["https://leaguebadge.example/v/AbCdEfGhIjKlMnOpQrStUv", "http://127.0.0.1:5000/v/" + "x" * 22],
)
def test_the_qr_path_draws_exactly_the_dark_modules(url):
    """Does our shortened path cover every dark module of segno's code and no light one?"""
    matrix = segno.make(url, error="m", micro=False).matrix
    painted, x, y = set(), 0.0, 0.0
    for dx, dy, direction, length in re.findall(
        r"m(-?[\d.]+) (-?[\d.]+)([hv])(\d+)", _qr_path(matrix)
    ):
        x, y, length = x + float(dx), y + float(dy), int(length)
        if direction == "h":
            painted.update((int(x) + i, int(y)) for i in range(length))
            x += length
        else:
            painted.update((int(x), int(y) + i) for i in range(length))
            y += length
    dark = {(col, row) for row, line in enumerate(matrix) for col, on in enumerate(line) if on}
    assert painted == dark
    assert str(qr_svg(url)).startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ')


@pytest.mark.parametrize(
    "url",
    ["https://leaguebadge.example/v/AbCdEfGhIjKlMnOpQrStUv", "http://127.0.0.1:5000/v/" + "x" * 22],
)
def test_the_printed_qr_rectangles_cover_exactly_the_dark_modules(url):
    """Do the rectangles the PDF fills cover every dark module once and no light one?"""
    matrix = segno.make(url, error="m", micro=False).matrix
    painted = []
    for x, y, width, height in qr_rectangles(matrix):
        painted += [(x + i, y + j) for i in range(width) for j in range(height)]
    dark = [(col, row) for row, line in enumerate(matrix) for col, on in enumerate(line) if on]
    assert sorted(painted) == sorted(dark)
    operators = qr_pdf(url, 10, 100, 46.8)
    assert operators.startswith(b"q 0 g ") and operators.endswith(b" f Q")


def test_a_card_document_without_a_place_for_its_qr_code_is_refused():
    """A template that lost the QR code's element stops the card (no card without code)."""
    with pytest.raises(RenderError, match="qr-front"):
        pdf_from_html("<p>x</p>", {}, codes={"qr-front": "https://example.com/v/x"})


def test_card_documents_get_the_small_user_agent_stylesheet(pdf_file):
    """Card documents skip WeasyPrint's full user-agent sheet (an <h1> is not bold there),
    other documents (the roster) keep it: the hook render.CardHTML overrides still works."""
    html = "<!doctype html><html><body><h1>Heading</h1></body></html>"
    full = _fonts(pdf_file(pdf_from_html(html, {}), "full.pdf"))
    small = _fonts(pdf_file(pdf_from_html(html, {}, codes={}), "small.pdf"))
    assert [f["name"].endswith("Bold") for f in full] == [True]
    assert [f["name"].endswith("Bold") for f in small] == [False]


def test_a_sixty_character_name_fits_its_column(make, league, parent, pdf_file):
    """Does a 60-character name shrink to fit in the name column, above the details?"""
    profile = _player(make, league, parent, SIXTY[:23], SIXTY[24:])
    pdf, content = _card_pdf(league, profile)
    assert content["name"] == SIXTY and name_size_pt(SIXTY) < 12
    front = [w for w in _words(pdf_file(pdf)) if w[5] == 1]
    member_label = next(w for w in front if w[0] == "MEMBER")
    # Everything printed between the band and the details, left of the QR code: the name.
    name_words = [w for w in front if w[2] > 12 and w[4] <= member_label[2] and 20 < w[1] < 60]
    assert "".join(w[0] for w in name_words) == SIXTY.replace(" ", "")  # all of it, in order
    for _, left, _, right, _, _ in name_words:
        assert left >= 27.5 - 0.3 and right <= 85.6 - 21 + 0.3  # within the name column


def test_a_long_unbroken_name_wraps_instead_of_overflowing(make, league, parent, pdf_file):
    one_word = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaf"
    profile = _player(make, league, parent, "Jo", one_word)
    pdf, _ = _card_pdf(league, profile)
    front = [w for w in _words(pdf_file(pdf)) if w[5] == 1]
    start = next(i for i, w in enumerate(front) if w[0] == "Jo")
    pieces = []
    for word in front[start + 1 :]:
        if "".join(pieces) == one_word:
            break
        pieces.append(word[0])
        assert word[3] <= 85.6 - 21 + 0.3  # every piece ends inside the column
    assert "".join(pieces) == one_word and len(pieces) > 1


@pytest.mark.parametrize(
    ("first", "last", "font"),
    [
        ("Анастасия", "Владимировна-Соколова", "NotoSans"),
        ("محمد", "عبد الله", "NotoSansArabic"),
        ("山田", "太郎", "NotoSansCJK"),
    ],
)
def test_non_latin_names_print_with_real_glyphs(make, league, parent, pdf_file, first, last, font):
    """Do Cyrillic, Arabic and CJK names print in a Noto font that has their letters?"""
    profile = _player(make, league, parent, first, last)
    path = pdf_file(_card_pdf(league, profile)[0])
    names = [f["name"].split("+", 1)[-1].replace("-", "") for f in _fonts(path)]
    assert any(name.startswith(font) for name in names), names
    assert not any("DejaVu" in name for name in names)  # no fallback font in the mix
    text = _run("pdftotext", "-f", "1", "-l", "1", str(path), "-")
    # A name may wrap after its hyphen, which poppler then drops with the line break.
    joined = text.replace("\n", "").replace("-", "")
    for word in f"{first} {last}".split():
        word = word.replace("-", "")
        assert word in joined or word[::-1] in joined  # (poppler may give Arabic in visual order)


def test_the_photo_is_embedded_at_300_dpi_or_more(league, member, pdf_file):
    listing = _run("pdfimages", "-list", str(pdf_file(_card_pdf(league, member)[0])))
    rows = [line.split() for line in listing.splitlines()[2:]]
    # The photo and the logo (160 px) both go in as JPEG: the photo is the bigger one.
    jpegs = [row for row in rows if row[2] == "image" and row[8] == "jpeg"]
    photo = max(jpegs, key=lambda row: int(row[3]) * int(row[4]))
    width, height, x_ppi, y_ppi = int(photo[3]), int(photo[4]), int(photo[12]), int(photo[13])
    assert (width, height) == (600, 750)
    assert x_ppi >= 300 and y_ppi >= 300


class _Listener:
    """A loopback port that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.3)
        self.port = self.sock.getsockname()[1]
        self.connected = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        try:
            connection, _ = self.sock.accept()
            self.connected = True
            connection.close()
        except OSError:
            pass

    def close(self):
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/hostname">',
        '<img src="http://127.0.0.1:{port}/logo.png">',
        '<div style="background: url(http://127.0.0.1:{port}/bg.png)">x</div>',
        '<style>@import url("http://127.0.0.1:{port}/x.css");</style><p>x</p>',
        '<link rel="stylesheet" href="file:///etc/hostname"><p>x</p>',
        '<img src="asset:someone-elses-photo">',
    ],
)
def test_weasyprint_fetches_nothing_but_our_assets(markup, tmp_path):
    """A file:// or http:// URL in a template stops the card (no request is made)."""
    listener = _Listener()
    try:
        html = f"<!doctype html><html><body>{markup.format(port=listener.port)}</body></html>"
        with pytest.raises(RenderError):
            pdf_from_html(html, {"photo": (jpeg(10, 10), "image/jpeg")})
    finally:
        listener.close()
    assert not listener.connected


def test_our_assets_and_data_urls_still_load():
    html = (
        '<img src="asset:photo"><img src="data:image/gif;base64,'
        'R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==">'
    )
    assert pdf_from_html(html, {"photo": (jpeg(10, 10), "image/jpeg")}).startswith(b"%PDF")


def test_a_status_change_prints_the_new_status_and_nothing_else_remakes_it(
    league, member, pdf_file
):
    """Is the PDF made again (showing SUSPENDED) after a suspension, and not otherwise?"""

    def refresh():
        with league_scope(league.id):
            card = services.refresh(db.session.get(type(member), member.id))
            db.session.commit()
            return card.pdf_key

    first = refresh()
    assert refresh() == first
    front = _run("pdftotext", "-f", "1", "-l", "1", str(pdf_file(get_storage().get(first))), "-")
    assert "VALID" in front and "SUSPENDED" not in front
    with league_scope(league.id):
        lifecycle.suspend(db.session.scalars(select(Membership)).one(), "Red card", None)
        db.session.commit()
    second = refresh()
    assert second != first
    path = pdf_file(get_storage().get(second), "second.pdf")
    assert "SUSPENDED" in _run("pdftotext", "-f", "1", "-l", "1", str(path), "-")
