"""Outgoing mail through one small module.

`send_mail()` renders the message now (in the request, where links can be
built) and hands it to the background worker once the database transaction
commits, so a rolled-back change never sends mail. `MAIL_URL` picks how the
worker delivers it:

- `file:///path/to/folder` (default): log it and write an .eml file a
  developer can open, links included;
- `console://`: log it only;
- `smtp://user:password@host:587` (STARTTLS) or `smtps://...:465` (TLS).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import current_app, render_template
from jinja2 import TemplateNotFound

from portal.core.tasks import app_task
from portal.core.transactions import after_commit

log = logging.getLogger(__name__)
MISSING_TEMPLATES = "mail.missing_templates"  # app.extensions key: names known not to exist


def send_mail(to: str, subject: str, template: str, **context) -> None:
    """Queue a message built from `templates/mail/<template>.txt` (and `.html`).

    It is handed to the worker only when the current transaction commits.
    """
    message = {
        "to": to,
        "subject": subject,
        "text": render_template(f"mail/{template}.txt", **context),
        "html": _render_optional(f"mail/{template}.html", **context),
    }
    after_commit(lambda: deliver_mail(message))


def _render_optional(name: str, **context) -> str | None:
    """`name` rendered, or None if there is no such template (most mails are text only).

    A template found missing is remembered by the app, so a mail does not search
    every template folder for it again. Not while templates auto-reload (debug):
    a template added then is used at once.
    """
    reloading = current_app.jinja_env.auto_reload
    missing = current_app.extensions.setdefault(MISSING_TEMPLATES, set())
    if not reloading and name in missing:
        return None
    try:
        return render_template(name, **context)
    except TemplateNotFound as error:
        if error.name == name and not reloading:  # not a missing include inside it
            missing.add(name)
        return None


def build_message(message: dict, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message["to"]
    email["Subject"] = message["subject"]
    email["Date"] = datetime.now(UTC)
    email["Message-ID"] = make_msgid(domain="leaguebadge")
    email.set_content(message["text"])
    if message.get("html"):
        email.add_alternative(message["html"], subtype="html")
    return email


@app_task(retries=3, retry_delay=30)
def deliver_mail(message: dict) -> None:
    """Deliver one message through the backend MAIL_URL names."""
    url = urlparse(current_app.config["MAIL_URL"])
    email = build_message(message, current_app.config["MAIL_FROM"])
    log.info("mail to=%s subject=%r\n%s", message["to"], message["subject"], message["text"])
    if url.scheme == "file":
        folder = Path(url.path)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        (folder / f"{stamp}.eml").write_bytes(bytes(email))
    elif url.scheme in {"smtp", "smtps"}:
        _send_smtp(url, email)
    elif url.scheme != "console":
        raise ValueError(f"unsupported MAIL_URL scheme {url.scheme!r}")


def _send_smtp(url, email: EmailMessage) -> None:
    context = ssl.create_default_context()
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(url.hostname, url.port or 465, context=context, timeout=30)
    else:
        client = smtplib.SMTP(url.hostname, url.port or 587, timeout=30)
    with client:
        if url.scheme == "smtp" and (url.port or 587) != 25:
            client.starttls(context=context)
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(email)
