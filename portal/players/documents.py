"""Proof-of-age documents: a photo or a PDF of a birth certificate, passport or licence.

Checked by content. A photo is re-encoded (upright, no metadata, readable
size); a PDF is kept as sent, after checking it opens, and gets a preview
image of its first page so the registrar sees it beside the player's photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image

from portal.core.images import (
    PHOTO_FORMATS,
    PHOTO_MAX_PIXELS,
    ImageError,
    format_names,
    jpeg_bytes,
    open_image,
    to_rgb,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 20
PREVIEW_WIDTH = 1200
PREVIEW_MAX_PIXELS = 4_000_000


@dataclass(frozen=True)
class CheckedDocument:
    data: bytes
    content_type: str
    extension: str
    preview: bytes  # a JPEG of the (first page of the) document


def check_document(data: bytes) -> CheckedDocument:
    """Accept a PDF or an image; raise ImageError with a message for the user."""
    if not data:
        raise ImageError("The file is empty. Please choose the document again.")
    if len(data) > MAX_BYTES:
        raise ImageError("The file is larger than 10 MB. Please choose a smaller one.")
    if data.lstrip()[:5] == b"%PDF-":
        return _check_pdf(data)
    try:
        image = open_image(
            data, max_bytes=MAX_BYTES, max_pixels=PHOTO_MAX_PIXELS, formats=PHOTO_FORMATS
        )
    except ImageError as error:
        if "not an image we can use" in str(error):
            raise ImageError(
                f"Please choose a PDF, or a {format_names(PHOTO_FORMATS)} photo of the document."
            ) from None
        raise
    image = to_rgb(image)
    image.thumbnail((2400, 2400), Image.Resampling.LANCZOS)
    readable = jpeg_bytes(image, quality=85)
    return CheckedDocument(readable, "image/jpeg", "jpg", readable)


def _check_pdf(data: bytes) -> CheckedDocument:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise ImageError(
                "This PDF is protected by a password. Please upload one without a password."
            ) from None
        raise ImageError("This PDF is damaged or incomplete. Please choose another.") from None
    try:
        if len(pdf) == 0:
            raise ImageError("This PDF has no pages. Please choose another.")
        if len(pdf) > MAX_PAGES:
            raise ImageError(
                f"This PDF has more than {MAX_PAGES} pages. Please upload the page "
                "that shows the date of birth."
            )
        preview = _render_first_page(pdf)
    finally:
        pdf.close()
    return CheckedDocument(data, "application/pdf", "pdf", preview)


def _render_first_page(pdf) -> bytes:
    page = pdf[0]
    try:
        width, height = page.get_size()  # points
        if width <= 0 or height <= 0:
            raise ImageError("This PDF's first page is empty. Please choose another.")
        scale = min(PREVIEW_WIDTH / width, 3.0, (PREVIEW_MAX_PIXELS / (width * height)) ** 0.5)
        bitmap = page.render(scale=scale)
        try:
            image = bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()
    return jpeg_bytes(image, quality=80)
