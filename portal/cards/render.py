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


def name_size_pt(name: str, base: float = 12.0, fits: int = 20, smallest: float = 5.6) -> float:
    """Long names shrink rather than overflow: 12 pt for a short name, down to 5.6 pt,
    where three lines of the name column hold about 90 Latin letters. Wide scripts
    (CJK) count double."""
    width = sum(2 if ord(char) >= 0x2E80 else 1 for char in name)
    return round(max(smallest, min(base, base * fits / max(width, 1))), 2)


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
) -> bytes:
    """The PDF of `html` (and of `css`, a stylesheet text kept parsed between calls).

    With `codes` (element id -> URL), the document is made of card templates (see
    CardHTML) and the QR code of each URL is drawn over the element of that id (see
    `_draw_codes`); an id that is not laid out on any page stops the rendering.
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
            finisher=_draw_codes(codes) if codes else None,
        )
    except FatalURLFetchingError as error:  # a BaseException: would get past `except Exception`
        raise RenderError(f"{error}: {error.__cause__}") from error.__cause__
    finally:
        fetcher.assets = {}


def _draw_codes(codes: dict[str, str]):
    """A WeasyPrint finisher that paints each URL's QR code (qr.qr_pdf) over the box of
    the element with its id, after everything else on the page.

    WeasyPrint reports where each element with an id was laid out (Page.anchors: CSS
    px from the page's top left). The page's own drawing is wrapped in q/Q, so the
    codes are drawn in the page's default coordinates (points from the bottom left).
    """

    def finish(document, pdf) -> None:
        drawn = set()
        for page, number in zip(document.pages, pdf.pages["Kids"][::3], strict=True):
            operators = []
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


def card_css(content: dict, *, bleed: bool = False) -> str:
    """The single card's stylesheet: a page per side, the card's size plus any bleed
    margin around it (the card sits centred in it), then the card's own styles."""
    extra = BLEED_MM if bleed else 0.0
    width, height = (round(side + 2 * extra, 3) for side in CARD_SIZE_MM)
    page = (
        f"@page {{ size: {width}mm {height}mm; margin: 0; }}\n"
        "html, body { margin: 0; padding: 0; }\n"
        f".page {{ padding: {extra}mm; page-break-after: always; }}\n"
        ".page:last-child { page-break-after: auto; }\n"
    )
    return page + render_template("cards/_card_css.html", card=content)


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
    """One card, front and back, at ID-1 size (85.6 x 54 mm), optionally with bleed.

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
    )
