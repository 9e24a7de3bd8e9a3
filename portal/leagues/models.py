"""Leagues (the tenants), the roles people hold in them, and invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.db import TimestampMixin, utcnow
from portal.core.permissions import Role
from portal.core.tenancy import TenantMixin
from portal.extensions import db

ROLE_TYPE = Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


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

    def __repr__(self) -> str:
        return f"<League {self.slug}>"


class LeagueRole(TenantMixin, db.Model):
    """A role one user holds in one league (a user may hold several)."""

    __tablename__ = "league_roles"
    __table_args__ = (UniqueConstraint("league_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(ROLE_TYPE)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    league: Mapped[League] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Invitation(TenantMixin, db.Model):
    """An emailed offer of a role; the link works for a new or an existing account."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(ROLE_TYPE)
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
