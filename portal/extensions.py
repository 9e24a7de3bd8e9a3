"""Extension objects, created once at import and bound to the app in the factory.

The huey queue is the exception: task decorators need it at import time, and
the worker process imports it without an app, so it is built straight from the
environment (`REDIS_URL` selects Redis, otherwise a SQLite file).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from huey import RedisHuey, SqliteHuey
from huey.storage import SqliteStorage

from portal.config import ROOT
from portal.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
# Behind a proxy, ProxyFix (TRUST_PROXY) makes remote_addr the real client.
limiter = Limiter(key_func=get_remote_address)


class WalSqliteStorage(SqliteStorage):
    """huey's SQLite queue with the database's own durability: WAL with synchronous=NORMAL.

    huey leaves SQLite's default (FULL), an fsync on every enqueue: about 4 ms on
    this kind of disk, during which every other process that enqueues waits for the
    lock. NORMAL keeps every committed task across a crash of the app; only a power
    loss may drop the last ones, as for the database beside it, and a webhook event
    never relies on its task (the event row is the record; `requeue_stale` queues it
    again).
    """

    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


class WalSqliteHuey(SqliteHuey):
    storage_class = WalSqliteStorage


def make_huey():
    """The task queue the web process enqueues into and the worker consumes."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("leaguebadge", url=redis_url)
    instance = Path(os.environ.get("INSTANCE_PATH") or ROOT / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    return WalSqliteHuey("leaguebadge", filename=str(instance / "huey.db"))


huey = make_huey()
