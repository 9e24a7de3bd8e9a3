"""Card PDFs with WeasyPrint: one card (front and back) or a sheet of many.

WeasyPrint only ever sees what we hand it: the HTML from our templates, the
photo and logo bytes we pass in, and fonts from the system. Its URL fetcher
answers `asset:<name>` from those bytes and refuses every other URL (no
network, no `file://`), and a refused fetch stops the rendering (as a
RenderError) rather than printing a card with a hole in it.

Speed (a card is made on every change, and a sheet holds 500): the costly things
that do not change between cards are made once and kept. A FontConfiguration
(fontconfig and pango's font map, about a third of a cold render) and a URL
fetcher are kept per thread, since pango's font map is not thread-safe and the
worker runs threads. The card's stylesheet is parsed once per distinct text (a
league's colours and the bleed option) and handed to WeasyPrint as a parsed
stylesheet, instead of a <style> parsed again for every card. Card documents
get a user-agent stylesheet of the few rules they need (CardHTML) instead of
WeasyPrint's full one. The QR codes are not SVG for WeasyPrint to parse: they
are drawn straight into the PDF (see `_draw_codes` and qr.qr_pdf). The logo
goes in as a JPEG, which WeasyPrint copies as it is.
"""

from __future__ import annotations

import io
import logging
import threading
from functools import lru_cache

from flask import render_template
from PIL import Image, ImageFile
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from portal.cards.qr import qr_pdf
from portal.core.images import to_rgb

# Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process,
# which would let a damaged upload through portal.core.images in any process that has
# made a card. Our card images are our own, already checked: keep Pillow strict.
ImageFile.LOAD_TRUNCATED_IMAGES = False

log = logging.getLogger(__name__)
CARD_SIZE_MM = (85.6, 54.0)
BLEED_MM = 2.0
# A print shop's card: text and the QR code stay this far inside the trim edge, where a
# cut a little off still leaves them whole.
SAFE_MM = 1.5
PT_PER_MM = 72 / 25.4
CROP_GAP_PT = 0.5 * PT_PER_MM  # crop marks stop 0.5 mm short of the trim box
LOGO_PX = 160
PT_PER_PX = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF is in points (1/72 in)
_local = threading.local()

# The rules of WeasyPrint's user-agent stylesheet (html5_ua.css) that the card and sheet
# templates need. The full sheet (250 lines, and sixteen page-margin boxes styled on
# every page) is matched against every element: about a seventh of a card's time, for
# rules about tables, lists, forms and headings that a card never has.
CARD_UA_CSS = """
head, title, meta, style, script, link { display: none }
html, body, div, section, p { display: block }
body { margin: 8px }
p { margin-top: 1em; margin-bottom: 1em }
b, strong { font-weight: bold }
br::before { content: "\\A"; white-space: pre-line }
img, svg { overflow: hidden }
@page { margin: 75px }
"""


class RenderError(RuntimeError):
    """A card could not be made (an asset was refused or missing)."""


class AssetFetcher(URLFetcher):
    """Serves `asset:<name>` from memory and `data:` URLs; refuses everything else."""

    def __init__(self, assets: dict[str, tuple[bytes, str]]):
        super().__init__(allowed_protocols={"data", "asset"}, fail_on_errors=True)
        self.assets = assets

    def fetch(self, url, headers=None):
        if url.startswith("asset:"):
            name = url.removeprefix("asset:")
            if name not in self.assets:
                raise ValueError(f"no asset {name!r}")
            data, mime_type = self.assets[name]
            return URLFetcherResponse(url, data, {"Content-Type": mime_type})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"refused to fetch {url!r}")


# The name's box on the front: the column between the photo and the QR code's quiet
# zone (cards/_card_css.html: .details), as tall as three lines of 12 pt. It holds
# int(NAME_BOX_PT / size) lines at any size (the card template counts them the same
# way, as its line clamp: cards/_card.html).
NAME_COLUMN_PT = (CARD_SIZE_MM[0] - 27.5 - 22) * 72 / 25.4  # 36.1 mm
NAME_BOX_PT = 36.0  # lines x font size: 3 x 12 pt, 6 x 5.6 pt, 8 x 4.5 pt
# Small enough for the longest name the form allows (80 + 80 letters) in any letters,
# even 160 W's or CJK; names that need it are rare (a real one of 160 letters fits in
# six lines at 5.2 to 5.6 pt).
SMALLEST_NAME_PT = 4.5
# Widths in ems of Noto Sans Bold by kind of letter, rounded up (the rest: 0.6; CJK: 1).
_EMS = {
    **dict.fromkeys(" '.,-ijlIJ", 0.32),
    **dict.fromkeys("frt", 0.45),
    **dict.fromkeys("ABCDEFGHKLNOPQRSTUVXYZ", 0.72),
    **dict.fromkeys("mwMW", 0.98),
}
_WIDE = 0x2E80  # CJK and later: a full em, and a line may break after any of them


