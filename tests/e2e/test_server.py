"""The production web server itself (gunicorn with gunicorn.conf.py), over real HTTP."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit


def _get(url: str, path: str) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def test_a_pasted_8_kb_token_reads_unknown_not_uri_too_long(live_server):
    """Does a long pasted "token" reach the check page (UNKNOWN) rather than gunicorn's
    414 page (its default request line limit is 4 KB)?"""
    status, body = _get(live_server.url, "/v/" + "z" * 8000)
    assert status == 404
    assert "UNKNOWN" in body
    assert "Request-URI Too Long" not in body
