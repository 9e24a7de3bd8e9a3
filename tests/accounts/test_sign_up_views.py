"""Signing up through HTTP: the sign-up form, the email verification link and its resend,
and changing the email on the account page (which needs verifying again)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from portal.accounts.models import TokenPurpose, User
from portal.extensions import db
from tests.accounts.helpers import (
    count_users,
    field_error,
    input_value,
    link_in,
    reload,
    signed_in_as,
)
from tests.accounts.view_helpers import SIGNUP, expire_tokens

# --- Sign-up ---------------------------------------------------------------------------


def test_signup_creates_an_account_with_an_argon2_hash(client):
    """Does sign-up store an argon2 hash of the password, never the password itself?"""
    response = client.post("/signup", data=SIGNUP)

    assert response.status_code == 303
    user = db.session.scalars(select(User)).one()
    assert user.full_name == "Ada Lovelace"
    assert user.password_hash.startswith("$argon2id$")
    assert SIGNUP["password"] not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, SIGNUP["password"])
    assert not user.email_verified


def test_signup_signs_the_new_user_in(client):
    """Is the new user signed in straight after sign-up?"""
    client.post("/signup", data=SIGNUP)

    user = db.session.scalars(select(User)).one()
    assert signed_in_as(client) == user.get_id()
    assert client.get("/account").status_code == 200


def test_signup_mails_a_link_that_verifies_the_address(client, outbox):
    """Does sign-up mail a verification link, and does opening it verify the address?"""
    client.post("/signup", data=SIGNUP)

    [message] = outbox()
    assert message["To"] == "ada@example.com"
    assert "Confirm your email" in message["Subject"]
    link = link_in(message)
    assert link.startswith("/verify-email/")

    response = client.get(link)
    assert response.status_code == 303
    assert reload(db.session.scalars(select(User)).one()).email_verified


def test_signup_email_is_trimmed_and_lowercased(client):
    """Is an email typed with capitals and spaces stored in one canonical form?"""
    response = client.post("/signup", data={**SIGNUP, "email": "  Ada@Example.COM "})

    assert response.status_code == 303
    assert db.session.scalars(select(User.email)).one() == "ada@example.com"


def test_signup_honours_a_local_next_only(client):
    """Does sign-up return to a local `next` page, and ignore one on another site?"""
    response = client.post("/signup?next=/l/some-league/join", data=SIGNUP)
    assert response.headers["Location"] == "/l/some-league/join"

    other = client.application.test_client()
    response = other.post(
        "/signup?next=https://evil.example/", data={**SIGNUP, "email": "b@example.com"}
    )
    assert response.headers["Location"] == "/"


def test_signup_page_prefills_the_email_from_the_link(client):
    """Does /signup?email=... (an invitation link) prefill the email field?"""
    response = client.get("/signup?email=invitee@example.com")

    assert response.status_code == 200
    assert input_value(response.text, "email") == "invitee@example.com"


def test_signed_in_user_visiting_signup_is_sent_on(client, make, login):
    """Does a signed-in user opening /signup go to the start page instead?"""
    login(make.user())

    response = client.get("/signup")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("typed", ["dup@example.com", "DUP@Example.com", " dup@example.com "])
def test_signup_with_a_taken_email_rerenders_with_an_error(client, make, outbox, typed):
    """Is a taken email (in any case) refused with a field error, keeping what was typed?"""
    make.user("dup@example.com")

    response = client.post(
        "/signup", data={"full_name": "Second Person", "email": typed, "password": "secret words"}
    )

    assert response.status_code == 422
    page = response.text
    assert "already exists" in field_error(page, "email")
    assert input_value(page, "full_name") == "Second Person"
    assert input_value(page, "email") == typed.strip()
    assert not input_value(page, "password")
    assert "secret words" not in page
    assert count_users() == 1
    assert outbox() == []
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Enter your name."),
        ({"full_name": "   "}, "full_name", "Enter your name."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "   "}, "email", "Enter your email address."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"email": "ada@"}, "email", "Enter a valid email address"),
        ({"password": ""}, "password", "Choose a password."),
        ({"password": "short"}, "password", "Use at least 10 characters."),
        (
            {"email": "longaddress@example.com", "password": "LongAddress@example.com"},
            "password",
            "not your email address",
        ),
    ],
)
def test_signup_with_invalid_input_creates_nothing(client, outbox, data, field, message):
    """Is invalid sign-up input refused with a field error, creating no account?"""
    response = client.post("/signup", data={**SIGNUP, **data})

    assert response.status_code == 422
    assert message in (field_error(response.text, field) or "")
    assert count_users() == 0
    assert outbox() == []
    assert signed_in_as(client) is None


def test_signup_with_nothing_filled_in_flags_every_field(client):
    """Does an empty form get an error on every field at once?"""
    response = client.post("/signup", data={})

    assert response.status_code == 422
    for name in ("full_name", "email", "password"):
        assert field_error(response.text, name), name
    assert count_users() == 0


# --- Email verification ----------------------------------------------------------------


def signup_and_link(client, outbox) -> str:
    client.post("/signup", data=SIGNUP)
    return link_in(outbox()[-1])


def the_user() -> User:
    db.session.expire_all()
    return db.session.scalars(select(User)).one()


def test_verification_link_works_once(app, client, outbox):
    """Does a verification link verify once, and then answer 400 with a clear message?"""
    link = signup_and_link(client, outbox)

    first = app.test_client().get(link)  # works without being signed in
    assert first.status_code == 303
    verified_at = the_user().email_verified_at
    assert verified_at is not None

    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.text
    assert the_user().email_verified_at == verified_at


def test_expired_verification_link_is_refused(client, outbox):
    """Is a verification link past its expiry refused (400), leaving the email unverified?"""
    link = signup_and_link(client, outbox)
    expire_tokens(TokenPurpose.VERIFY_EMAIL)

    response = client.get(link)

    assert response.status_code == 400
    assert "expired" in response.text
    assert not the_user().email_verified


def test_resend_mails_a_new_working_link(client, outbox):
    """Does 'send it again' mail a fresh link that verifies the address?"""
    signup_and_link(client, outbox)

    response = client.post("/verify-email/resend?next=/account")

    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    assert len(outbox()) == 2
    assert client.get(link_in(outbox()[1])).status_code == 303
    assert the_user().email_verified


def test_resend_is_rate_limited(client, outbox):
    """Are resends limited (5 an hour), with a friendly 429 after that?"""
    signup_and_link(client, outbox)

    for _ in range(5):
        assert client.post("/verify-email/resend").status_code == 303
    response = client.post("/verify-email/resend")

    assert response.status_code == 429
    assert "Too many" in response.text
    assert "per 1 hour" not in response.text
    assert len(outbox()) == 1 + 5


def test_resend_for_a_verified_address_sends_nothing(client, make, login, outbox):
    """Does resend do nothing when the address is already confirmed?"""
    login(make.user(verified=True))

    assert client.post("/verify-email/resend").status_code == 303
    assert outbox() == []


def test_resend_needs_sign_in(client, outbox):
    """Is resend refused for anonymous visitors (sent to sign in, no mail)?"""
    response = client.post("/verify-email/resend")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert outbox() == []


def test_changing_email_unverifies_and_mails_the_new_address(client, make, login, outbox):
    """Does a new email on the account page need verifying again, with a link sent there?"""
    user = make.user("old@example.com", name="Old Name", verified=True)
    login(user)

    response = client.post(
        "/account/profile", data={"full_name": "New Name", "email": " New@Example.com"}
    )

    assert response.status_code == 303
    user = reload(user)
    assert (user.email, user.full_name, user.email_verified) == (
        "new@example.com",
        "New Name",
        False,
    )
    [message] = outbox()
    assert message["To"] == "new@example.com"
    assert client.get(link_in(message)).status_code == 303
    assert reload(user).email_verified


def test_link_sent_to_an_old_address_does_not_verify_the_new_one(client, outbox):
    """Can a verification link mailed to the previous address verify the new one?"""
    link_to_old = signup_and_link(client, outbox)

    client.post("/account/profile", data={"full_name": "Ada", "email": "new@example.com"})
    response = client.get(link_to_old)

    assert response.status_code == 400
    assert "address you no longer use" in response.text
    assert not the_user().email_verified


def test_a_blank_name_is_refused_on_the_account_page(client, make, login):
    """Is a name of only spaces refused (422) without touching the account?"""
    user = make.user("player@example.com", name="Player")
    login(user)

    response = client.post("/account/profile", data={"full_name": "   ", "email": user.email})

    assert response.status_code == 422
    assert field_error(response.text, "full_name") == "Enter your name."
    assert reload(user).full_name == "Player"


def test_saving_the_same_email_keeps_it_verified(client, make, login, outbox):
    """Does renaming yourself (same email, other case) keep the address verified?"""
    user = make.user("player@example.com", verified=True)
    login(user)

    response = client.post(
        "/account/profile", data={"full_name": "Renamed", "email": "PLAYER@example.com"}
    )

    assert response.status_code == 303
    assert reload(user).email_verified
    assert reload(user).full_name == "Renamed"
    assert outbox() == []


def test_changing_to_a_taken_email_is_refused(client, make, login, outbox):
    """Is switching to another account's email a field error that changes nothing?"""
    make.user("taken@example.com")
    user = make.user("player@example.com", name="Player")
    login(user)

    response = client.post(
        "/account/profile", data={"full_name": "Changed", "email": "Taken@example.com"}
    )

    assert response.status_code == 422
    assert "Another account already uses this email" in field_error(response.text, "email")
    assert input_value(response.text, "email") == "Taken@example.com"
    user = reload(user)
    assert (user.email, user.full_name, user.email_verified) == (
        "player@example.com",
        "Player",
        True,
    )
    assert outbox() == []
