"""GET /healthz: 200 when the database, queue and storage answer; 503 naming what is down."""

from __future__ import annotations

import pytest
from huey import RedisHuey

from portal import create_app
from portal.ops import health


def test_all_up(client):
    """Does a healthy deployment answer 200 with each check up?"""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "down": [],
        "checks": {name: {"status": "up"} for name in ("database", "queue", "storage")},
    }
    assert response.headers["Cache-Control"] == "no-store"


def _broken_app(tmp_path, **config):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/ok.db",
            "STORAGE_URL": f"file://{tmp_path}/storage",
            "MAIL_URL": f"file://{tmp_path}/mail",
            **config,
        }
    )
    return app.test_client()


def test_database_down(tmp_path):
    """Does an unreachable database give 503 and name the database?"""
    client = _broken_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["down"] == ["database"]
    assert body["checks"]["database"]["status"] == "down"


def test_storage_down(tmp_path):
    """Does unwritable storage give 503 and name the storage?"""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    client = _broken_app(tmp_path, STORAGE_URL=f"file://{blocker}/storage")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["storage"]


def test_queue_down(tmp_path, monkeypatch):
    """Does an unreachable queue (Redis on a closed port) give 503 and name the queue?"""
    monkeypatch.setattr(health, "huey", RedisHuey("down", url="redis://127.0.0.1:1/0"))
    client = _broken_app(tmp_path)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["queue"]


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_health_is_always_json(client, accept):
    assert client.get("/healthz", headers={"Accept": accept}).is_json
