"""Accounts through HTTP: sign-up, sign-in, sign-out, links in mail and the account page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from portal.accounts.models import OneTimeToken, TokenPurpose, User
from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.extensions import db
from tests.accounts.helpers import (
    count_tokens,
    count_users,
    csrf_token_in,
    field_error,
    input_value,
    link_in,
    reload,
    signed_in_as,
)
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new passphrase"
SIGNUP = {"full_name": "Ada Lovelace", "email": "ada@example.com", "password": "analytical engine"}


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def client_at(app, ip: str):
    """A test client whose requests come from `ip`."""
    the_client = app.test_client()
    the_client.environ_base["REMOTE_ADDR"] = ip
    return the_client


def expire_tokens(purpose: TokenPurpose) -> None:
    db.session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.purpose == purpose)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


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


# --- Sign-in ---------------------------------------------------------------------------


def test_sign_in_with_the_right_password(client, make):
    """Does the right password redirect (303) and sign the user in?"""
    user = make.user("player@example.com")

    response = sign_in(client, "player@example.com")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert signed_in_as(client) == user.get_id()
    assert reload(user).last_login_at is not None


def test_sign_in_ignores_case_and_spaces_in_the_email(client, make):
    """Can a user sign in typing their email with capitals and spaces?"""
    user = make.user("player@example.com")

    response = sign_in(client, " Player@Example.com ")

    assert response.status_code == 303
    assert signed_in_as(client) == user.get_id()


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make):
    """Do a wrong password and an unknown email look the same (422, generic message)?"""
    make.user("player@example.com")

    wrong = sign_in(client, "player@example.com", "not the password")
    unknown = sign_in(client, "nobody@example.com", "not the password")

    message = "That email and password do not match."
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert message in response.text
        assert field_error(response.text, "email") is None
        assert field_error(response.text, "password") is None
        assert not input_value(response.text, "password")
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account", "/account"),
        ("/l/some-league/people?page=2", "/l/some-league/people?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("//evil.example/account", "/"),
        ("http:/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
        ("account", "/"),
    ],
)
def test_sign_in_honours_next_only_for_local_paths(client, make, next_url, expected):
    """Is `next` followed after sign-in only when it is a path on this site?"""
    make.user("player@example.com")

    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"email": "player@example.com", "password": PASSWORD},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_sign_in_refuses_a_backslash_trick_in_next(client, make):
    """Is a `next` that browsers read as //evil.example (/\\evil.example) ignored too?"""
    make.user("player@example.com")

    response = client.post(
        "/login",
        query_string={"next": "/\\evil.example"},
        data={"email": "player@example.com", "password": PASSWORD},
    )

    assert response.headers["Location"] == "/"


def test_login_form_keeps_next_in_its_action(client):
    """Does the sign-in page post back to itself with the same `next`?"""
    page = client.get("/login?next=/account").text

    assert 'action="/login?next=/account"' in page


def test_remember_me_sets_a_long_lived_httponly_cookie(client, make):
    """Does 'keep me signed in' set a remember cookie that scripts cannot read?"""
    make.user("player@example.com")

    response = sign_in(client, "player@example.com", remember="y")

    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember
    assert "SameSite=Lax" in remember
    assert "Expires=" in remember


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    """Is the session cookie hidden from scripts and withheld from cross-site posts?"""
    make.user("player@example.com")

    response = sign_in(client, "player@example.com")

    session_cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")
    )
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_signed_in_user_visiting_login_is_sent_on(client, make, login):
    """Does a signed-in user opening /login go to `next` (if local) instead?"""
    login(make.user())

    assert client.get("/login?next=/account").headers["Location"] == "/account"


# --- Rate limits -----------------------------------------------------------------------


def test_new_accounts_from_one_connection_are_rate_limited(client):
    """Can one connection create accounts (and send mail to any address) without limit?"""
    for n in range(10):
        response = client.post(
            "/signup",
            data={
                "full_name": "Some One",
                "email": f"s{n}@example.com",
                "password": "long enough 1",
            },
        )
        assert response.status_code == 303
        client.post("/logout")
    response = client.post(
        "/signup",
        data={"full_name": "Some One", "email": "s10@example.com", "password": "long enough 1"},
    )
    assert response.status_code == 429
    assert "Too many new accounts" in response.text


def test_repeated_failures_for_one_email_are_rate_limited(client, make):
    """After 5 failed sign-ins for one email, is the 6th refused with 429 and a kind message?"""
    make.user("player@example.com")

    for _ in range(5):
        assert sign_in(client, "player@example.com", "guess guess").status_code == 422
    response = sign_in(client, "player@example.com", "guess guess")

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.text
    assert "per 1 minute" not in response.text
    # Locked out means locked out: not even the right password gets through now.
    assert sign_in(client, "player@example.com").status_code == 429
    assert signed_in_as(client) is None


