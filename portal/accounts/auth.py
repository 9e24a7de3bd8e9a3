"""Password hashing (argon2) and the Flask-Login wiring."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask
from sqlalchemy import select

from portal.extensions import db, login_manager

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash of a random password, verified when the email is unknown so that a wrong
    email takes as long as a wrong password. Made on first use, not at import: argon2
    takes 64 MiB for it, which every process importing the app (web workers, the
    worker, card sheet renderers) would otherwise pay at start-up."""
    return _hasher.hash("not-a-real-password-3f9c1e")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; constant work even for unknown users."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def load_user(session_id: str):
    """Resolve `<id>:<auth_version>`; an old version means the password changed."""
    from portal.accounts.models import User

    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    return db.session.execute(
        select(User).where(User.id == int(user_id), User.auth_version == int(version))
    ).scalar_one_or_none()


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
