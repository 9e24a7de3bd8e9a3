"""Helpers for the upload tests: multipart posts built in memory, the files refused and
why, and reading back what was stored. The names keep their leading underscore so the
moved tests read as before."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.core.storage import get_storage
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.players.models import PlayerProfile, StagedUpload
from tests.images import SVG_WITH_SCRIPT, jpeg, png_bomb

MB = 1024 * 1024


def _fields(**changes) -> dict:
    values = {
        "who": "child",
        "first_name": "Mia",
        "last_name": "Parent",
        "date_of_birth": "2016-03-14",
        "phone": "+1 555 0100",
        "emergency_name": "Pat Parent",
        "emergency_phone": "+1 555 0101",
        "document_kind": "passport",
    }
    values.update(changes)
    return values


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def _post(client, url: str, fields: dict, **headers):
    """A multipart POST built in memory: the test client's own encoder spools big bodies
    to a temporary file it never closes (a ResourceWarning, an error in this suite)."""
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


def _upload(client, kind: str, data: bytes, name: str = "file.jpg", **headers):
    return _post(
        client, f"/l/riverside/players/uploads/{kind}", {"file": _file(data, name)}, **headers
    )


def _post_form(client, url="/l/riverside/players/new", **fields):
    return _post(client, url, _fields(**fields))


def _token(html: str, kind: str) -> str:
    return re.search(rf'name="{kind}_upload" value="([^"]+)"', html).group(1)


def _stored_files(root: Path) -> list[str]:
    return (
        sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


def _staged_rows() -> int:
    with unscoped():
        return db.session.scalar(select(db.func.count()).select_from(StagedUpload))


def _only_profile() -> PlayerProfile:
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(PlayerProfile)).one()


def _image(key: str) -> Image.Image:
    image = Image.open(io.BytesIO(get_storage().get(key)))
    image.load()
    return image


def _colour(image: Image.Image, x: int, y: int) -> str:
    red, green, blue = image.convert("RGB").getpixel((x, y))[:3]
    if red > 200 and green < 60 and blue < 60:
        return "red"
    if blue > 200 and red < 60 and green < 60:
        return "blue"
    return f"rgb({red},{green},{blue})"


def _halves(width: int, height: int, left: str = "red", right: str = "blue") -> bytes:
    image = Image.new("RGB", (width, height), right)
    image.paste(Image.new("RGB", (width // 2, height), left), (0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


REFUSED = [
    ("photo", b"just some text, honestly\n" * 20, "notes.jpg", "not an image we can use"),
    ("photo", SVG_WITH_SCRIPT, "face.svg", "not an image we can use"),
    ("photo", jpeg(400, 400)[:300], "cut.jpg", "damaged or incomplete"),
    ("photo", b"\xff\xd8\xff\xe0" + b"\0" * (11 * MB), "huge.jpg", "larger than 10 MB"),
    ("photo", png_bomb(), "bomb.png", "under 40 megapixels"),
    ("document", b"just some text\n" * 20, "birth.pdf", "Please choose a PDF"),
    ("document", SVG_WITH_SCRIPT, "birth.svg", "Please choose a PDF"),
    ("document", b"%PDF-1.4\n" + b"garbage" * 50, "broken.pdf", "damaged or incomplete"),
    ("document", b"%PDF-1.4\n" + b"\0" * (11 * MB), "huge.pdf", "larger than 10 MB"),
]
REFUSED_IDS = [
    "text",
    "svg",
    "truncated",
    "11mb",
    "bomb",
    "doc-text",
    "doc-svg",
    "bad-pdf",
    "doc-11mb",
]
