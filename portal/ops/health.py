"""GET /healthz: is the database, the queue and the storage reachable?

The platform's router and uptime checks call this; it answers 200 when all
three are up and 503 naming what is down, always as JSON.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from portal.core.storage import get_storage
from portal.extensions import db, huey, limiter

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _database() -> None:
    db.session.execute(text("SELECT 1"))


def _queue() -> None:
    huey.storage.queue_size()


def _storage() -> None:
    get_storage().check()


CHECKS = {"database": _database, "queue": _queue, "storage": _storage}


@bp.get("/healthz")
@limiter.exempt
def healthz():
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = {"status": "up"}
        except Exception as error:
            healthy = False
            log.warning("health check %s failed: %s", name, error)
            results[name] = {"status": "down", "error": type(error).__name__}
    db.session.rollback()
    status = "ok" if healthy else "degraded"
    down = [name for name, result in results.items() if result["status"] == "down"]
    response = jsonify(status=status, checks=results, down=down)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
