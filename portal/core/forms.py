"""Helpers shared by form views."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import request, url_for


def strip(value):
    """A field filter: phones add stray spaces around pasted names and addresses."""
    return value.strip() if isinstance(value, str) else value


def add_error(form, field: str | None, message: str) -> None:
    """Attach a service's complaint to a form field (or to the form as a whole)."""
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


def safe_next(default_endpoint: str = "home.index", **values) -> str:
    """The `next` URL if it stays on this site, else a default page."""
    target = request.values.get("next", "")
    # Browsers read a backslash as a slash, so "/\\evil.example" means "//evil.example".
    normalised = target.replace("\\", "/")
    parsed = urlparse(normalised)
    if (
        normalised.startswith("/")
        and not normalised.startswith("//")
        and not parsed.netloc
        and not any(ord(c) < 32 for c in normalised)
    ):
        return target
    return url_for(default_endpoint, **values)
