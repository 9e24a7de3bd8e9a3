"""Staged uploads: a photo or document stored ahead of the form that uses it.

The upload endpoint checks the file and keeps a private, normalised copy;
the profile form then refers to it by an unguessable token. Only the user
who uploaded it, in the same league, within a day, can use it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.core.images import Crop, ImageError, card_photo, stage_photo
from portal.core.storage import discard, get_storage, store
from portal.core.tenancy import current_league_id
from portal.extensions import db
from portal.players.documents import check_document
from portal.players.models import StagedUpload, UploadKind

UPLOAD_LIFETIME = timedelta(hours=24)
GOVERNMENT_ID_TAGS = {"governmentid": "true"}


def _clean_filename(name: str) -> str:
    keep = "".join(c for c in (name or "") if c.isalnum() or c in " ._-()")
    return keep.strip()[:120]


def stage(user: User, kind: UploadKind, data: bytes, filename: str = "") -> StagedUpload:
    """Check an uploaded file and keep a private, cleaned copy of it.

    Raises ImageError (with a message for the user) before anything is
    written, so a refused file leaves nothing in storage.
    """
    token = secrets.token_urlsafe(24)
    league_id = current_league_id()
    base = f"private/leagues/{league_id}/uploads/{token}"
    if kind == UploadKind.PHOTO:
        jpeg, width, height = stage_photo(data)
        key, preview_key, content_type = (
            store(f"{base}.jpg", jpeg, "image/jpeg"),
            None,
            "image/jpeg",
        )
    else:
        document = check_document(data)
        key = store(
            f"{base}.{document.extension}",
            document.data,
            document.content_type,
            tags=GOVERNMENT_ID_TAGS,
        )
        preview_key = store(
            f"{base}-preview.jpg", document.preview, "image/jpeg", tags=GOVERNMENT_ID_TAGS
        )
        content_type, width, height = document.content_type, None, None
    upload = StagedUpload(
        token=token,
        user_id=user.id,
        kind=kind,
        key=key,
        preview_key=preview_key,
        content_type=content_type,
        filename=_clean_filename(filename),
        width=width,
        height=height,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def find(token: str | None, user: User, kind: UploadKind) -> StagedUpload | None:
    """The user's own unexpired upload of this kind in this league, or None."""
    if not token:
        return None
    return db.session.execute(
        select(StagedUpload).where(
            StagedUpload.token == token,
            StagedUpload.user_id == user.id,
            StagedUpload.kind == kind,
            StagedUpload.created_at > utcnow() - UPLOAD_LIFETIME,
        )
    ).scalar_one_or_none()


def adopt_photo(upload: StagedUpload, crop: Crop | None, prefix: str) -> tuple[str, str]:
    """Crop a staged photo into the card photo and thumbnail; returns their keys."""
    storage = get_storage()
    try:
        card, thumb = card_photo(storage.get(upload.key), crop)
    except OSError as error:  # the staged file itself is unreadable
        raise ImageError("That photo could not be read. Please choose it again.") from error
    suffix = secrets.token_hex(6)
    photo_key = store(f"{prefix}/photo-{suffix}.jpg", card, "image/jpeg")
    thumb_key = store(f"{prefix}/thumb-{suffix}.jpg", thumb, "image/jpeg")
    _forget(upload)
    return photo_key, thumb_key


def adopt_document(upload: StagedUpload) -> StagedUpload:
    """Take over a staged document: its objects become the profile's (keys unchanged)."""
    db.session.delete(upload)
    return upload


def _forget(upload: StagedUpload) -> None:
    """The staged copy is no longer needed once the change commits."""
    discard(upload.key)
    if upload.preview_key:
        discard(upload.preview_key)
    db.session.delete(upload)


def purge_expired(now=None) -> int:
    """Delete uploads nobody used within a day (run by the worker, across leagues)."""
    cutoff = (now or utcnow()) - UPLOAD_LIFETIME
    expired = db.session.scalars(
        select(StagedUpload).where(StagedUpload.created_at <= cutoff)
    ).all()
    for upload in expired:
        _forget(upload)
    return len(expired)
