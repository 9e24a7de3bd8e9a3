"""A development mailbox: read the mail the file backend wrote, links clickable.

Registered only outside production and only with the file mail backend, so a
developer trying `make run` can confirm an email or reset a password without
a mail server.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlparse

from flask import Blueprint, abort, current_app

from portal.core.htmx import render

bp = Blueprint("mailbox", __name__, url_prefix="/dev/mail")


def _folder() -> Path:
    return Path(urlparse(current_app.config["MAIL_URL"]).path)


def _read(path: Path) -> dict:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    body = message.get_body(preferencelist=("plain",))
    return {
        "id": path.stem,
        "to": message["To"],
        "subject": message["Subject"],
        "date": message["Date"],
        "text": body.get_content() if body else "",
    }


@bp.get("/")
def index():
    folder = _folder()
    paths = sorted(folder.glob("*.eml"), reverse=True)[:50] if folder.is_dir() else []
    return render("ops/mailbox.html", messages=[_read(p) for p in paths])


@bp.get("/<message_id>")
def show(message_id: str):
    path = _folder() / f"{message_id}.eml"
    if not message_id.replace("T", "").isdigit() or not path.is_file():
        abort(404)
    return render("ops/mail_message.html", message=_read(path))
