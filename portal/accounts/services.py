"""Changes to accounts: sign-up, sign-in bookkeeping, verification and reset.

Services flush but never commit: the view commits once per request.
Problems a user can fix raise `AccountError` with a message for the form.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from portal.accounts.auth import hash_password, needs_rehash, verify_password
from portal.accounts.models import OneTimeToken, TokenPurpose, User
from portal.core.db import utcnow
from portal.core.mail import send_mail
from portal.core.tokens import hash_token, new_token
from portal.core.urls import absolute_url
from portal.extensions import db

TOKEN_LIFETIMES = {
    TokenPurpose.VERIFY_EMAIL: timedelta(days=3),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}


DUPLICATE_EMAIL = "An account with this email already exists. Sign in, or reset your password."


class AccountError(ValueError):
    """A problem the user can fix; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def create_user(email: str, password: str, full_name: str, *, verified: bool = False) -> User:
    """A new account; refuses an email that already has one."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError(DUPLICATE_EMAIL, field="email")
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None; upgrades old hashes."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def issue_token(user: User, purpose: TokenPurpose) -> str:
    """Store a new one-time token for `user` and return the raw value for the link."""
    raw, digest = new_token()
    db.session.add(
        OneTimeToken(
            user=user,
            purpose=purpose,
            token_hash=digest,
            email=user.email,
            expires_at=utcnow() + TOKEN_LIFETIMES[purpose],
        )
    )
    db.session.flush()
    return raw


def redeem_token(raw: str, purpose: TokenPurpose, *, consume: bool = True) -> OneTimeToken:
    """The live token for `raw`, marked used; raises AccountError if spent or expired."""
    token = db.session.execute(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == hash_token(raw), OneTimeToken.purpose == purpose
        )
    ).scalar_one_or_none()
    if token is None or token.used_at is not None:
        raise AccountError("This link has already been used or is not valid.")
    if token.expires_at <= utcnow():
        raise AccountError("This link has expired. Please ask for a new one.")
    if token.email != token.user.email:
        raise AccountError("This link was sent to an address you no longer use.")
    if consume:
        token.used_at = utcnow()
    return token


def send_verification(user: User) -> None:
    raw = issue_token(user, TokenPurpose.VERIFY_EMAIL)
    send_mail(
        user.email,
        "Confirm your email address",
        "verify_email",
        user=user,
        link=absolute_url("accounts.verify_email", token=raw),
    )


def verify_email(raw: str) -> User:
    token = redeem_token(raw, TokenPurpose.VERIFY_EMAIL)
    token.user.email_verified_at = token.user.email_verified_at or utcnow()
    return token.user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; silent otherwise."""
    user = find_user_by_email(email)
    if user is None:
        return
    raw = issue_token(user, TokenPurpose.RESET_PASSWORD)
    send_mail(
        user.email,
        "Reset your League Badge password",
        "reset_password",
        user=user,
        link=absolute_url("accounts.reset_password", token=raw),
    )


def reset_password(raw: str, new_password: str) -> User:
    """Set a new password from a reset link; signs out every other session."""
    token = redeem_token(raw, TokenPurpose.RESET_PASSWORD)
    user = token.user
    set_password(user, new_password)
    # The link reached the user's inbox, which proves the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def set_password(user: User, new_password: str) -> None:
    """New password: other sessions sign out and any reset link still in a mailbox dies."""
    user.password_hash = hash_password(new_password)
    user.auth_version += 1
    now = utcnow()
    db.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == TokenPurpose.RESET_PASSWORD,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )


def change_password(user: User, current: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not correct.", field="current_password")
    set_password(user, new_password)


def update_profile(user: User, full_name: str, email: str) -> bool:
    """Change name and email; a new email must be verified again. True if it changed."""
    user.full_name = full_name.strip()
    email = normalise_email(email)
    if email == user.email:
        return False
    if find_user_by_email(email) is not None:
        raise AccountError("Another account already uses this email.", field="email")
    user.email = email
    user.email_verified_at = None
    send_verification(user)
    return True
