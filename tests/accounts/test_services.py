"""Account services called directly: they flush, never commit, and raise AccountError."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.auth import hash_password, load_user, verify_password
from portal.accounts.models import OneTimeToken, TokenPurpose, User
from portal.accounts.services import AccountError
from portal.core.db import utcnow
from portal.core.tokens import hash_token
from portal.extensions import db
from tests.accounts.helpers import count_tokens, count_users, link_in
from tests.factories import PASSWORD


def test_create_user_normalises_the_email_and_hashes_the_password():
    """Does create_user store a trimmed lower-case email and an argon2id hash?"""
    user = services.create_user("  Ada@Example.COM ", "analytical engine", "  Ada Lovelace ")

    assert user.id is not None
    assert user.email == "ada@example.com"
    assert user.full_name == "Ada Lovelace"
    assert user.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(user.password_hash, "analytical engine")
    assert not user.email_verified
    assert services.create_user("b@example.com", "x" * 10, "B", verified=True).email_verified


def test_create_user_flushes_but_does_not_commit():
    """Does a rollback after create_user leave no account (the view owns the commit)?"""
    services.create_user("ada@example.com", "analytical engine", "Ada")
    db.session.rollback()

    assert count_users() == 0


@pytest.mark.parametrize("email", ["taken@example.com", "TAKEN@example.com", " taken@example.com"])
def test_create_user_refuses_a_taken_email_in_any_case(make, email):
    """Is a second account for the same address (any case) refused on the email field?"""
    make.user("taken@example.com")

    with pytest.raises(AccountError) as raised:
        services.create_user(email, "analytical engine", "Someone")

    assert raised.value.field == "email"
    assert "already exists" in str(raised.value)


def test_find_user_by_email_ignores_case_and_spaces(make):
    """Does a lookup find the account however the email is typed?"""
    user = make.user("player@example.com")

    assert services.find_user_by_email(" PLAYER@example.com ") is user
    assert services.find_user_by_email("nobody@example.com") is None


def test_authenticate_right_and_wrong(make):
    """Does authenticate return the user for the right password only, stamping the login?"""
    user = make.user("player@example.com")

    assert services.authenticate("player@example.com", "wrong password") is None
    assert services.authenticate("nobody@example.com", PASSWORD) is None
    assert user.last_login_at is None
    assert services.authenticate("Player@Example.com", PASSWORD) is user
    assert user.last_login_at is not None


def test_authenticate_upgrades_an_old_hash(make):
    """Is a hash made with weaker argon2 settings replaced on the next sign-in?"""
    user = make.user("player@example.com")
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    user.password_hash = weak
    db.session.commit()

    services.authenticate("player@example.com", PASSWORD)

    assert user.password_hash != weak
    assert verify_password(user.password_hash, PASSWORD)


def test_verify_password_copes_with_missing_and_broken_hashes():
    """Is a missing or malformed hash simply 'no match', never an exception?"""
    assert verify_password(hash_password("right password"), "right password")
    assert not verify_password(hash_password("right password"), "wrong password")
    assert not verify_password(None, "not-a-real-password-3f9c1e")
    assert not verify_password("not a hash", "anything")


def test_issue_token_stores_only_a_hash(make):
    """Is the raw token kept out of the database (only its SHA-256 is stored)?"""
    user = make.user()

    raw = services.issue_token(user, TokenPurpose.RESET_PASSWORD)

    token = db.session.scalars(select(OneTimeToken)).one()
    assert token.token_hash == hash_token(raw)
    assert raw not in token.token_hash
    assert token.email == user.email
    assert timedelta(minutes=59) < token.expires_at - utcnow() <= timedelta(hours=1)


def test_redeem_token_works_once(make):
    """Can a token be peeked at without consuming it, then used exactly once?"""
    user = make.user()
    raw = services.issue_token(user, TokenPurpose.VERIFY_EMAIL)

    assert services.redeem_token(raw, TokenPurpose.VERIFY_EMAIL, consume=False).used_at is None
    assert services.redeem_token(raw, TokenPurpose.VERIFY_EMAIL).used_at is not None
    with pytest.raises(AccountError, match="already been used"):
        services.redeem_token(raw, TokenPurpose.VERIFY_EMAIL)


def test_redeem_token_refuses_the_wrong_purpose_and_made_up_tokens(make):
    """Is a token only good for the purpose it was issued for?"""
    raw = services.issue_token(make.user(), TokenPurpose.VERIFY_EMAIL)

    with pytest.raises(AccountError, match="not valid"):
        services.redeem_token(raw, TokenPurpose.RESET_PASSWORD)
    with pytest.raises(AccountError, match="not valid"):
        services.redeem_token("made-up", TokenPurpose.VERIFY_EMAIL)


def test_redeem_token_refuses_an_expired_token(make):
    """Is a token past its expiry refused?"""
    raw = services.issue_token(make.user(), TokenPurpose.RESET_PASSWORD)
    db.session.scalars(select(OneTimeToken)).one().expires_at = utcnow() - timedelta(seconds=1)

    with pytest.raises(AccountError, match="expired"):
        services.redeem_token(raw, TokenPurpose.RESET_PASSWORD)


def test_redeem_token_refuses_a_link_to_a_previous_address(make):
    """Is a token issued for an address the user has since changed refused?"""
    user = make.user("old@example.com")
    raw = services.issue_token(user, TokenPurpose.VERIFY_EMAIL)
    user.email = "new@example.com"

    with pytest.raises(AccountError, match="no longer use"):
        services.redeem_token(raw, TokenPurpose.VERIFY_EMAIL)


def test_verify_email_sets_the_timestamp_once(make):
    """Does verifying keep the first verification time if the address was already proven?"""
    user = make.user(verified=False)
    raw = services.issue_token(user, TokenPurpose.VERIFY_EMAIL)

    assert services.verify_email(raw) is user
    first = user.email_verified_at
    assert first is not None
    services.verify_email(services.issue_token(user, TokenPurpose.VERIFY_EMAIL))
    assert user.email_verified_at == first


def test_send_verification_mails_after_commit_only(make, outbox):
    """Is the verification mail held until the transaction commits?"""
    user = make.user("player@example.com", verified=False)

    services.send_verification(user)
    assert outbox() == []
    db.session.commit()

    [message] = outbox()
    assert message["To"] == "player@example.com"
    assert link_in(message).startswith("/verify-email/")


def test_request_password_reset_for_an_unknown_email_does_nothing(make, outbox):
    """Does a reset request for an unknown address create no token and send nothing?"""
    make.user("player@example.com")

    services.request_password_reset("nobody@example.com")
    db.session.commit()

    assert count_tokens() == 0
    assert outbox() == []


def test_request_password_reset_mails_a_reset_link(make, outbox):
    """Does a reset request for a known address mail one reset link to it?"""
    make.user("player@example.com")

    services.request_password_reset("PLAYER@example.com")
    db.session.commit()

    [message] = outbox()
    assert message["To"] == "player@example.com"
    assert "Reset your League Badge password" in message["Subject"]
    assert link_in(message).startswith("/reset-password/")


def test_reset_password_changes_everything_it_should(make):
    """Does a reset set the password, bump auth_version, verify the email and use the link?"""
    user = make.user(verified=False)
    raw = services.issue_token(user, TokenPurpose.RESET_PASSWORD)

    assert services.reset_password(raw, "a brand new passphrase") is user

    assert verify_password(user.password_hash, "a brand new passphrase")
    assert user.auth_version == 2
    assert user.email_verified
    with pytest.raises(AccountError):
        services.redeem_token(raw, TokenPurpose.RESET_PASSWORD)


def test_a_password_change_kills_open_reset_links(make):
    """After a password change, does a reset link mailed earlier stop working?"""
    user = make.user()
    raw = services.issue_token(user, TokenPurpose.RESET_PASSWORD)
    verify_raw = services.issue_token(user, TokenPurpose.VERIFY_EMAIL)

    services.change_password(user, PASSWORD, "a brand new passphrase")

    with pytest.raises(AccountError, match="already been used"):
        services.redeem_token(raw, TokenPurpose.RESET_PASSWORD)
    # Verification links are about the address, not the password: they still work.
    assert services.redeem_token(verify_raw, TokenPurpose.VERIFY_EMAIL)


def test_change_password_with_the_wrong_current_password(make):
    """Is a wrong current password an error on current_password that changes nothing?"""
    user = make.user()
    before = user.password_hash

    with pytest.raises(AccountError) as raised:
        services.change_password(user, "wrong guess", "a brand new passphrase")

    assert raised.value.field == "current_password"
    assert user.password_hash == before
    assert user.auth_version == 1


def test_change_password_bumps_the_auth_version(make):
    """Does a password change make old session ids (`id:version`) stop loading the user?"""
    user = make.user()
    old_session_id = user.get_id()

    services.change_password(user, PASSWORD, "a brand new passphrase")
    db.session.commit()

    assert load_user(old_session_id) is None
    assert load_user(user.get_id()) is user


@pytest.mark.parametrize("session_id", ["", "abc", "1", "1:", ":1", "x:1", "1:x", "999:1"])
def test_load_user_refuses_malformed_or_unknown_ids(make, session_id):
    """Is a malformed or unknown session id anonymous, not an error?"""
    make.user()

    assert load_user(session_id) is None


def test_update_profile_with_the_same_email(make, outbox):
    """Does saving the same email (other case) keep it verified and send nothing?"""
    user = make.user("player@example.com")

    assert services.update_profile(user, " New Name ", "PLAYER@example.com") is False
    db.session.commit()

    assert user.full_name == "New Name"
    assert user.email_verified
    assert outbox() == []


def test_update_profile_with_a_new_email(make, outbox):
    """Does a new email un-verify the account and mail a link to the new address?"""
    user = make.user("old@example.com")

    assert services.update_profile(user, "Name", "New@Example.com") is True
    db.session.commit()

    assert user.email == "new@example.com"
    assert not user.email_verified
    [message] = outbox()
    assert message["To"] == "new@example.com"


def test_update_profile_refuses_another_accounts_email(make):
    """Is taking another account's email an AccountError on the email field?"""
    make.user("taken@example.com")
    user = make.user("player@example.com")

    with pytest.raises(AccountError) as raised:
        services.update_profile(user, "Name", "taken@example.com")

    assert raised.value.field == "email"
    db.session.rollback()
    assert db.session.get(User, user.id).email == "player@example.com"