def test_email_limit_counts_every_spelling_and_every_address(app, make):
    """Does the per-email limit follow the account across IPs and spellings of the email?"""
    make.user("player@example.com")
    spellings = ["player@example.com", "PLAYER@example.com", " player@example.com"]

    for n in range(5):
        other_ip = client_at(app, f"10.0.0.{n + 1}")
        response = sign_in(other_ip, spellings[n % 3], "guess guess")
        assert response.status_code == 422

    fresh_ip = client_at(app, "10.0.1.1")
    assert sign_in(fresh_ip, "Player@Example.com", "guess guess").status_code == 429
    # Another account is not affected.
    make.user("other@example.com")
    assert sign_in(fresh_ip, "other@example.com").status_code == 303


def test_successful_sign_ins_do_not_count_against_the_limit(client, make):
    """Do successful sign-ins leave the failed-attempt budget untouched?"""
    make.user("player@example.com")

    for _ in range(6):
        assert sign_in(client, "player@example.com").status_code == 303
        assert client.post("/logout").status_code == 303
    for _ in range(5):
        assert sign_in(client, "player@example.com", "guess guess").status_code == 422
    assert sign_in(client, "player@example.com", "guess guess").status_code == 429


def test_failed_sign_ins_from_one_ip_are_rate_limited(app, make):
    """After 20 failures from one IP (any emails), is the next refused, but not elsewhere?"""
    make.user("player@example.com")
    attacker = client_at(app, "203.0.113.7")

    for n in range(20):
        assert sign_in(attacker, f"guess{n}@example.com", "guess guess").status_code == 422
    response = sign_in(attacker, "another@example.com", "guess guess")

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.text
    bystander = client_at(app, "198.51.100.9")
    assert sign_in(bystander, "player@example.com").status_code == 303


