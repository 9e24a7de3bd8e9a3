"""gunicorn.conf.py's hooks: the preloaded app is frozen out of the collector before
each fork, and a forked worker never reuses the parent's database connections."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import text

from portal import create_app
from portal.extensions import db

CONF = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))


def test_the_app_is_preloaded():
    """Do the workers fork from an app imported once in the parent?"""
    assert CONF["preload_app"] is True


def test_pre_fork_freezes_what_the_parent_holds():
    """Are the parent's objects out of the workers' full collections?"""
    try:
        CONF["pre_fork"](None, None)
        assert gc.get_freeze_count() > 100_000  # the whole imported app
    finally:
        gc.unfreeze()


def test_post_fork_drops_the_parents_pooled_connections(tmp_path):
    """Does a new worker start with an empty pool, leaving the parent's sockets alone?"""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text("select 1"))
        parent_pool = db.engine.pool
        assert parent_pool.checkedin() == 1
        CONF["post_fork"](SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)), None)
        assert db.engine.pool is not parent_pool
        assert db.engine.pool.checkedin() == 0
        assert parent_pool.checkedin() == 1  # not closed: the parent still owns it
        db.engine.dispose()
        parent_pool.dispose()
