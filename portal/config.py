"""Configuration, read only from environment variables (12-factor).

Every setting has a safe development default so `make run` needs no keys and
no services; production (`APP_ENV=production`) refuses to start without what a
public site must not run without: a real `SECRET_KEY`, its own `BASE_URL` (mail
sent by the worker links to it), Redis (queue and rate limits shared by every
process), a private `STRIPE_WEBHOOK_SECRET` (the development one is in this
repository, so anyone could sign events with it) and Stripe itself (without a
key the built-in test checkout takes every "payment"; a public demo says so
with `TEST_CHECKOUT=on`). The README documents each variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
DEV_WEBHOOK_SECRET = "whsec_leaguebadge_development"


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


def normalise_database_url(url: str) -> str:
    """Accept Heroku's `postgres://` and pick the psycopg 3 driver.

    Heroku still hands out `postgres://` URLs, which SQLAlchemy 2 rejects.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def engine_options(database_url: str) -> dict:
    """Connection settings that suit the database in use."""
    if database_url.startswith("sqlite"):
        # Several gunicorn workers and the huey worker share one file: wait
        # for the write lock instead of failing at once.
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_path(env: dict[str, str]) -> Path:
    return Path(env.get("INSTANCE_PATH") or ROOT / "instance")


def _check_production(env: dict[str, str], base_url: str) -> None:
    """What production refuses to start without (SECRET_KEY is checked before)."""
    if not base_url.startswith("https://"):
        raise ConfigError(
            "BASE_URL must be the site's public https:// address in production "
            "(mail sent by the worker links to it), e.g. https://badge.example.org"
        )
    if not env.get("REDIS_URL"):
        raise ConfigError(
            "REDIS_URL must be set in production: the web processes and the worker share "
            "the task queue and the per-client rate limits through it (without it each web "
            "process would count its own limits, and the queue would be a local file)"
        )
    webhook_secret = env.get("STRIPE_WEBHOOK_SECRET", "")
    if not webhook_secret or webhook_secret == DEV_WEBHOOK_SECRET:
        raise ConfigError(
            "STRIPE_WEBHOOK_SECRET must be set in production: the signing secret of the "
            "Stripe webhook endpoint (whsec_...), or any private random value for a demo"
        )
    if not env.get("STRIPE_SECRET_KEY") and not _bool(env.get("TEST_CHECKOUT"), False):
        raise ConfigError(
            "STRIPE_SECRET_KEY must be set in production: without it the built-in test "
            "checkout takes every payment. For a public demo, set TEST_CHECKOUT=on instead."
        )


def from_env(env: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from an environment mapping."""
    env = dict(os.environ if env is None else env)
    app_env = env.get("APP_ENV", "development").strip().lower()
    if app_env not in {"development", "production", "test"}:
        raise ConfigError(f"APP_ENV must be development, production or test, not {app_env!r}")
    production = app_env == "production"
    instance = _instance_path(env)

    secret_key = env.get("SECRET_KEY", "")
    if production and (not secret_key or secret_key == DEV_SECRET_KEY or len(secret_key) < 32):
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )

    base_url = env.get("BASE_URL", "").rstrip("/")
    if production:
        _check_production(env, base_url)
    https = base_url.startswith("https://") or production
    redis_url = env.get("REDIS_URL", "")

    database_url = normalise_database_url(
        env.get("DATABASE_URL") or f"sqlite:///{instance / 'leaguebadge.db'}"
    )
    return {
        "APP_ENV": app_env,
        "TESTING": app_env == "test",
        "SECRET_KEY": secret_key or DEV_SECRET_KEY,
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "STORAGE_URL": env.get("STORAGE_URL") or f"file://{instance / 'storage'}",
        "AWS_ENDPOINT_URL": env.get("AWS_ENDPOINT_URL", ""),
        "MAIL_URL": env.get("MAIL_URL") or f"file://{instance / 'mail'}",
        "MAIL_FROM": env.get("MAIL_FROM", "League Badge <no-reply@leaguebadge.local>"),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET") or DEV_WEBHOOK_SECRET,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "HUEY_SQLITE_PATH": str(instance / "huey.db"),
        "INSTANCE_DIR": str(instance),
        # Sessions: secure cookies whenever we are served over HTTPS.
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Static URLs carry a content hash (templating.asset), so cache for a year.
        "SEND_FILE_MAX_AGE_DEFAULT": timedelta(days=365),
        "TRUST_PROXY": _bool(env.get("TRUST_PROXY"), production),
        "DEV_MAILBOX": not production and urlparse(env.get("MAIL_URL") or "file:").scheme == "file",
    }
