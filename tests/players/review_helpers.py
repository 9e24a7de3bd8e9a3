"""Helpers for the registrar's review screen tests: a submitted profile with its files,
and reading a profile and its history back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.players import services, uploads
from portal.players.models import DocumentKind, PlayerProfile, ProfileEvent, UploadKind
from tests.images import jpeg, pdf

HX = {"HX-Request": "true"}
BASE = "/l/riverside/review"


def submitted(league, guardian, first_name="Mia", last_name="Parent", *, minutes_ago=0, **data):
    """A profile with a photo and a PDF, submitted `minutes_ago` minutes ago."""
    with league_scope(league.id):
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": date(2016, 3, 14),
            "phone": "+1 555 0100",
            "emergency_name": "Pat Parent",
            "emergency_phone": "+1 555 0101",
            "document_kind": DocumentKind.BIRTH_CERTIFICATE,
        } | data
        photo = uploads.stage(guardian, UploadKind.PHOTO, jpeg(600, 750), "me.jpg")
        document = uploads.stage(guardian, UploadKind.DOCUMENT, pdf(), "birth.pdf")
        profile = services.create_profile(
            league, guardian, services.ProfileData(**values), photo=photo, document=document
        )
        services.submit(profile, guardian)
        profile.submitted_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        db.session.commit()
    return profile


def fresh(profile: PlayerProfile) -> PlayerProfile:
    """The profile as the database has it now (after a request changed it)."""
    db.session.expire_all()
    with league_scope(profile.league_id):
        return db.session.get(PlayerProfile, profile.id)


def events_of(profile: PlayerProfile) -> list[ProfileEvent]:
    with league_scope(profile.league_id):
        return db.session.scalars(
            select(ProfileEvent)
            .where(ProfileEvent.profile_id == profile.id)
            .order_by(ProfileEvent.id)
        ).all()
