"""Absolute links for mail and other places outside a request."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def absolute_url(endpoint: str, **values) -> str:
    """A full URL: on BASE_URL when set, else on the host of the current request.

    Jobs and CLI commands have no request, so they build links on BASE_URL
    (or the development address when that is unset).
    """
    base = current_app.config.get("BASE_URL")
    if has_request_context():
        path = url_for(endpoint, **values)
        return (base + path) if base else url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or FALLBACK_BASE_URL):
        return url_for(endpoint, _external=True, **values)
