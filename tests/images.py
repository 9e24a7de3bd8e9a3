"""Image bytes for upload tests."""

from __future__ import annotations

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
