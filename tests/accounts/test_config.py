"""Configuration that protects accounts: secret key, cookie flags, database URL."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import (
    DEV_SECRET_KEY,
    DEV_WEBHOOK_SECRET,
    ConfigError,
    from_env,
    normalise_database_url,
)

LONG_SECRET = "k" * 48


PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": LONG_SECRET,
    "BASE_URL": "https://leagues.example",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_1",
}


def production(tmp_path, **env) -> dict:
    """A production config with everything production needs, changed by `env` (a value
    of None leaves the variable out)."""
    values = {**PRODUCTION, "INSTANCE_PATH": str(tmp_path), **env}
    return from_env({name: value for name, value in values.items() if value is not None})


def test_production_cookies_are_secure_httponly_and_lax(tmp_path):
    """In production, are session and remember cookies Secure, HttpOnly and SameSite=Lax?"""
    config = production(tmp_path)

    for cookie in ("SESSION", "REMEMBER"):
        assert config[f"{cookie}_COOKIE_SECURE"] is True
        assert config[f"{cookie}_COOKIE_HTTPONLY"] is True
        assert config[f"{cookie}_COOKIE_SAMESITE"] == "Lax"
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config["SECRET_KEY"] == LONG_SECRET


def test_an_https_base_url_makes_cookies_secure(tmp_path):
    """Outside production, does serving on an https BASE_URL still make cookies Secure?"""
    config = from_env({"BASE_URL": "https://leagues.example/", "INSTANCE_PATH": str(tmp_path)})

    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["BASE_URL"] == "https://leagues.example"


def test_plain_http_development_cookies_are_not_secure(tmp_path):
    """On http://localhost in development, are cookies left non-Secure (so sign-in works)?"""
    config = from_env({"BASE_URL": "http://127.0.0.1:5000", "INSTANCE_PATH": str(tmp_path)})

    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    "secret_key", [None, "", DEV_SECRET_KEY, "s" * 31], ids=["missing", "empty", "dev", "short"]
)
def test_production_refuses_a_weak_secret_key(tmp_path, secret_key):
    """Does production refuse to start with a missing, default or short SECRET_KEY?"""
    with pytest.raises(ConfigError, match=r"^SECRET_KEY"):
        production(tmp_path, SECRET_KEY=secret_key)


def test_a_32_character_secret_key_is_enough(tmp_path):
    """Is a 32-character random key accepted in production?"""
    assert production(tmp_path, SECRET_KEY="s" * 32)["SECRET_KEY"] == "s" * 32


def test_create_app_refuses_to_start_in_production_without_a_key(monkeypatch, tmp_path):
    """Does the app factory itself raise ConfigError in production with the dev key?"""
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", DEV_SECRET_KEY)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))

    with pytest.raises(ConfigError):
        create_app()


def test_an_unknown_app_env_is_refused(tmp_path):
    """Is a typo in APP_ENV an error rather than a silent development setup?"""
    with pytest.raises(ConfigError, match="APP_ENV"):
        from_env({"APP_ENV": "prod", "INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/app", "postgresql+psycopg://u:p@db.example:5432/app"),
        ("postgresql://u:p@db.example/app", "postgresql+psycopg://u:p@db.example/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:////tmp/app.db", "sqlite:////tmp/app.db"),
    ],
)
def test_database_urls_are_normalised(given, expected):
    """Are Heroku's postgres:// URLs turned into the psycopg 3 driver's form?"""
    assert normalise_database_url(given) == expected


def test_from_env_normalises_database_url(tmp_path):
    """Does a postgres:// DATABASE_URL from the environment reach SQLAlchemy normalised?"""
    config = production(tmp_path, DATABASE_URL="postgres://u:p@db.example:5432/app")

    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example:5432/app"


def test_a_production_app_sends_secure_cookies(app, monkeypatch, tmp_path):
    """Does an app built for production really send the session cookie Secure and HttpOnly?"""
    for name, value in {
        **PRODUCTION,
        "INSTANCE_PATH": str(tmp_path),
        "MAIL_URL": "console://",
        "STORAGE_URL": f"file://{tmp_path / 'storage'}",
    }.items():
        monkeypatch.setenv(name, value)
    prod = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            # One limiter serves every app: keep the test app's storage.
            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
        }
    )
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["REMEMBER_COOKIE_SECURE"] is True
    assert "mailbox" not in prod.blueprints

    response = prod.test_client().get("/login", base_url="https://leagues.example")

    assert response.status_code == 200
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "max-age=63072000" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({"STRIPE_WEBHOOK_SECRET": None}, "STRIPE_WEBHOOK_SECRET"),
        ({"STRIPE_WEBHOOK_SECRET": DEV_WEBHOOK_SECRET}, "STRIPE_WEBHOOK_SECRET"),
        ({"STRIPE_SECRET_KEY": None}, "STRIPE_SECRET_KEY"),
        ({"STRIPE_SECRET_KEY": None, "TEST_CHECKOUT": "off"}, "STRIPE_SECRET_KEY"),
        ({"BASE_URL": None}, "BASE_URL"),
        ({"BASE_URL": "http://leagues.example"}, "BASE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
    ],
    ids=[
        "no-webhook-secret",
        "public-webhook-secret",
        "no-stripe",
        "test-off",
        "no-url",
        "http",
        "no-redis",
    ],
)
def test_production_refuses_what_a_public_site_must_not_run_without(tmp_path, env, refused):
    """Would production sign webhooks with the public development secret, take fake
    payments, mail links to localhost, or count rate limits per process?"""
    with pytest.raises(ConfigError, match=refused):
        production(tmp_path, **env)


def test_a_public_demo_may_run_the_test_checkout_when_it_says_so(tmp_path):
    """Does TEST_CHECKOUT=on let a production demo take test payments (with a private
    webhook secret still)?"""
    config = production(tmp_path, STRIPE_SECRET_KEY=None, TEST_CHECKOUT="on")
    assert config["STRIPE_SECRET_KEY"] == ""
    assert config["STRIPE_WEBHOOK_SECRET"] == "whsec_1"
