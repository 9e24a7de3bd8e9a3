"""Passwords and the account page through HTTP: resetting a forgotten password by mail,
what the account page shows, and changing the password there."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from sqlalchemy import select

from portal.accounts.models import OneTimeToken, TokenPurpose
from portal.core.permissions import Role
from portal.extensions import db
from tests.accounts.helpers import (
    count_tokens,
    field_error,
    input_value,
    link_in,
    reload,
    signed_in_as,
)
from tests.accounts.view_helpers import SIGNUP, expire_tokens, sign_in
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


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


def _without_tokens(page: str) -> str:
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1", page)
