"""Per-client rate limits for the hottest public routes, one storage call each.

Flask-Limiter's decorator costs about 0.4 ms a request (it resolves and filters
every limit before the view and deducts after it), a fifth of the public check
page's whole budget when a field of referees scans at kick-off. Those routes
count their hits here instead, through the same storage (memory, or Redis in
production) and the same `limits` strategy Flask-Limiter set up, so its config,
`RATELIMIT_ENABLED` and `limiter.reset()` still apply. Every other route keeps
the decorator.
"""

from __future__ import annotations

import time
from functools import cache

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

from portal.extensions import limiter


def skip_limiter(view):
    """Flask-Limiter leaves this view alone, before and after it: the view counts its
    own hits with hit/check/count below, or (the Stripe webhook) is never limited."""
    view.skips_limiter = True
    return view


@limiter.request_filter
def _skips_limiter() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "skips_limiter", False)


@cache
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


def hit(limit: str, scope: str, message: str) -> None:
    """Count one hit for this client; past the limit, answer 429 (`message`, Retry-After)."""
    if limiter.enabled and not limiter.limiter.hit(_item(limit), scope, get_remote_address()):
        _refuse(limit, scope, message)


def check(limit: str, scope: str, message: str) -> None:
    """Answer 429 if this client has used up the limit, without counting a hit."""
    if limiter.enabled and not limiter.limiter.test(_item(limit), scope, get_remote_address()):
        _refuse(limit, scope, message)


def count(limit: str, scope: str) -> None:
    """Count one hit for this client, whatever the outcome (it shows on the next check)."""
    if limiter.enabled:
        limiter.limiter.hit(_item(limit), scope, get_remote_address())


def _refuse(limit: str, scope: str, message: str) -> None:
    reset = limiter.limiter.get_window_stats(_item(limit), scope, get_remote_address()).reset_time
    raise TooManyRequests(message, retry_after=max(1, int(reset - time.time())))
