"""Error answers: JSON with a stable shape for JSON clients, friendly HTML otherwise.

JSON errors always look like
`{"error": {"status": 404, "code": "not_found", "message": "..."}}`.
Any failed request rolls the session back first, so nothing half-written
survives an error.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db, htmx

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in to continue.",
    403: "You do not have access to this page.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    413: "That file is too large. Files can be up to 10 MB.",
    422: "Some of the information is not valid.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. Please try again.",
    503: "The service is temporarily unavailable. Please try again shortly.",
}


def error_code(status: int) -> str:
    """A stable machine-readable code for an HTTP status (404 -> not_found)."""
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def wants_json() -> bool:
    """Does the client prefer JSON to HTML (API clients, fetch with Accept)?"""
    if request.path.startswith(("/api/", "/healthz", "/webhooks/")) or request.is_json:
        return True
    if request.path.endswith(".json"):  # /v/<token>.json and the like
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and (
        request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def json_error(status: int, message: str, code: str | None = None, **extra):
    """The one JSON error shape every API answer uses."""
    body = {"status": status, "code": code or error_code(status), "message": message, **extra}
    return jsonify(error=body), status


def _message_for(error: HTTPException) -> str:
    if isinstance(error, CSRFError):
        return "This form has expired. Please reload the page and try again."
    status = error.code or 500
    default = (type(error).description or "").strip()
    description = (error.description or "").strip()
    if description and description != default and status < 500:
        return description
    return MESSAGES.get(status, error.name)


def handle_http_error(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    message = _message_for(error)
    if wants_json():
        response, status = json_error(status, message)
    elif htmx:
        response = render_template("errors/_error.html", status=status, message=message)
    else:
        response = render_template("errors/error.html", status=status, message=message)
    headers = error.get_response().headers if status in (405, 429) else {}
    return response, status, {k: v for k, v in headers.items() if k in ("Allow", "Retry-After")}


def handle_unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.testing:  # tests see the real exception
        app.register_error_handler(Exception, handle_unexpected)
