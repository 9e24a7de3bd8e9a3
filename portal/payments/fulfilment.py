"""Bringing an order in line with what the gateway says: the one fulfilment path.

The webhook worker and the success page both call `sync_order()`, whichever
comes first; every step is a conditional update, so the second caller (or a
tenth delivery of the same event, or an event that arrives late) changes
nothing. What the gateway says is re-read from the gateway, never taken from
a webhook payload, and checked against our own order before it counts.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from portal.core.db import utcnow
from portal.core.mail import send_mail
from portal.core.permissions import Role
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.leagues.models import LeagueRole
from portal.memberships import lifecycle
from portal.payments.gateway import PaymentInfo, SessionInfo, get_gateway
from portal.payments.models import Order, OrderStatus, Refund

log = logging.getLogger(__name__)

# Orders that a confirmed payment may still move to "paid": an event can
# arrive after we gave up waiting, and the gateway's word wins.
PAYABLE = (OrderStatus.OPEN, OrderStatus.PROCESSING, OrderStatus.EXPIRED, OrderStatus.FAILED)


def mismatch(order: Order, session: SessionInfo) -> str | None:
    """Why this session cannot be this order's payment (None if it is)."""
    if session.id != order.session_id:
        return "the checkout session is not this order's"
    if session.client_reference_id != str(order.id) or session.metadata.get("order_id") != str(
        order.id
    ):
        return "the checkout session names another order"
    if session.metadata.get("league_id") != str(order.league_id):
        return "the checkout session names another league"
    if session.currency != order.currency:
        return f"currency {session.currency!r} instead of {order.currency!r}"
    if session.amount_subtotal != order.amount_minor:
        return f"amount {session.amount_subtotal} instead of our price {order.amount_minor}"
    discounted = session.amount_total < session.amount_subtotal
    if session.amount_total > session.amount_subtotal or (
        discounted and not order.league.allow_promotion_codes
    ):
        return f"charged {session.amount_total} for a price of {session.amount_subtotal}"
    return None


def sync_order(order: Order, session: SessionInfo | None = None, *, failed: bool = False) -> str:
    """Make the order agree with its checkout session; returns what happened, in a word."""
    session = session or get_gateway().get_session(order.session_id)
    problem = mismatch(order, session)
    if problem:
        return flag(order, problem)
    if session.status == "expired":
        return _end_unpaid(order, OrderStatus.EXPIRED, "The checkout was not completed.")
    if session.status != "complete":
        return "open"
    if session.payment_status in ("paid", "no_payment_required"):
        payment = (
            get_gateway().get_payment(session.payment_intent) if session.payment_intent else None
        )
        outcome = _mark_paid(order, session)
        if payment is not None:
            sync_refunds(order, payment)
        return outcome
    # Completed but unpaid: a delayed method (bank debit). Ask the payment how it goes.
    payment = get_gateway().get_payment(session.payment_intent) if session.payment_intent else None
    if failed or (
        payment is not None and payment.status in ("requires_payment_method", "canceled")
    ):
        return _end_unpaid(order, OrderStatus.FAILED, "The payment did not go through.")
    return _move(order, (OrderStatus.OPEN,), OrderStatus.PROCESSING, "processing")


def _move(order: Order, from_states, to_state: OrderStatus, outcome: str, **values) -> str:
    """A conditional transition: applies once, however many callers race to it."""
    moved = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(from_states))
        .values(status=to_state, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(order)
    return outcome if moved.rowcount == 1 else f"already {order.status.value}"


def _mark_paid(order: Order, session: SessionInfo) -> str:
    outcome = _move(
        order,
        PAYABLE,
        OrderStatus.PAID,
        "paid",
        paid_at=utcnow(),
        paid_minor=session.amount_total,
        payment_intent_id=session.payment_intent,
    )
    if outcome == "paid":
        for line in order.lines:
            lifecycle.activate(line.membership)
        _mail_guardian(order, "order_paid", "Payment received: you're registered")
    return outcome


def _end_unpaid(order: Order, status: OrderStatus, reason: str) -> str:
    outcome = _move(order, (OrderStatus.OPEN, OrderStatus.PROCESSING), status, status.value)
    if outcome == status.value:
        for line in order.lines:
            lifecycle.cancel_unpaid(line.membership, reason)
        if status == OrderStatus.FAILED:
            _mail_guardian(order, "order_failed", "Your payment did not go through")
    return outcome


def sync_refunds(order: Order, payment: PaymentInfo) -> str:
    """Record refunds made anywhere (our portal or Stripe's dashboard); a full refund
    cancels the memberships it paid for. Safe to run before the order is paid (a
    refund event can overtake the payment's): `sync_order` calls it again then."""
    known = set(
        db.session.scalars(select(Refund.gateway_refund_id).where(Refund.order_id == order.id))
    )
    for refund in payment.refunds:
        if refund.id not in known:
            db.session.add(
                Refund(
                    league_id=order.league_id,
                    order_id=order.id,
                    gateway_refund_id=refund.id,
                    amount_minor=refund.amount,
                    status=refund.status,
                    reason="Recorded from the gateway",
                )
            )
    refunded = max(order.refunded_minor, payment.amount_refunded)
    order.refunded_minor = refunded
    db.session.flush()
    if refunded == 0 or order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return "refund recorded" if refunded else "no refund"
    if refunded >= (order.paid_minor or payment.amount_received):
        outcome = _move(
            order,
            (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED),
            OrderStatus.REFUNDED,
            "refunded",
        )
        if outcome == "refunded":
            for line in order.lines:
                lifecycle.end_refunded(line.membership)
        return outcome
    return _move(order, (OrderStatus.PAID,), OrderStatus.PARTIALLY_REFUNDED, "partially refunded")


def flag(order: Order, reason: str) -> str:
    """Stop: something does not match. Nothing activates; the league's admins are told."""
    if order.status == OrderStatus.NEEDS_ATTENTION and order.attention_reason == reason:
        return "flagged"
    log.warning("order %s needs attention: %s", order.id, reason)
    order.status = OrderStatus.NEEDS_ATTENTION
    order.attention_reason = reason
    _mail_admins(order, f"A payment needs your attention (order {order.id})", reason)
    return "flagged"


def record_dispute(order: Order) -> str:
    if order.disputed_at is not None:
        return "dispute already recorded"
    order.disputed_at = utcnow()
    _mail_admins(
        order,
        f"A payment is disputed (order {order.id})",
        "The cardholder disputed the payment with their bank. Respond in Stripe.",
    )
    return "dispute recorded"


def _mail_guardian(order: Order, template: str, subject: str) -> None:
    if order.guardian is None:
        return
    send_mail(
        order.guardian.email,
        subject,
        template,
        order=order,
        league=order.league,
        link=absolute_url("l.memberships.mine", league_slug=order.league.slug),
    )


def _mail_admins(order: Order, subject: str, reason: str) -> None:
    admins = db.session.scalars(
        select(LeagueRole).where(
            LeagueRole.league_id == order.league_id, LeagueRole.role == Role.ADMIN
        )
    ).all()
    link = absolute_url("l.payments.detail", league_slug=order.league.slug, order_id=order.id)
    for grant in admins:
        send_mail(
            grant.user.email,
            subject,
            "order_attention",
            order=order,
            league=order.league,
            reason=reason,
            link=link,
        )
