"""One route, two answers: the whole page, or just the fragment htmx asked for.

A page template includes its fragment; `render()` returns only the fragment
to an htmx request that is neither boosted nor a history restore, plus any
flash messages as an out-of-band swap so they show for fragments too.
"""

from __future__ import annotations

from flask import make_response, render_template, session
from flask.typing import ResponseReturnValue

from portal.extensions import htmx


def is_fragment_request() -> bool:
    """Should this request get a fragment rather than a full page?"""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(
    template: str, fragment: str | None = None, status: int = 200, **context
) -> ResponseReturnValue:
    """Render `template`, or `fragment` with flashes out of band for htmx."""
    if fragment and is_fragment_request():
        body = render_template(fragment, **context)
        if flashes_pending():
            body += render_template("_flashes.html", oob=True)
        return make_response(body, status)
    return make_response(render_template(template, **context), status)


def flashes_pending() -> bool:
    """Peek at the flash queue without consuming it."""
    return bool(session.get("_flashes"))


def hx_redirect(url: str) -> ResponseReturnValue:
    """Redirect that works for htmx (a full page load) and for plain form posts (303)."""
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response("", 303)
    response.headers["Location"] = url
    return response


def vary_on_htmx(response):
    """The same URL answers differently to htmx: caches must key on the header."""
    response.vary.add("HX-Request")
    return response


def init_app(app) -> None:
    app.after_request(vary_on_htmx)
    app.jinja_env.globals["is_fragment_request"] = is_fragment_request