def test_rate_limited_answer_is_json_for_json_clients(client):
    """Does a JSON client get the 429 in the standard error shape?"""
    for _ in range(5):
        sign_in(client, "player@example.com", "guess guess")

    response = client.post(
        "/login",
        data={"email": "player@example.com", "password": "guess guess"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_requests"
    assert "Too many sign-in attempts" in response.json["error"]["message"]


# --- Sign-out --------------------------------------------------------------------------


def test_sign_out_by_post(client, make, login):
    """Does POST /logout sign the user out, go to the start page, and tell the browser to
    drop what it kept (the offline card) on what may be a shared family phone?"""
    login(make.user())

    response = client.post("/logout")

    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert signed_in_as(client) is None
    assert client.get("/account").status_code == 302


def test_sign_out_by_get_is_not_allowed(client, make, login):
    """Is GET /logout refused (405), so a link or image cannot sign anyone out?"""
    user = make.user()
    login(user)

    response = client.get("/logout")

    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert signed_in_as(client) == user.get_id()


# --- Password reset --------------------------------------------------------------------


def request_reset(client, email="player@example.com"):
    return client.post("/forgot-password", data={"email": email})


def test_reset_request_for_a_known_email_sends_one_mail(client, make, outbox):
    """Does asking for a reset mail exactly one link to the account's address?"""
    make.user("player@example.com")

    response = request_reset(client, " Player@Example.com")

    assert response.status_code == 200
    assert "Check your email" in response.text
    [message] = outbox()
    assert message["To"] == "player@example.com"
    assert link_in(message).startswith("/reset-password/")


def test_reset_request_for_an_unknown_email_looks_the_same(client, make, outbox):
    """Does an unknown email get the same page and no mail (no account probing)?"""
    make.user("player@example.com")

    known = request_reset(client, "player@example.com")
    unknown = request_reset(client, "nobody@example.com")

    assert unknown.status_code == known.status_code == 200
    # CSRF tokens carry the second they were signed in: compare the pages without them.
    assert _without_tokens(unknown.text.replace("nobody@", "player@")) == _without_tokens(
        known.text
    )
    assert len(outbox()) == 1
    assert count_tokens() == 1


def test_reset_request_with_a_bad_email_shows_the_form_again(client, outbox):
    """Is a malformed email on the reset form a field error (422), sending nothing?"""
    response = request_reset(client, "not-an-email")

    assert response.status_code == 422
    assert field_error(response.text, "email")
    assert outbox() == []


def test_reset_requests_are_rate_limited_per_ip(client, make, outbox):
    """Are reset requests from one IP limited (10 an hour), so no one can mail-bomb an inbox?"""
    make.user("player@example.com")

    for _ in range(10):
        assert request_reset(client).status_code == 200
    response = request_reset(client)

    assert response.status_code == 429
    assert "Too many emails" in response.text
    assert len(outbox()) == 10


def test_reset_link_shows_the_form_without_using_it_up(client, make, outbox):
    """Can the reset link be opened (GET) more than once, e.g. by a mail scanner?"""
    make.user("player@example.com")
    request_reset(client)
    link = link_in(outbox()[0])

    for _ in range(2):
        response = client.get(link)
        assert response.status_code == 200
        assert 'name="password"' in response.text
    assert db.session.scalars(select(OneTimeToken.used_at)).one() is None


def test_reset_sets_the_password_signs_in_and_uses_up_the_link(app, client, make, outbox):
    """Does the reset form set the new password, sign in, and make the link dead?"""
    user = make.user("player@example.com")
    request_reset(client)
    link = link_in(outbox()[0])

    response = client.post(link, data={"password": NEW_PASSWORD})

    assert response.status_code == 303
    assert signed_in_as(client) == reload(user).get_id()
    again = app.test_client().post(link, data={"password": "yet another passphrase"})
    assert again.status_code == 400
    assert "already been used" in again.text
    assert app.test_client().get(link).status_code == 400


def test_after_a_reset_only_the_new_password_works(app, client, make, outbox):
    """After a reset, does the old password fail and the new one work?"""
    make.user("player@example.com")
    request_reset(client)
    client.post(link_in(outbox()[0]), data={"password": NEW_PASSWORD})

    assert sign_in(app.test_client(), "player@example.com", PASSWORD).status_code == 422
    assert sign_in(app.test_client(), "player@example.com", NEW_PASSWORD).status_code == 303


def test_reset_signs_out_other_sessions(app, client, make, outbox, login):
    """Is a session opened before the reset (say, a thief's) signed out by it?"""
    user = make.user("player@example.com")
    thief = login(user, app.test_client())
    assert thief.get("/account").status_code == 200

    request_reset(client)
    client.post(link_in(outbox()[0]), data={"password": NEW_PASSWORD})

    assert reload(user).auth_version == 2
    response = thief.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/account").status_code == 200


def test_expired_reset_link_is_refused(client, make, outbox):
    """Is a reset link past its expiry refused with 400 and a clear message?"""
    make.user("player@example.com")
    request_reset(client)
    link = link_in(outbox()[0])
    expire_tokens(TokenPurpose.RESET_PASSWORD)

    for response in (client.get(link), client.post(link, data={"password": NEW_PASSWORD})):
        assert response.status_code == 400
        assert "This link has expired" in response.text
    assert sign_in(client, "player@example.com", NEW_PASSWORD).status_code == 422


def test_made_up_reset_link_is_refused(client):
    """Is a reset link with an unknown token a 400, not an error page?"""
    response = client.get("/reset-password/not-a-real-token")

    assert response.status_code == 400
    assert "not valid" in response.text


def test_verification_link_does_not_work_as_a_reset_link(client, outbox):
    """Can the token from a verification mail be used to reset the password?"""
    client.post("/signup", data=SIGNUP)
    token = link_in(outbox()[0]).rsplit("/", 1)[1]

    response = client.post(f"/reset-password/{token}", data={"password": NEW_PASSWORD})

    assert response.status_code == 400


def test_reset_with_a_weak_password_keeps_the_link(client, make, outbox):
    """Does a too-short or email-equal new password re-show the form and keep the link?"""
    make.user("player@example.com")
    request_reset(client)
    link = link_in(outbox()[0])

    short = client.post(link, data={"password": "short"})
    same_as_email = client.post(link, data={"password": "Player@Example.com"})

    assert short.status_code == 422
    assert "at least 10" in field_error(short.text, "password")
    assert same_as_email.status_code == 422
    assert "not your email" in field_error(same_as_email.text, "password")
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 303


def test_older_reset_links_die_when_the_password_is_reset(client, make, outbox):
    """When one of two reset links is used, does the other one stop working too?"""
    make.user("player@example.com")
    request_reset(client)
    request_reset(client)
    first, second = (link_in(m) for m in outbox())

    assert client.post(second, data={"password": NEW_PASSWORD}).status_code == 303
    assert client.get(first).status_code == 400


def test_reset_proves_the_address(client, make, outbox):
    """Does completing a reset (the link reached the inbox) verify the email?"""
    user = make.user("player@example.com", verified=False)
    request_reset(client)

    client.post(link_in(outbox()[0]), data={"password": NEW_PASSWORD})

    assert reload(user).email_verified


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


# --- Account page ----------------------------------------------------------------------


def test_account_page_needs_sign_in(client):
    """Is an anonymous visitor sent to sign in, with a way back to the account page?"""
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount"


def test_account_page_shows_details_and_leagues(client, make, login):
    """Does the account page show the user's name, email and leagues with roles?"""
    user = make.user("player@example.com", name="Pat Player")
    north, south = make.league(name="North League"), make.league(name="South League")
    make.grant(user, north, Role.ADMIN)
    make.grant(user, north, Role.PLAYER)
    make.grant(user, south, Role.REFEREE)
    make.league(name="Not Mine")
    login(user)

    page = client.get("/account").text

    assert input_value(page, "full_name") == "Pat Player"
    assert input_value(page, "email") == "player@example.com"
    assert "North League" in page
    assert "South League" in page
    assert "Not Mine" not in page
    for label in ("League admin", "Player / guardian", "Referee"):
        assert label in page


def test_account_page_with_no_leagues(client, make, login):
    """Does a user with no league see 'None yet'?"""
    login(make.user())

    assert "None yet." in client.get("/account").text


def test_change_password_needs_the_current_one(client, make, login):
    """Is a wrong current password an error on that field, changing nothing?"""
    user = make.user()
    login(user)

    response = client.post(
        "/account/password",
        data={"current_password": "wrong guess", "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 422
    assert "not correct" in field_error(response.text, "current_password")
    assert field_error(response.text, "new_password") is None
    assert reload(user).auth_version == 1
    assert PasswordHasher().verify(reload(user).password_hash, PASSWORD)


def test_change_password_checks_the_new_one(client, make, login):
    """Is a weak or email-equal new password refused on the new_password field?"""
    user = make.user("player@example.com")
    login(user)

    for weak, message in [("short", "at least 10"), ("player@example.com", "not your email")]:
        response = client.post(
            "/account/password", data={"current_password": PASSWORD, "new_password": weak}
        )
        assert response.status_code == 422
        assert message in field_error(response.text, "new_password")
    assert reload(user).auth_version == 1


def test_change_password_keeps_this_session_and_ends_the_others(app, client, make, login):
    """After a password change, is this device still signed in and the other one out?"""
    user = make.user("player@example.com")
    login(user)
    other_device = login(user, app.test_client())

    response = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    assert sign_in(app.test_client(), "player@example.com", PASSWORD).status_code == 422
    assert sign_in(app.test_client(), "player@example.com", NEW_PASSWORD).status_code == 303


def test_an_old_session_id_does_not_load_the_user(client, make, login):
    """Is a session carrying an old auth_version (from before a reset) treated as anonymous?"""
    user = make.user()
    login(user)
    user.auth_version = 5
    db.session.commit()

    assert client.get("/account").status_code == 302


# --- CSRF ------------------------------------------------------------------------------


@pytest.mark.usefixtures("csrf_on")
def test_sign_in_without_a_csrf_token_is_refused(client, make):
    """With CSRF on, is a sign-in post without a token refused (400), signing no one in?"""
    user = make.user("player@example.com")

    response = sign_in(client, "player@example.com")

    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert signed_in_as(client) is None
    assert reload(user).last_login_at is None


@pytest.mark.usefixtures("csrf_on")
def test_sign_up_without_a_csrf_token_is_refused(client, outbox):
    """With CSRF on, is a sign-up post without a token refused (400), creating nothing?"""
    response = client.post("/signup", data=SIGNUP)

    assert response.status_code == 400
    assert count_users() == 0
    assert outbox() == []


@pytest.mark.usefixtures("csrf_on")
def test_forms_with_the_pages_csrf_token_go_through(client):
    """With CSRF on, do the real forms (token from the page) still work?"""
    token = csrf_token_in(client.get("/signup").text)
    assert client.post("/signup", data={**SIGNUP, "csrf_token": token}).status_code == 303

    token = csrf_token_in(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303

    token = csrf_token_in(client.get("/login").text)
    response = sign_in(client, "ada@example.com", SIGNUP["password"], csrf_token=token)
    assert response.status_code == 303


@pytest.mark.usefixtures("csrf_on")
def test_sign_out_without_a_csrf_token_is_refused(client, make, login):
    """With CSRF on, can another site sign a user out with a bare POST?"""
    user = make.user()
    login(user)

    assert client.post("/logout").status_code == 400
    assert signed_in_as(client) == user.get_id()


def _without_tokens(page: str) -> str:
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1", page)
