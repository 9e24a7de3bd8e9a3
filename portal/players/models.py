"""Player profiles, their history, the league's age groups, and staged uploads."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.db import TimestampMixin, str_enum, utcnow
from portal.core.tenancy import TenantMixin
from portal.extensions import db
from portal.leagues.models import League


class ProfileStatus(StrEnum):
    """Where a profile is in review. The player reads this at a glance."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    CHANGES_REQUESTED = "changes_requested"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Pending review",
            "verified": "Verified",
            "changes_requested": "Changes requested",
        }[self.value]


class DocumentKind(StrEnum):
    BIRTH_CERTIFICATE = "birth_certificate"
    PASSPORT = "passport"
    DRIVING_LICENCE = "driving_licence"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "birth_certificate": "Birth certificate",
            "passport": "Passport",
            "driving_licence": "Driving licence",
            "other": "Other official document",
        }[self.value]


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"female": "Female", "male": "Male", "other": "Another gender"}[self.value]


class EventKind(StrEnum):
    STATUS = "status"  # status changed (from -> to, with reason)
    FIELD = "field"  # a locked field changed (from -> to)
    UNLOCK = "unlock"  # a registrar unlocked the locked fields
    DOCUMENT = "document"  # proof of age uploaded or deleted


class UploadKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


# Fields a player cannot change once the profile is verified.
LOCKED_FIELDS = ("first_name", "last_name", "date_of_birth", "photo")


class AgeGroup(TenantMixin, db.Model):
    """A league's age group (U8, U10, Open, O-30 ...): ages from min to max inclusive."""

    __tablename__ = "age_groups"
    # Names are unique in a league ignoring case (migration 99485d036e9d).
    __table_args__ = (
        Index("uq_age_groups_league_id_lower_name", "league_id", text("lower(name)"), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)

    def matches(self, age: int) -> bool:
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age
        )

    @property
    def span(self) -> str:
        """Human description of the ages, e.g. "ages 9-10" or "30 and over"."""
        if self.min_age is None and self.max_age is None:
            return "all ages"
        if self.min_age is None:
            return f"{self.max_age} and under"
        if self.max_age is None:
            return f"{self.min_age} and over"
        return f"ages {self.min_age}-{self.max_age}"


class PlayerProfile(TenantMixin, TimestampMixin, db.Model):
    """One player in one league, managed by an account (the player or a guardian)."""

    __tablename__ = "player_profiles"
    __table_args__ = (Index("ix_player_profiles_queue", "league_id", "status", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_self: Mapped[bool] = mapped_column(default=False)

    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date]
    gender: Mapped[Gender | None] = mapped_column(str_enum(Gender))
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    emergency_name: Mapped[str] = mapped_column(String(120), default="")
    emergency_phone: Mapped[str] = mapped_column(String(40), default="")

    photo_key: Mapped[str | None] = mapped_column(String(255))
    photo_thumb_key: Mapped[str | None] = mapped_column(String(255))

    document_key: Mapped[str | None] = mapped_column(String(255))
    document_preview_key: Mapped[str | None] = mapped_column(String(255))
    document_type: Mapped[str | None] = mapped_column(String(50))
    document_kind: Mapped[DocumentKind | None] = mapped_column(str_enum(DocumentKind, 30))
    document_uploaded_at: Mapped[datetime | None]
    document_deleted_at: Mapped[datetime | None]

    status: Mapped[ProfileStatus] = mapped_column(
        str_enum(ProfileStatus), default=ProfileStatus.DRAFT
    )
    change_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    # What stays after the document is deleted: who checked the date of birth, when.
    dob_verified_on: Mapped[date | None]
    dob_verified_by_name: Mapped[str | None] = mapped_column(String(120))
    unlocked_at: Mapped[datetime | None]
    unlocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The locked fields as they were at the last verification.
    verified_snapshot: Mapped[dict | None] = mapped_column(JSON)

    league: Mapped[League] = relationship()
    guardian: Mapped[User] = relationship(foreign_keys=[guardian_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    events: Mapped[list[ProfileEvent]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ProfileEvent.id",
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def has_document(self) -> bool:
        return self.document_key is not None

    def __repr__(self) -> str:
        return f"<PlayerProfile {self.id} {self.full_name} {self.status}>"


class ProfileEvent(TenantMixin, db.Model):
    """History: a status change, a change to a locked field, an unlock, a document event."""

    __tablename__ = "profile_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("player_profiles.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    field: Mapped[str | None] = mapped_column(String(40))
    from_value: Mapped[str | None] = mapped_column(Text)
    to_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile: Mapped[PlayerProfile] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class StagedUpload(TenantMixin, db.Model):
    """A photo or document uploaded ahead of the form that will use it.

    Uploading separately shows progress on a slow connection and means a form
    error never costs the user their upload. Unused ones expire after a day.
    """

    __tablename__ = "staged_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[UploadKind] = mapped_column(str_enum(UploadKind))
    key: Mapped[str] = mapped_column(String(255))
    preview_key: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    filename: Mapped[str] = mapped_column(String(120), default="")
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
