"""Test databases: a SQLite file by default, a fresh PostgreSQL database on request."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import psycopg
from flask_migrate import downgrade, upgrade

from portal.config import normalise_database_url


def admin_url(url: str) -> str:
    """The same server's `postgres` database, as a plain libpq URL."""
    parsed = urlparse(url.replace("+psycopg", ""))
    return parsed._replace(path="/postgres").geturl()


def recreate_postgres_database(url: str) -> None:
    """Drop and create the database named in `url`, so migrations start from empty."""
    name = urlparse(url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected test database name {name!r}")
    with psycopg.connect(admin_url(url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare_database(url: str | None, tmp: Path, suffix: str = "") -> str:
    """A SQLAlchemy URL for an empty test database."""
    if not url:
        path = tmp / f"test{suffix}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = normalise_database_url(url)
    if suffix:
        parsed = urlparse(url)
        url = parsed._replace(path=parsed.path + suffix).geturl()
    recreate_postgres_database(url)
    return url


def migrate_to_head() -> None:
    """Build the schema with the real migrations (inside an app context)."""
    upgrade()


def migrate_to_base() -> None:
    downgrade(revision="base")
