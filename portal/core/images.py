"""Checking and normalising uploaded images by their content, never their name.

Pillow reads only the header before we check the pixel count, so a small
file that would decompress into gigabytes (a "decompression bomb") is
refused before it is decoded. Re-encoding drops every piece of metadata.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()  # iPhone photos arrive as HEIC

MB = 1024 * 1024
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF"})
PHOTO_MAX_BYTES = 10 * MB
PHOTO_MAX_PIXELS = 40_000_000
CARD_PHOTO_SIZE = (600, 750)  # the card's portrait ratio, 4:5
THUMB_SIZE = (240, 300)


class ImageError(ValueError):
    """An upload that is not an acceptable image; the message is for the user."""


def open_image(
    data: bytes, *, max_bytes: int, max_pixels: int, formats: frozenset[str]
) -> Image.Image:
    """Open and fully decode an image after checking size, type and pixel count."""
    if not data:
        raise ImageError("The file is empty. Please choose an image.")
    if len(data) > max_bytes:
        raise ImageError(
            f"The file is larger than {max_bytes // MB} MB. Please choose a smaller one."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(formats))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(
                    f"The image is too large ({width}x{height} pixels). "
                    f"Please use one under {max_pixels // 1_000_000} megapixels."
                )
            image.load()
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            f"The image is too large. Please use one under {max_pixels // 1_000_000} megapixels."
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            "This file is not an image we can use. Please choose a "
            + format_names(formats)
            + " file."
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageError(
            "This image file is damaged or incomplete. Please choose another."
        ) from None
    return ImageOps.exif_transpose(image)


def format_names(formats: frozenset[str]) -> str:
    """ "JPEG, PNG or WebP": the accepted formats, as people call them."""
    names = sorted({"HEIF": "HEIC", "WEBP": "WebP"}.get(f, f) for f in formats)
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def normalise_logo(data: bytes) -> bytes:
    """A league logo: PNG, JPEG or WebP in; a PNG of at most 512x512, no metadata, out."""
    image = open_image(
        data,
        max_bytes=2 * MB,
        max_pixels=16_000_000,
        formats=frozenset({"PNG", "JPEG", "WEBP"}),
    )
    image = image.convert("RGBA")
    image.thumbnail((512, 512))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white and drop everything but the pixels."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    clean = image.convert("RGB")
    clean.info = {}
    return clean


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    """Encode as a progressive JPEG with no EXIF, XMP or other metadata."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def stage_photo(data: bytes) -> tuple[bytes, int, int]:
    """A phone photo made safe to keep: upright, metadata stripped, at most 2000 px.

    Returns the JPEG and its size; cropping comes later, once the user has
    chosen the crop on this image.
    """
    image = open_image(
        data, max_bytes=PHOTO_MAX_BYTES, max_pixels=PHOTO_MAX_PIXELS, formats=PHOTO_FORMATS
    )
    image = to_rgb(image)
    image.thumbnail((2000, 2000), Image.Resampling.LANCZOS)
    return jpeg_bytes(image, quality=90), image.width, image.height


@dataclass(frozen=True)
class Crop:
    """A portrait crop box as fractions of the image: left, top and width (0..1)."""

    x: float
    y: float
    width: float

    @classmethod
    def parse(cls, x, y, width) -> Crop | None:
        """From form values; None (meaning "the default crop") if missing or nonsense."""
        try:
            values = [float(v) for v in (x, y, width)]
        except (TypeError, ValueError):
            return None
        if not all(0 <= v <= 1 for v in values) or values[2] <= 0.01:
            return None
        return cls(*values)


def crop_box(width: int, height: int, crop: Crop | None) -> tuple[int, int, int, int]:
    """The pixel box of a 4:5 crop inside a width x height image.

    The user's box is shrunk to fit and slid back inside the image if it runs
    off an edge. Without a crop, the largest 4:5 box, centred across and a
    little above centre down, where faces usually are.
    """
    ratio = CARD_PHOTO_SIZE[0] / CARD_PHOTO_SIZE[1]
    largest_w = min(width, int(height * ratio))
    box_w = largest_w if crop is None else max(1, min(largest_w, round(crop.width * width)))
    box_h = min(height, round(box_w / ratio))
    if crop is None:
        left = (width - box_w) // 2
        top = round((height - box_h) * 0.4)
    else:
        left, top = round(crop.x * width), round(crop.y * height)
    left = min(max(left, 0), width - box_w)
    top = min(max(top, 0), height - box_h)
    return left, top, left + box_w, top + box_h


def card_photo(staged_jpeg: bytes, crop: Crop | None) -> tuple[bytes, bytes]:
    """The card photo (600x750) and its thumbnail (240x300) from a staged photo."""
    with Image.open(io.BytesIO(staged_jpeg), formats=["JPEG"]) as image:
        portrait = image.convert("RGB").crop(crop_box(image.width, image.height, crop))
    card = portrait.resize(CARD_PHOTO_SIZE, Image.Resampling.LANCZOS)
    thumb = portrait.resize(THUMB_SIZE, Image.Resampling.LANCZOS)
    return jpeg_bytes(card, quality=82), jpeg_bytes(thumb, quality=78)
