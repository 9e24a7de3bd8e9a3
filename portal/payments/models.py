"""Orders, refunds, received webhook events, and reconciliation runs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.core.db import TimestampMixin, str_enum, utcnow
from portal.core.tenancy import TenantMixin
from portal.extensions import db
from portal.leagues.models import League
from portal.memberships.models import Membership, Plan
from portal.players.models import PlayerProfile


class Resolution(StrEnum):
    """How an admin settled a flagged order (stored as its plain value)."""

    ACCEPTED = "accepted"  # the payment counts as made
    REFUNDED = "refunded"  # all of it went back
    CLOSED = "closed"  # nothing was paid; the checkout was ended


class OrderStatus(StrEnum):
    OPEN = "open"  # checkout started, not paid
    PROCESSING = "processing"  # paid by a delayed method (bank debit): waiting for the money
    PAID = "paid"
    FAILED = "failed"  # the delayed payment failed
    EXPIRED = "expired"  # the checkout was abandoned
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    NEEDS_ATTENTION = "needs_attention"  # something did not match: an admin must look

    @property
    def label(self) -> str:
        return {
            "open": "Not paid yet",
            "processing": "Payment on its way",
            "paid": "Paid",
            "failed": "Payment failed",
            "expired": "Checkout abandoned",
            "partially_refunded": "Partly refunded",
            "refunded": "Refunded",
            "needs_attention": "Needs attention",
        }[self.value]


class Order(TenantMixin, TimestampMixin, db.Model):
    """One checkout: a guardian paying for one or more players' memberships."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_league_status_created", "league_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus), default=OrderStatus.OPEN)
    gateway: Mapped[str] = mapped_column(String(10))  # "stripe" or "test"
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int]  # our price, from our database
    paid_minor: Mapped[int] = mapped_column(default=0)  # what was charged (after discounts)
    refunded_minor: Mapped[int] = mapped_column(default=0)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    session_url: Mapped[str | None] = mapped_column(Text)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    paid_at: Mapped[datetime | None]
    disputed_at: Mapped[datetime | None]
    attention_reason: Mapped[str] = mapped_column(Text, default="")
    # Whether the checkout offered promotion codes, as it was opened: the league's
    # setting may change before the payment is checked.
    allow_promotion_codes: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What the gateway charged when it did not match (flagged), for the admin to judge.
    reported_minor: Mapped[int | None]
    reported_currency: Mapped[str | None] = mapped_column(String(3))
    # How an admin settled a flagged order (a Resolution, or ""), by whom, when.
    resolution: Mapped[str] = mapped_column(String(20), default="", server_default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    # A closed dispute's outcome: "won" (disputed_at cleared) or "lost".
    dispute_outcome: Mapped[str] = mapped_column(String(20), default="", server_default="")

    guardian: Mapped[User | None] = relationship(foreign_keys=[guardian_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    league: Mapped[League] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Refund.id"
    )


class OrderLine(TenantMixin, db.Model):
    """One player's membership in an order, at the price it had then."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), unique=True
    )
    profile_id: Mapped[int] = mapped_column(ForeignKey("player_profiles.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int]
    description: Mapped[str] = mapped_column(String(255))

    order: Mapped[Order] = relationship(back_populates="lines")
    membership: Mapped[Membership] = relationship()
    profile: Mapped[PlayerProfile] = relationship()
    plan: Mapped[Plan] = relationship()


class Refund(TenantMixin, db.Model):
    """Money given back, from the portal or found in Stripe's records."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    gateway_refund_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount_minor: Mapped[int]
    status: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="refunds")
    created_by: Mapped[User | None] = relationship()


class EventStatus(StrEnum):
    PENDING = "pending"  # stored, waiting for the worker
    PROCESSING = "processing"
    PROCESSED = "processed"
    IGNORED = "ignored"  # a type we do not act on, or nothing of ours
    FAILED = "failed"  # kept failing: the platform admin sees it with a retry button


class WebhookEvent(db.Model):
    """A Stripe event exactly as received, stored before anything else happens.

    Not tenant-owned: the league is only known once processing has found our
    order through our own reference.
    """

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_status_received", "status", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus), default=EventStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]  # when a retry is due (after a temporary failure)
    processed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    league_id: Mapped[int | None] = mapped_column(ForeignKey("leagues.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))


class ReconciliationRun(db.Model):
    """What a reconciliation found: sessions paid at the gateway we had missed, and
    orders stuck waiting."""

    __tablename__ = "reconciliation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    checked: Mapped[int] = mapped_column(default=0)
    fixed: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")


class GatewayObject(db.Model):
    """The built-in test gateway's records: checkout sessions, payments, refunds.

    Stripe-shaped JSON, so the code that reads Stripe reads these the same way.
    """

    __tablename__ = "test_gateway_objects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
