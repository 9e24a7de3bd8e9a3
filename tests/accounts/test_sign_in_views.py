"""Signing in and out through HTTP: the sign-in form, its rate limits, sign-out, and the
CSRF token on the account forms."""

from __future__ import annotations

import pytest

from tests.accounts.helpers import (
    count_users,
    csrf_token_in,
    field_error,
    input_value,
    reload,
    signed_in_as,
)
from tests.accounts.view_helpers import SIGNUP, sign_in
from tests.factories import PASSWORD


def client_at(app, ip: str):
    """A test client whose requests come from `ip`."""
    the_client = app.test_client()
    the_client.environ_base["REMOTE_ADDR"] = ip
    return the_client


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
