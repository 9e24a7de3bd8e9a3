"""Absolute links for mail and other places outside a request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def absolute_url(endpoint: str, **values) -> str:
    """A full URL: on BASE_URL when set, else on the host of the current request.

    Jobs and CLI commands have no request, so they build links on BASE_URL (or
    the development address when that is unset) with the URL map directly;
    pushing a throwaway request context would run request teardown handlers
    in the middle of the job.
    """
    base = current_app.config.get("BASE_URL")
    if has_request_context():
        path = url_for(endpoint, **values)
        return (base + path) if base else url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or FALLBACK_BASE_URL)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
