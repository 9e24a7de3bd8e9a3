"""Test databases: a SQLite file by default, a fresh PostgreSQL database on request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from flask_migrate import downgrade, upgrade
from sqlalchemy import event

from portal.config import normalise_database_url
from portal.extensions import db


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


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends meanwhile, in order, whitespace
    collapsed (transaction control is not a statement here). Needs an app context."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("SELECT")]
