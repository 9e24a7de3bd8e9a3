"""Player cards, the checks made of them, print jobs, and teams.

A card is the player's identity token: an unguessable random token (128 bits)
in the QR code. Reissuing a card (lost, or after a suspension) revokes the old
token, so a scan of an old card says a newer card exists. The card's PDF is
made from its content and stored under a hash of that content, so an
unchanged card is never rendered twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.db import TimestampMixin, str_enum, utcnow
from portal.core.tenancy import TenantMixin
from portal.extensions import db
from portal.players.models import PlayerProfile


class PdfState(StrEnum):
    NONE = "none"  # nothing to print yet (no verified profile or no membership)
    PENDING = "pending"  # being made by the worker
    READY = "ready"
    FAILED = "failed"


class Card(TenantMixin, db.Model):
    """One issued card of one player; at most one is current (not revoked) per player."""

    __tablename__ = "cards"
    __table_args__ = (Index("ix_cards_profile_current", "profile_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("player_profiles.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(String(200), default="")
    # The PDF of the card's current content.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    pdf_key: Mapped[str | None] = mapped_column(String(255))
    pdf_hash: Mapped[str | None] = mapped_column(String(64))  # the content the PDF shows
    pdf_state: Mapped[PdfState] = mapped_column(str_enum(PdfState), default=PdfState.NONE)
    pdf_error: Mapped[str] = mapped_column(Text, default="")
    notified_hash: Mapped[str | None] = mapped_column(String(64))  # emailed "ready" for

    profile: Mapped[PlayerProfile] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class CardCheck(TenantMixin, db.Model):
    """A scan by a signed-in referee (or other league staff): who, when, which card, result."""

    __tablename__ = "card_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int | None] = mapped_column(
        ForeignKey("cards.id", ondelete="SET NULL"), index=True
    )
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    result: Mapped[str] = mapped_column(String(20))  # the reason code
    player_name: Mapped[str] = mapped_column(String(170), default="")

    card: Mapped[Card | None] = relationship()
    checked_by: Mapped[User | None] = relationship()


class PrintStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PrintJob(TenantMixin, TimestampMixin, db.Model):
    """A sheet of cards (and optionally a roster) made in the background."""

    __tablename__ = "print_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    selection: Mapped[dict] = mapped_column(JSON)  # the filters and the chosen profile ids
    paper: Mapped[str] = mapped_column(String(10), default="letter")
    double_sided: Mapped[bool] = mapped_column(default=False)
    with_roster: Mapped[bool] = mapped_column(default=False)
    status: Mapped[PrintStatus] = mapped_column(str_enum(PrintStatus), default=PrintStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    pdf_key: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None]

    requested_by: Mapped[User | None] = relationship()


class Team(TenantMixin, TimestampMixin, db.Model):
    """A team of a league (optionally within a program): what a game card lists."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("league_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))

    players: Mapped[list[TeamPlayer]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class TeamPlayer(TenantMixin, db.Model):
    __tablename__ = "team_players"
    __table_args__ = (UniqueConstraint("team_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("player_profiles.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(4), default="")  # the shirt number

    team: Mapped[Team] = relationship(back_populates="players")
    profile: Mapped[PlayerProfile] = relationship()
