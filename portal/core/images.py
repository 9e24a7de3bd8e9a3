"""Checking and normalising uploaded images by their content, never their name.

Pillow reads only the header before we check the pixel count, so a small
file that would decompress into gigabytes (a "decompression bomb") is
refused before it is decoded. Re-encoding drops every piece of metadata.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MB = 1024 * 1024


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
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            "This file is not an image we can use. Please choose a "
            + ", ".join(sorted(formats))
            + " file."
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageError(
            "This image file is damaged or incomplete. Please choose another."
        ) from None
    return ImageOps.exif_transpose(image)


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
