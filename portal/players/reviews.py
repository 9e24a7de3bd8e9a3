"""The registrar's side: approve, request changes, unlock, and document retention.

Flush, never commit. The player hears about every decision by email, sent by
the background worker once the decision commits.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.core.mail import send_mail
from portal.core.storage import discard
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.leagues.models import League
from portal.players.models import EventKind, PlayerProfile, ProfileStatus
from portal.players.services import (
    ProfileError,
    _shown,
    delete_document,
    locked_values,
    record,
    set_status,
    today_in,
)

COMMON_REASONS = (
    "The photo is not a clear head-and-shoulders shot.",
    "The photo is too dark or blurred.",
    "The document is not readable.",
    "The date of birth does not match the document.",
    "The name does not match the document.",
    "The document does not show a date of birth.",
)
MAX_REASON = 500


def approve(profile: PlayerProfile, registrar: User | None, reason: str = "") -> None:
    """Verify a submitted profile; `registrar` None means the league's automatic rule."""
    _claim(profile)
    now = utcnow()
    set_status(profile, ProfileStatus.VERIFIED, registrar, reason)
    profile.reviewed_at = profile.verified_at = now
    profile.reviewed_by_id = registrar.id if registrar else None
    profile.change_reason = ""
    profile.unlocked_at = profile.unlocked_by_id = None
    if profile.document_key and registrar is not None:
        profile.dob_verified_on = today_in(profile.league)
        profile.dob_verified_by_name = registrar.full_name
    _forget_replaced_photo(profile)
    profile.verified_snapshot = {k: _shown(v) for k, v in locked_values(profile).items()} | {
        "photo_thumb_key": profile.photo_thumb_key
    }
    if profile.league.document_retention_days == 0 and profile.document_key:
        delete_document(profile)
        record(
            profile,
            registrar,
            EventKind.DOCUMENT,
            to_value="deleted",
            reason="Deleted at verification (league setting)",
        )
    _notify(profile, "profile_verified", f"{profile.first_name}'s profile is verified")


def _claim(profile: PlayerProfile) -> None:
    """Take a waiting profile for a decision, atomically.

    The conditional UPDATE holds the row (PostgreSQL) or the database
    (SQLite) until commit, so when two registrars decide at the same moment
    the second finds the profile no longer waiting instead of deciding twice.
    """
    if profile.status != ProfileStatus.SUBMITTED:
        raise ProfileError("This profile is not waiting for review any more.")
    claimed = db.session.execute(
        update(PlayerProfile)
        .where(PlayerProfile.id == profile.id, PlayerProfile.status == ProfileStatus.SUBMITTED)
        .values(reviewed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ProfileError("Another registrar has just decided on this profile.")


def _forget_replaced_photo(profile: PlayerProfile) -> None:
    """The previously verified photo was kept for comparison; now it can go."""
    snapshot = profile.verified_snapshot or {}
    old_photo = snapshot.get("photo")
    if old_photo and old_photo != profile.photo_key:
        discard(old_photo)
        if snapshot.get("photo_thumb_key"):
            discard(snapshot["photo_thumb_key"])


def request_changes(profile: PlayerProfile, registrar: User, reason: str) -> None:
    """Send the profile back to the player with a reason they will see first."""
    reason = (reason or "").strip()
    if not reason:
        raise ProfileError(
            "Choose or type the reason, so the player knows what to fix.", field="reason"
        )
    if len(reason) > MAX_REASON:
        raise ProfileError(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    _claim(profile)
    set_status(profile, ProfileStatus.CHANGES_REQUESTED, registrar, reason)
    profile.change_reason = reason
    profile.reviewed_at = utcnow()
    profile.reviewed_by_id = registrar.id
    _notify(
        profile,
        "profile_changes_requested",
        f"Please update {profile.first_name}'s profile",
        reason=reason,
    )


def unlock(profile: PlayerProfile, registrar: User) -> None:
    """Let the player change name, date of birth and photo of a verified profile."""
    if profile.status != ProfileStatus.VERIFIED:
        raise ProfileError("Only a verified profile is locked.")
    if profile.unlocked_at is None:
        profile.unlocked_at = utcnow()
        profile.unlocked_by_id = registrar.id
        record(profile, registrar, EventKind.UNLOCK, reason="Locked fields unlocked")


def bulk_approve(profile_ids: list[int], registrar: User) -> int:
    """Approve every listed profile of this league that is still waiting; returns how many."""
    profiles = db.session.scalars(
        select(PlayerProfile)
        .where(PlayerProfile.id.in_(profile_ids), PlayerProfile.status == ProfileStatus.SUBMITTED)
        .options(selectinload(PlayerProfile.guardian))
    ).all()
    for profile in profiles:
        approve(profile, registrar)
    return len(profiles)


def purge_due_documents(now=None) -> int:
    """Delete documents kept past their league's retention (run daily across leagues)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(PlayerProfile, League.document_retention_days)
        .join(League, League.id == PlayerProfile.league_id)
        .where(
            PlayerProfile.document_key.is_not(None),
            PlayerProfile.status == ProfileStatus.VERIFIED,
        )
    ).all()
    purged = 0
    for profile, days in rows:
        if profile.verified_at and profile.verified_at + timedelta(days=days) <= now:
            delete_document(profile)
            record(
                profile,
                None,
                EventKind.DOCUMENT,
                to_value="deleted",
                reason=f"Deleted {days} days after verification (league setting)",
            )
            purged += 1
    return purged


def _notify(profile: PlayerProfile, template: str, subject: str, **context) -> None:
    send_mail(
        profile.guardian.email,
        subject,
        template,
        profile=profile,
        league=profile.league,
        link=absolute_url("l.players.show", league_slug=profile.league.slug, profile_id=profile.id),
        **context,
    )


def changes_since_verification(profile: PlayerProfile) -> list[tuple[str, str | None, str | None]]:
    """The locked fields that differ from the last verification: [(field, was, now)]."""
    snapshot = profile.verified_snapshot
    if not snapshot:
        return []
    current = {name: _shown(value) for name, value in locked_values(profile).items()}
    return [
        (name, snapshot.get(name), current[name])
        for name in current
        if snapshot.get(name) != current[name]
    ]
