"""Helpers shared by form views."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import request, url_for


def add_error(form, field: str | None, message: str) -> None:
    """Attach a service's complaint to a form field (or to the form as a whole)."""
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


def safe_next(default_endpoint: str = "home.index", **values) -> str:
    """The `next` URL if it stays on this site, else a default page."""
    target = request.values.get("next", "")
    parsed = urlparse(target)
    if target.startswith("/") and not target.startswith("//") and not parsed.netloc:
        return target
    return url_for(default_endpoint, **values)
