"""The hourly job that deletes private files past their time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.core.storage import get_storage
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db, huey
from portal.players import tasks, uploads
from portal.players.models import PlayerProfile, StagedUpload, UploadKind
from tests.images import jpeg, pdf


def test_job_is_scheduled_hourly():
    """Is the purge registered with the worker's scheduler?"""
    assert tasks.purge_private_files.task_class in huey._registry._periodic_tasks


def test_job_purges_across_leagues_and_is_safe_to_repeat(make):
    """Does one run delete due documents and stale uploads in every league, and a
    second run change nothing?"""
    a, b = make.league("a"), make.league("b")
    registrar = make.member(a, Role.REGISTRAR)
    parent = make.user()
    a.document_retention_days = 0
    db.session.commit()
    with league_scope(a.id):
        stale = uploads.stage(parent, UploadKind.PHOTO, jpeg(), "old.jpg")
        stale.created_at = utcnow() - timedelta(days=2)
        stale_key = stale.key
        db.session.commit()
    with league_scope(b.id):
        document = uploads.stage(parent, UploadKind.DOCUMENT, pdf(), "id.pdf")
        profile = make.profile(b, parent, document_key=document.key, status=None)
        db.session.delete(document)
        db.session.commit()
    with unscoped():
        row = db.session.get(PlayerProfile, profile.id)
        row.status, row.verified_at = "verified", utcnow() - timedelta(days=1)
        b.document_retention_days = 0
        db.session.commit()
    first = tasks.purge_private_files.call_local()
    second = tasks.purge_private_files.call_local()
    assert first == {"documents": 1, "uploads": 1}
    assert second == {"documents": 0, "uploads": 0}
    storage = get_storage()
    assert not storage.exists(stale_key)
    with unscoped():
        assert db.session.scalars(select(StagedUpload)).all() == []
        assert db.session.get(PlayerProfile, profile.id).document_key is None
    assert registrar  # league A's registrar exists; nothing of A was due
