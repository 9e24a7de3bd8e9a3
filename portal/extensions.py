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

from portal.config import ROOT
from portal.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
# Behind a proxy, ProxyFix (TRUST_PROXY) makes remote_addr the real client.
limiter = Limiter(key_func=get_remote_address)


def make_huey():
    """The task queue the web process enqueues into and the worker consumes."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("leaguebadge", url=redis_url)
    instance = Path(os.environ.get("INSTANCE_PATH") or ROOT / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("leaguebadge", filename=str(instance / "huey.db"))


huey = make_huey()
