"""The payment gateway: Stripe, or the built-in test gateway, behind one interface.

`STRIPE_SECRET_KEY` set: the official Stripe SDK (`STRIPE_API_BASE` points it
at another server, as the tests do). Unset: the test gateway, which keeps
Stripe-shaped records in our database and sends Stripe-shaped, Stripe-signed
events to our own webhook, so the real code path runs without keys.

Everything the rest of the code learns from a gateway comes back as the small
dataclasses below, read from the gateway itself, never from a webhook payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import current_app


class GatewayUnavailable(RuntimeError):
    """The gateway could not be reached or answered 5xx/429: try again later."""


class GatewayError(RuntimeError):
    """The gateway refused the request: trying again will not help."""


@dataclass(frozen=True)
class LineItem:
    description: str
    amount_minor: int


@dataclass(frozen=True)
class CheckoutRequest:
    order_id: int
    league_id: int
    currency: str
    lines: list[LineItem]
    success_url: str
    cancel_url: str
    idempotency_key: str
    customer_email: str | None = None
    allow_promotion_codes: bool = False
    expires_at: datetime | None = None

    @property
    def metadata(self) -> dict[str, str]:
        """Our own references, echoed back by the gateway and checked on the way in."""
        return {"order_id": str(self.order_id), "league_id": str(self.league_id)}


@dataclass(frozen=True)
class SessionInfo:
    id: str
    status: str  # open, complete, expired
    payment_status: str  # paid, unpaid, no_payment_required
    currency: str
    amount_subtotal: int
    amount_total: int
    client_reference_id: str | None
    metadata: dict
    payment_intent: str | None
    url: str | None
    created: int
    amount_discount: int = 0  # promotion codes: amount_total = subtotal - discount

    @property
    def paid(self) -> bool:
        """The money is in (a 100% discount needs none)."""
        return self.payment_status in ("paid", "no_payment_required")


@dataclass(frozen=True)
class RefundInfo:
    id: str
    amount: int
    status: str


@dataclass(frozen=True)
class PaymentInfo:
    id: str  # the payment intent
    status: str  # succeeded, processing, requires_payment_method, canceled ...
    currency: str
    amount_received: int
    amount_refunded: int
    metadata: dict
    refunds: list[RefundInfo] = field(default_factory=list)
    disputed: bool = False


@dataclass(frozen=True)
class DisputeInfo:
    id: str
    status: str  # needs_response, under_review, won, lost, warning_closed ...
    amount: int
    payment_intent: str | None

    @property
    def closed(self) -> bool:
        return self.status in ("won", "lost", "warning_closed")

    @property
    def lost(self) -> bool:
        return self.status == "lost"


class Gateway(Protocol):
    name: str

    def create_session(self, request: CheckoutRequest) -> SessionInfo: ...
    def get_session(self, session_id: str) -> SessionInfo: ...
    def expire_session(self, session_id: str) -> SessionInfo: ...
    def list_paid_sessions(self, since: datetime) -> list[SessionInfo]: ...
    def get_payment(self, payment_intent_id: str) -> PaymentInfo: ...
    def get_dispute(self, dispute_id: str) -> DisputeInfo: ...
    def refund(
        self, payment_intent_id: str, amount_minor: int, idempotency_key: str, metadata: dict
    ) -> RefundInfo: ...


def _object_id(value) -> str | None:
    """An id Stripe sends either as a string or, when expanded, as the object itself."""
    return value.get("id") if isinstance(value, dict) else value


def session_info(data: dict) -> SessionInfo:
    """A Checkout Session (Stripe's JSON shape) as what we need of it."""
    intent = _object_id(data.get("payment_intent"))
    return SessionInfo(
        id=data["id"],
        status=data.get("status") or "open",
        payment_status=data.get("payment_status") or "unpaid",
        currency=(data.get("currency") or "").lower(),
        amount_subtotal=int(data.get("amount_subtotal") or 0),
        amount_total=int(data.get("amount_total") or 0),
        client_reference_id=data.get("client_reference_id"),
        metadata=dict(data.get("metadata") or {}),
        payment_intent=intent,
        url=data.get("url"),
        created=int(data.get("created") or 0),
        amount_discount=int((data.get("total_details") or {}).get("amount_discount") or 0),
    )


def payment_info(intent: dict) -> PaymentInfo:
    """A PaymentIntent with its latest charge expanded (Stripe's JSON shape)."""
    charge = intent.get("latest_charge") or {}
    if not isinstance(charge, dict):
        charge = {}
    refunds = (charge.get("refunds") or {}).get("data") or []
    return PaymentInfo(
        id=intent["id"],
        status=intent.get("status") or "",
        currency=(intent.get("currency") or "").lower(),
        amount_received=int(intent.get("amount_received") or 0),
        amount_refunded=int(charge.get("amount_refunded") or 0),
        metadata=dict(intent.get("metadata") or {}),
        refunds=[
            RefundInfo(r["id"], int(r.get("amount") or 0), r.get("status") or "") for r in refunds
        ],
        disputed=bool(charge.get("disputed")),
    )


def dispute_info(data: dict) -> DisputeInfo:
    """A Dispute (Stripe's JSON shape) as what we need of it."""
    intent = _object_id(data.get("payment_intent"))
    return DisputeInfo(
        id=data["id"],
        status=data.get("status") or "",
        amount=int(data.get("amount") or 0),
        payment_intent=intent,
    )


def get_gateway() -> Gateway:
    """The configured gateway (one per app)."""
    gateway = current_app.extensions.get("payment_gateway")
    if gateway is None:
        key = current_app.config.get("STRIPE_SECRET_KEY")
        if key:
            from portal.payments.stripe_gateway import StripeGateway

            gateway = StripeGateway(key, current_app.config.get("STRIPE_API_BASE") or None)
        else:
            from portal.payments.testmode import TestGateway

            gateway = TestGateway()
        current_app.extensions["payment_gateway"] = gateway
    return gateway
