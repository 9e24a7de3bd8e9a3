"""Card PDFs with WeasyPrint: one card (front and back) or a sheet of many.

WeasyPrint only ever sees what we hand it: the HTML from our templates, the
photo and logo bytes we pass in, and fonts from the system. Its URL fetcher
answers `asset:<name>` from those bytes and refuses every other URL (no
network, no `file://`), and a refused fetch stops the rendering (as a
RenderError) rather than printing a card with a hole in it.

Speed (a card is made on every change, and a sheet holds 500): the two costly
things that do not change between cards are made once and kept. A
FontConfiguration (fontconfig and pango's font map, about a third of a cold
render) is kept per thread, since pango's font map is not thread-safe and the
worker runs threads. The card's stylesheet is parsed once per distinct text (a
league's colours and the bleed option) and handed to WeasyPrint as a parsed
stylesheet, instead of a <style> parsed again for every card.
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

from portal.cards.qr import qr_svg
from portal.core.images import to_rgb

# Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process,
# which would let a damaged upload through portal.core.images in any process that has
# made a card. Our card images are our own, already checked: keep Pillow strict.
ImageFile.LOAD_TRUNCATED_IMAGES = False

log = logging.getLogger(__name__)
CARD_SIZE_MM = (85.6, 54.0)
BLEED_MM = 2.0
LOGO_PX = 160
_local = threading.local()


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


def font_config() -> FontConfiguration:
    """This thread's FontConfiguration, made once (making one is a third of a render)."""
    fonts = getattr(_local, "fonts", None)
    if fonts is None:
        fonts = _local.fonts = FontConfiguration()
    return fonts


@lru_cache(maxsize=64)
def stylesheet(css: str) -> CSS:
    """`css` parsed once: cards of a league (and every card of a sheet) share the text.

    It may fetch nothing (no @import, no url()): the fetcher has no assets.
    """
    return CSS(string=css, url_fetcher=AssetFetcher({}), base_url="asset:/")


def pdf_from_html(html: str, assets: dict[str, tuple[bytes, str]], css: str | None = None) -> bytes:
    """The PDF of `html` (and of `css`, a stylesheet text kept parsed between calls)."""
    try:
        document = HTML(string=html, url_fetcher=AssetFetcher(assets), base_url="asset:/")
        return document.write_pdf(
            font_config=font_config(), stylesheets=[stylesheet(css)] if css else None
        )
    except FatalURLFetchingError as error:  # a BaseException: would get past `except Exception`
        raise RenderError(f"{error}: {error.__cause__}") from error.__cause__


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
    at 160 px (over 500 dpi at 7.8 mm). A 512 px logo with transparency would be
    decoded and split into colour and mask by WeasyPrint on every card."""
    with Image.open(io.BytesIO(data)) as image:
        flat = to_rgb(image)
    flat.thumbnail((LOGO_PX, LOGO_PX), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, format="PNG")
    return out.getvalue()


def card_pdf(content: dict, assets: dict[str, tuple[bytes, str]], *, bleed: bool = False) -> bytes:
    """One card, front and back, at ID-1 size (85.6 x 54 mm), optionally with bleed.

    The photo goes in as stored: 600 x 750 px JPEG (about 690 dpi at 22 x 27.5 mm),
    which WeasyPrint copies into the PDF without decoding it.
    """
    if "logo" in assets:
        assets = {**assets, "logo": (print_logo(assets["logo"][0]), "image/png")}
    html = render_template(
        "cards/card_pdf.html",
        card=content,
        qr=qr_svg(content["verify_url"]),
        name_pt=name_size_pt(content["name"]),
    )
    return pdf_from_html(html, assets, css=card_css(content, bleed=bleed))