def name_size_pt(name: str) -> float:
    """Long names shrink rather than overflow the name's box.

    12 pt for a short name, shrinking with its length down to 5.6 pt (three lines
    hold about 90 Latin letters; wide scripts, CJK, count double). A longer name
    then takes more lines of the box, up to six at 5.6 pt, and then smaller type,
    down to 4.5 pt in eight lines (about 280 Latin letters): the longest name the
    form allows fits, however it breaks. Anything longer still ends in an ellipsis
    (the template's line clamp), never clipped mid-line.
    """
    width = sum(2 if ord(char) >= _WIDE else 1 for char in name)
    size = round(max(5.6, min(12.0, 12.0 * 20 / max(width, 1))), 2)
    while size > SMALLEST_NAME_PT and name_lines_needed(name, size) > name_lines(size):
        size = round(size - 0.1, 2)
    return size


def name_lines(size: float) -> int:
    """How many lines of `size` pt the name's box holds."""
    return int(NAME_BOX_PT / size)


def name_lines_needed(name: str, size: float) -> int:
    """The lines `name` takes at `size` pt, wrapped as the card wraps it (an estimate,
    on the safe side): at spaces, after hyphens and between CJK letters; a word too
    long for a line starts a line of its own and breaks anywhere."""
    room = NAME_COLUMN_PT / size * 0.97  # ems a line holds, less a margin for the estimate
    lines, used = 1, 0.0
    for word, space in _words(name):
        width = sum(_EMS.get(char, 1.0 if ord(char) >= _WIDE else 0.6) for char in word)
        if used and used + space + width <= room:
            used += space + width
            continue
        if used:
            lines, used = lines + 1, 0.0
        while width > room:
            lines, width = lines + 1, width - room
        used = width
    return lines


def _words(name: str) -> list[tuple[str, float]]:
    """The unbreakable pieces of `name`, each with the space (in ems) before it."""
    pieces, word, space = [], "", 0.0
    for char in name:
        if char.isspace():
            if word:
                pieces.append((word, space))
                word, space = "", 0.0
            space = _EMS[" "]
        elif ord(char) >= _WIDE:
            if word:
                pieces.append((word, space))
                word, space = "", 0.0
            pieces.append((char, space))
            space = 0.0
        else:
            word += char
            if char == "-":
                pieces.append((word, space))
                word, space = "", 0.0
    if word:
        pieces.append((word, space))
    return pieces


class CardHTML(HTML):
    """A document made of our card templates: styled with CARD_UA_CSS instead of the
    full user-agent stylesheet (WeasyPrint has no option for it; _ua_stylesheets is
    where HTML picks it, and a test checks that it still does)."""

    def _ua_stylesheets(self, forms=False):
        return [stylesheet(CARD_UA_CSS)]


def font_config() -> FontConfiguration:
    """This thread's FontConfiguration, made once (making one is a third of a render)."""
    fonts = getattr(_local, "fonts", None)
    if fonts is None:
        fonts = _local.fonts = FontConfiguration()
    return fonts


def _fetcher() -> AssetFetcher:
    """This thread's fetcher, made once and given each document's assets in turn (a
    URLFetcher sets up urllib's ten handlers when made: 0.7 ms, 2% of a card)."""
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        fetcher = _local.fetcher = AssetFetcher({})
    return fetcher


@lru_cache(maxsize=64)
def stylesheet(css: str) -> CSS:
    """`css` parsed once: cards of a league (and every card of a sheet) share the text.

    It may fetch nothing (no @import, no url()): the fetcher has no assets.
    """
    return CSS(string=css, url_fetcher=AssetFetcher({}), base_url="asset:/")


def pdf_from_html(
    html: str,
    assets: dict[str, tuple[bytes, str]],
    css: str | None = None,
    *,
    codes: dict[str, str] | None = None,
    crop_marks_mm: float = 0.0,
) -> bytes:
    """The PDF of `html` (and of `css`, a stylesheet text kept parsed between calls).

    With `codes` (element id -> URL), the document is made of card templates (see
    CardHTML) and the QR code of each URL is drawn over the element of that id (see
    `_draw_codes`); an id that is not laid out on any page stops the rendering. With
    `crop_marks_mm` (the page bleed the stylesheet sets), crop marks are drawn in it.
    """
    fetcher = _fetcher()
    fetcher.assets = assets
    try:
        document = (CardHTML if codes is not None else HTML)(
            string=html, url_fetcher=fetcher, base_url="asset:/"
        )
        return document.write_pdf(
            font_config=font_config(),
            stylesheets=[stylesheet(css)] if css else None,
            finisher=_draw_codes(codes or {}, crop_marks_mm) if codes or crop_marks_mm else None,
        )
    except FatalURLFetchingError as error:  # a BaseException: would get past `except Exception`
        raise RenderError(f"{error}: {error.__cause__}") from error.__cause__
    finally:
        fetcher.assets = {}


