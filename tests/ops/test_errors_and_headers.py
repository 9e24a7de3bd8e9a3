"""Error answers (JSON or friendly HTML), security headers and request ids."""

from __future__ import annotations

import json
import logging
import re

import pytest

from portal import create_app
from portal.core.logs import JSONFormatter
from portal.core.permissions import Role


def test_json_client_gets_json_errors_with_a_stable_shape(client):
    """Does a JSON client get {"error": {status, code, message}}?"""
    response = client.get("/l/nope/", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"status": 404, "code": "not_found", "message": "We could not find that page."}
    }


def test_browser_gets_a_friendly_error_page(client):
    response = client.get("/l/nope/")
    assert response.status_code == 404 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "We could not find that page." in page and "Go to the start page" in page


def test_htmx_error_is_a_small_fragment(client):
    response = client.get("/l/nope/", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "<html" not in response.get_data(as_text=True)


def test_wrong_method_is_405_with_allow(client):
    response = client.get("/logout")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_unexpected_error_is_a_500_page_and_logged(tmp_path, caplog):
    """Does a crash answer a friendly 500 (HTML and JSON) instead of a traceback?"""
    app = create_app(
        {
            "APP_ENV": "development",
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            "STORAGE_URL": f"file://{tmp_path}/s",
            "MAIL_URL": f"file://{tmp_path}/m",
        }
    )

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)
    assert client.get("/boom", headers={"Accept": "application/json"}).get_json()["error"][
        "code"
    ] == ("internal_server_error")
    assert any("kaboom" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_csrf_failure_explains_itself(client, csrf_on):
    response = client.post("/forgot-password", data={"email": "a@example.com"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_security_headers(client):
    """Are the security headers on every page, with a CSP that allows no inline script?"""
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers
    assert (
        "max-age="
        in client.get("/", base_url="https://portal.example.com").headers[
            "Strict-Transport-Security"
        ]
    )


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/", False),
        ("/login", False),
        ("/signup", False),
        ("/forgot-password", False),
        ("/l/alpha/", True),
        ("/l/alpha/people/", True),
        ("/l/alpha/settings", True),
        ("/account", True),
        ("/admin/", True),
        ("/admin/leagues/new", True),
    ],
)
def test_pages_have_no_inline_script_or_style(client, login, make, path, signed_in):
    """Do pages carry no inline script, event handler or style attribute (CSP-safe)?"""
    league = make.league("alpha")
    if signed_in:
        login(make.member(league, Role.ADMIN, platform_admin=True))
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script>"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"
    assert not re.search(r"\sstyle=", page), "inline style attribute"
    assert "X-CSRFToken" in page  # htmx requests carry the token


def test_request_id_is_echoed_and_logged(client, caplog):
    """Does each request get an id, echoed in the response and attached to its log lines?"""
    with caplog.at_level(logging.INFO, logger="portal.access"):
        response = client.get("/login", headers={"X-Request-ID": "abc12345-from-router"})
    assert response.headers["X-Request-ID"] == "abc12345-from-router"
    (record,) = [r for r in caplog.records if r.name == "portal.access"]
    line = json.loads(JSONFormatter().format(record))
    assert line["request_id"] == "abc12345-from-router"
    assert line["path"] == "/login" and line["status"] == 200 and "duration_ms" in line


def test_a_strange_request_id_is_replaced(client):
    response = client.get("/login", headers={"X-Request-ID": "<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_static_assets_are_versioned_and_cached(client):
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page).group(1)
    with client.get(css) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
    assert re.search(r'src="/static/vendor/htmx\.min\.js\?v=[0-9a-f]{12}"', page)
