"""Image bytes for upload tests."""

from __future__ import annotations

import functools
import io

from PIL import Image


def png(width: int = 64, height: int = 64, colour: str = "#0f766e") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int = 64, height: int = 64, colour: str = "#1e3a8a") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return out.getvalue()


def exif_rotated_jpeg(width: int = 400, height: int = 300) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90° clockwise", with a GPS position.

    The left half is red and the right half blue, so the orientation of the
    result can be checked by colour.
    """
    image = Image.new("RGB", (width, height), "blue")
    image.paste(Image.new("RGB", (width // 2, height), "red"), (0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 0.0)  # GPSLatitudeRef, GPSLatitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def heic(width: int = 300, height: int = 400) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(out, format="HEIF")
    return out.getvalue()


def webp(width: int = 300, height: int = 400) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#993366").save(out, format="WEBP")
    return out.getvalue()


@functools.cache
def png_bomb(side: int = 20000) -> bytes:
    """A real side x side greyscale PNG (400 megapixels at 20000) that compresses to ~400 KB."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + black pixels
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def pdf(pages: int = 1) -> bytes:
    images = [Image.new("RGB", (420, 595), "white") for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:])
    return out.getvalue()


SVG_WITH_SCRIPT = (
    b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
    b"<script>alert(document.cookie)</script></svg>"
)