def _draw_codes(codes: dict[str, str], crop_marks_mm: float = 0.0):
    """A WeasyPrint finisher that paints each URL's QR code (qr.qr_pdf) over the box of
    the element with its id, after everything else on the page, and any crop marks.

    WeasyPrint reports where each element with an id was laid out (Page.anchors: CSS
    px from the page's top left). The page's own drawing is wrapped in q/Q, so the
    codes are drawn in the page's default coordinates (points from the bottom left of
    the page box: the trim box, when the page has a bleed around it).
    """

    def finish(document, pdf) -> None:
        drawn = set()
        for page, number in zip(document.pages, pdf.pages["Kids"][::3], strict=True):
            operators = []
            if crop_marks_mm:
                size = (page.width * PT_PER_PX, page.height * PT_PER_PX)
                operators.append(_crop_marks(*size, crop_marks_mm * PT_PER_MM))
            for name, (left, top, right, bottom) in page.anchors.items():
                if name in codes:
                    size = min(right - left, bottom - top) * PT_PER_PX
                    x, y = left * PT_PER_PX, (page.height - top) * PT_PER_PX
                    operators.append(qr_pdf(codes[name], x, y, size))
                    drawn.add(name)
            if operators:
                reference = pdf.objects[number]["Contents"]  # b"<number> 0 R"
                content = pdf.objects[int(reference.split()[0])]
                content.stream[:0] = [b"q"]
                content.stream += [b"Q", *operators]
        if missing := codes.keys() - drawn:
            raise RenderError(f"no place laid out for the QR codes {sorted(missing)}")

    return finish


def _crop_marks(width: float, height: float, bleed: float) -> bytes:
    """PDF operators for crop marks around a trim box of `width` x `height` points:
    at each corner, the two trim lines carried on into the bleed (from CROP_GAP_PT off
    the trim edge to the bleed's edge), so a print shop's cutter can line up by eye.

    Not WeasyPrint's `marks: crop`: it paints them under the page's content, where the
    bands that bleed would cover them. These are drawn last, black on a white line
    three times as wide, so they show on the bands as well as on white.
    """
    lines = []
    for x in (0.0, width):
        for y in (0.0, height):
            out_x, out_y = (-1 if x == 0 else 1), (-1 if y == 0 else 1)
            lines.append(
                f"{x + out_x * CROP_GAP_PT:.3f} {y:.3f} m {x + out_x * bleed:.3f} {y:.3f} l"
            )
            lines.append(
                f"{x:.3f} {y + out_y * CROP_GAP_PT:.3f} m {x:.3f} {y + out_y * bleed:.3f} l"
            )
    path = " ".join(lines)
    return f"q 0 J 1 G 0.75 w {path} S 0 G 0.25 w {path} S Q".encode()


def card_css(content: dict, *, bleed: bool = False) -> str:
    """The single card's stylesheet: a page per side at the card's size (the trim box),
    then the card's own styles.

    With `bleed`, a print shop's file: WeasyPrint's page bleed adds BLEED_MM on each
    side (the PDF's MediaBox and BleedBox; the card's size is its TrimBox), the colour
    bands reach into it (cards/_card_css.html), and crop marks are drawn in it, over
    everything (`_crop_marks`). Text and the QR code stay inside the trim box, at least
    SAFE_MM from its edge.
    """
    width, height = CARD_SIZE_MM
    extra = f" bleed: {BLEED_MM}mm;" if bleed else ""
    page = (
        f"@page {{ size: {width}mm {height}mm; margin: 0;{extra} }}\n"
        "html, body { margin: 0; padding: 0; }\n"
        ".page { page-break-after: always; }\n"
        ".page:last-child { page-break-after: auto; }\n"
    )
    return page + render_template(
        "cards/_card_css.html", card=content, bleed=BLEED_MM if bleed else 0
    )


@lru_cache(maxsize=16)
def print_logo(data: bytes) -> bytes:
    """The league logo as the card prints it: flattened onto the white disc it sits on,
    at 160 px (over 500 dpi at 7.8 mm), as a JPEG (quality 95, no chroma subsampling).

    WeasyPrint copies a JPEG into the PDF as it is, but decodes and compresses a PNG
    again for every document (and splits a transparent one into colour and mask).
    """
    with Image.open(io.BytesIO(data)) as image:
        flat = to_rgb(image)
    flat.thumbnail((LOGO_PX, LOGO_PX), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=95, subsampling=0)
    return out.getvalue()


def card_pdf(content: dict, assets: dict[str, tuple[bytes, str]], *, bleed: bool = False) -> bytes:
    """One card, front and back, at ID-1 size (85.6 x 54 mm); with `bleed`, for a print
    shop: 89.6 x 58 mm pages with the card as their trim box (see `card_css`).

    The photo goes in as stored: 600 x 750 px JPEG (about 690 dpi at 22 x 27.5 mm),
    which WeasyPrint copies into the PDF without decoding it. The QR code is drawn on
    both sides, over the elements with ids qr-front and qr-back.
    """
    if "logo" in assets:
        assets = {**assets, "logo": (print_logo(assets["logo"][0]), "image/jpeg")}
    html = render_template(
        "cards/card_pdf.html", card=content, name_pt=name_size_pt(content["name"])
    )
    url = content["verify_url"]
    return pdf_from_html(
        html,
        assets,
        css=card_css(content, bleed=bleed),
        codes={"qr-front": url, "qr-back": url},
        crop_marks_mm=BLEED_MM if bleed else 0.0,
    )
