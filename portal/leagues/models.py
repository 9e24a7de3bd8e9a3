"""Leagues (the tenants), the roles people hold in them, and invitations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.db import TimestampMixin, str_enum, utcnow
from portal.core.permissions import Role
from portal.core.tenancy import TenantMixin
from portal.extensions import db


class GenderField(StrEnum):
    """Whether the player profile asks for gender."""

    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


class ApprovalMode(StrEnum):
    """How submitted profiles are approved."""

    MANUAL = "manual"
    AUTO_RENEWALS = "auto_renewals"  # renewals whose locked fields did not change


class League(TimestampMixin, db.Model):
    """One tenant: a league with its own players, staff, plans and cards."""

    __tablename__ = "leagues"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    sport: Mapped[str] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    logo_key: Mapped[str | None] = mapped_column(String(255))
    primary_color: Mapped[str] = mapped_column(String(7), default="#1d4ed8")
    secondary_color: Mapped[str] = mapped_column(String(7), default="#f59e0b")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    website: Mapped[str] = mapped_column(String(255), default="", server_default="")

    # Player profiles: which fields are required, how age groups are computed,
    # how profiles are approved and how long proof-of-age documents are kept.
    gender_field: Mapped[GenderField] = mapped_column(
        str_enum(GenderField), default=GenderField.OPTIONAL, server_default="optional"
    )
    require_phone: Mapped[bool] = mapped_column(default=True, server_default=true())
    require_address: Mapped[bool] = mapped_column(default=False, server_default=false())
    require_emergency_contact: Mapped[bool] = mapped_column(default=True, server_default=true())
    require_photo: Mapped[bool] = mapped_column(default=True, server_default=true())
    require_document: Mapped[bool] = mapped_column(default=True, server_default=true())
    # No database default: a year frozen into the schema goes stale (see create_league).
    season_year: Mapped[int] = mapped_column(default=lambda: utcnow().year)
    age_cutoff_month: Mapped[int] = mapped_column(default=12, server_default="12")
    age_cutoff_day: Mapped[int] = mapped_column(default=31, server_default="31")
    approval_mode: Mapped[ApprovalMode] = mapped_column(
        str_enum(ApprovalMode), default=ApprovalMode.MANUAL, server_default="manual"
    )
    document_retention_days: Mapped[int] = mapped_column(default=0, server_default="0")
    renewal_window_days: Mapped[int] = mapped_column(default=30, server_default="30")

    # Payments: promotion codes at Stripe Checkout, and when to remind before expiry.
    allow_promotion_codes: Mapped[bool] = mapped_column(default=False, server_default=false())
    renewal_reminder_days: Mapped[int] = mapped_column(default=14, server_default="14")

    # Cards: the printed card shows the date of birth or the age group; the public
    # verification page shows the date of birth only if the league chooses.
    card_shows_birth_date: Mapped[bool] = mapped_column(default=False, server_default=false())
    verify_shows_birth_date: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<League {self.slug}>"


class LeagueRole(TenantMixin, db.Model):
    """A role one user holds in one league (a user may hold several)."""

    __tablename__ = "league_roles"
    __table_args__ = (UniqueConstraint("league_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    league: Mapped[League] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Invitation(TenantMixin, db.Model):
    """An emailed offer of a role; the link works for a new or an existing account."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    league: Mapped[League] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def state(self) -> str:
        """pending, accepted, revoked or expired: what the admin sees."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"
