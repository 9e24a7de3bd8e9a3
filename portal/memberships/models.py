"""Programs, membership plans, agreements, and the memberships players hold.

A membership row is one paid term: a renewal is a new row that starts the
day after the current one ends, so no day is lost and the history of terms
stays readable.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import TimestampMixin, str_enum, utcnow
from portal.core.tenancy import TenantMixin
from portal.extensions import db
from portal.leagues.models import League
from portal.players.models import PlayerProfile


class TermKind(StrEnum):
    FIXED = "fixed"  # a season with fixed dates
    ROLLING = "rolling"  # a duration counted from the day it starts

    @property
    def label(self) -> str:
        return {"fixed": "Season with fixed dates", "rolling": "Rolling membership"}[self.value]


class DurationUnit(StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


class MembershipStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    ACTIVE = "active"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return {
            "pending_payment": "Waiting for payment",
            "active": "Active",
            "expired": "Expired",
            "suspended": "Suspended",
            "cancelled": "Cancelled",
            "refunded": "Refunded",
        }[self.value]


class Program(TenantMixin, TimestampMixin, db.Model):
    """A league's offer, e.g. "Spring recreational" or "Adult drop-in"."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("league_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    archived: Mapped[bool] = mapped_column(default=False)

    plans: Mapped[list[Plan]] = relationship(
        back_populates="program", order_by="Plan.position, Plan.id"
    )


class Plan(TenantMixin, TimestampMixin, db.Model):
    """What a player pays for: a price, a term, who may join and what they agree to."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    is_open: Mapped[bool] = mapped_column(default=True)  # taking registrations

    # Money is stored in the currency's minor unit (cents).
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="usd")

    term: Mapped[TermKind] = mapped_column(str_enum(TermKind))
    season_start: Mapped[date | None]
    season_end: Mapped[date | None]
    duration: Mapped[int | None]
    duration_unit: Mapped[DurationUnit | None] = mapped_column(str_enum(DurationUnit))
    # Days before a membership ends when renewal (and the profile unlock) opens;
    # None: the league's setting.
    renewal_window_days: Mapped[int | None]

    capacity: Mapped[int | None]  # None: no limit
    age_group_ids: Mapped[list | None] = mapped_column(JSON)  # None or []: every group
    born_from: Mapped[date | None]
    born_to: Mapped[date | None]
    required_fields: Mapped[list | None] = mapped_column(JSON)  # beyond the league's

    agreement_title: Mapped[str] = mapped_column(String(120), default="")
    agreement_text: Mapped[str] = mapped_column(Text, default="")
    agreement_key: Mapped[str | None] = mapped_column(String(255))  # an optional PDF
    agreement_version: Mapped[int] = mapped_column(default=0)  # 0: no agreement

    program: Mapped[Program] = relationship(back_populates="plans")
    league: Mapped[League] = relationship()

    @property
    def has_agreement(self) -> bool:
        return self.agreement_version > 0


class AgreementAcceptance(TenantMixin, db.Model):
    """Who accepted which version of a plan's agreement, for which player, and when."""

    __tablename__ = "agreement_acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("player_profiles.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text_sha256: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(TenantMixin, TimestampMixin, db.Model):
    """One term of one player on one plan."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_profile_status", "profile_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("player_profiles.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus), default=MembershipStatus.PENDING_PAYMENT
    )
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    activated_at: Mapped[datetime | None]
    suspended_until: Mapped[date | None]  # None while suspended: until lifted by hand
    suspension_reason: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[datetime | None]  # cancelled, refunded or expired
    end_reason: Mapped[str] = mapped_column(Text, default="")
    reminder_sent_for: Mapped[date | None]  # the ends_on a reminder was sent for

    profile: Mapped[PlayerProfile] = relationship()
    plan: Mapped[Plan] = relationship()
