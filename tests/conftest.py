"""Shared fixtures: the app on SQLite (or PostgreSQL with TEST_DATABASE_URL),
a clean database per test, a client, sign-in and model factories.

The schema is built by the real migrations, so every test also exercises them.
Each test runs inside its own app context; each client request gets a fresh
app context of its own (like a real server), so nothing cached on `g` or in
the session leaks from one request into the next.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

# Configure the process before the app (and its huey queue) is imported.
_TMP = Path(tempfile.mkdtemp(prefix="leaguebadge-tests-"))
os.environ.update(APP_ENV="test", INSTANCE_PATH=str(_TMP / "instance"))
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)

import boto3  # noqa: E402
from flask.globals import _cv_app  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.core.storage import S3Storage  # noqa: E402
from portal.extensions import db, huey, limiter  # noqa: E402
from tests import factories  # noqa: E402
from tests.dbutil import migrate_to_head, prepare_database  # noqa: E402
from tests.servers import free_port, running  # noqa: E402

huey.immediate = True  # tasks run inline in unit tests; test_worker.py runs a real consumer


class RequestIsolatedClient(FlaskClient):
    """A test client whose requests never reuse the test's own app context."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def database_url() -> str:
    return prepare_database(os.environ.get("TEST_DATABASE_URL"), _TMP)


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL") or None


@pytest.fixture(scope="session")
def app(database_url, redis_url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STORAGE_URL": f"file://{_TMP / 'storage'}",
            "MAIL_URL": f"file://{_TMP / 'mail'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": redis_url or "memory://",
            "BASE_URL": "",
            "SERVER_NAME": None,
        }
    )
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        migrate_to_head()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs in a fresh app context with empty tables and outbox."""
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
    limiter.reset()
    shutil.rmtree(_TMP / "mail", ignore_errors=True)
    shutil.rmtree(_TMP / "storage", ignore_errors=True)


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_on(app):
    """Run a test with CSRF protection enforced, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def login(client):
    """Sign a user in on the test client (the real form is tested in accounts tests)."""

    def sign_in(user, the_client=None):
        target = the_client or client
        with target.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return target

    return sign_in


@pytest.fixture
def outbox():
    """Messages the mail backend wrote, oldest first, parsed."""

    def read():
        folder = _TMP / "mail"
        paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
        return [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in paths]

    return read


@pytest.fixture
def storage_root() -> Path:
    return _TMP / "storage"


@pytest.fixture
def make():
    """Model factories (see tests/factories.py)."""
    return factories


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3 API (moto_server) on loopback for the whole run."""
    port = free_port()
    with running(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        ready_url=f"http://127.0.0.1:{port}/",
        env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
    ):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """An S3Storage on a fresh bucket of the moto server."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"lb-{uuid.uuid4().hex[:20]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    return S3Storage(bucket, "prefix/", s3_endpoint)


@pytest.fixture
def use_s3(app, s3):
    """Run a test with the app's storage on S3 (moto) instead of the local folder."""
    previous = app.extensions.get("storage")
    app.extensions["storage"] = s3
    yield s3
    app.extensions["storage"] = previous


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, launched once per session (tests/browser.py)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, ensure_chromium

    ensure_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
