"""Helpers for the accounts tests: reading links out of mail and fields out of pages."""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

from sqlalchemy import func, select

from portal.accounts.models import OneTimeToken, User
from portal.extensions import db

LINK = re.compile(r"https?://\S+")


def link_in(message) -> str:
    """The path (with query) of the one link in a parsed mail's text body."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = LINK.findall(body)
    assert len(links) == 1, body
    parsed = urlparse(links[0])
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def field_error(page: str, name: str) -> str | None:
    """The error text shown under form field `name`, or None."""
    found = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else None


def input_value(page: str, name: str) -> str | None:
    """The value attribute of input `name` as rendered, or None if it has none."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def csrf_token_in(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def signed_in_as(client) -> str | None:
    """The session id (`<user id>:<auth version>`) the client carries, if any."""
    with client.session_transaction() as session:
        return session.get("_user_id")


def reload(user: User) -> User:
    """The user as the database has it now (requests commit in their own session)."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def count_tokens() -> int:
    return db.session.scalar(select(func.count()).select_from(OneTimeToken))
