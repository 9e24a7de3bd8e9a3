"""Helpers shared by the accounts view tests: the sign-up form's values, signing in
through the real form, and making one-time links expire."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from portal.accounts.models import OneTimeToken, TokenPurpose
from portal.core.db import utcnow
from portal.extensions import db
from tests.factories import PASSWORD

SIGNUP = {"full_name": "Ada Lovelace", "email": "ada@example.com", "password": "analytical engine"}


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def expire_tokens(purpose: TokenPurpose) -> None:
    db.session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.purpose == purpose)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
