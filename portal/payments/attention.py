"""Settling a flagged order (NEEDS_ATTENTION): the league admin accepts the payment as
it was made, or refunds all of it.

Both start from the gateway's current word, not from what was stored when the
order was flagged, and both are a conditional move out of NEEDS_ATTENTION: a
second click, or a second admin, finds the order settled and changes nothing.
The refund moves the order first and asks the gateway after, inside the same
transaction, so an "Accept" racing it waits for the row and then finds nothing to
accept; if the gateway fails the view rolls back and the order is flagged again.
"""

from __future__ import annotations

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.core.money import format_money
from portal.extensions import db
from portal.memberships import lifecycle
from portal.payments import fulfilment
from portal.payments.gateway import SessionInfo, get_gateway
from portal.payments.models import Order, OrderStatus


class AttentionError(ValueError):
    """The flagged order cannot be settled this way; the message is for the admin."""


def _paid_session(order: Order) -> SessionInfo:
    """The order's checkout session as the gateway has it now, its payment kept."""
    if not order.session_id:
        raise AttentionError("This order has no checkout, so no payment to settle.")
    session = get_gateway().get_session(order.session_id)
    fulfilment.record_reported(order, session)
    if session.status != "complete" or not session.paid:
        raise AttentionError(
            "No payment has been received for this order, so there is nothing to accept "
            "or refund yet. Use “Check again” once the payer has paid."
        )
    return session


def accept(order: Order, admin: User) -> str:
    """Count the payment as made: the order is paid, its memberships start, and who
    accepted it is kept. Refused for a payment in another currency (its amount would
    be added up as ours) or one the gateway does not show as received."""
    if order.status != OrderStatus.NEEDS_ATTENTION:
        return f"already {order.status.value}"
    session = _paid_session(order)
    if session.currency != order.currency:
        raise AttentionError(
            f"This payment was made in {session.currency.upper()}, not "
            f"{order.currency.upper()}, so it cannot count as this order's: refund it."
        )
    payment = get_gateway().get_payment(session.payment_intent) if session.payment_intent else None
    if payment is not None and payment.status != "succeeded":
        raise AttentionError("The gateway does not show this payment as received yet.")
    outcome = fulfilment.mark_paid(
        order,
        session,
        (OrderStatus.NEEDS_ATTENTION,),
        resolution="accepted",
        resolved_by_id=admin.id,
        resolved_at=utcnow(),
    )
    if outcome == "paid" and payment is not None:
        fulfilment.sync_refunds(order, payment)  # a refund made before it was accepted
    return outcome


def refund(order: Order, admin: User, reason: str = "") -> str:
    """Give back everything the payer paid; the memberships never start (they read as
    refunded). A refund already made in the gateway's dashboard is not made twice."""
    if order.status != OrderStatus.NEEDS_ATTENTION:
        return f"already {order.status.value}"
    session = _paid_session(order)
    gateway = get_gateway()
    payment = gateway.get_payment(session.payment_intent) if session.payment_intent else None
    same_currency = session.currency == order.currency
    received = payment.amount_received if payment else 0
    outcome = fulfilment.move(
        order,
        (OrderStatus.NEEDS_ATTENTION,),
        OrderStatus.REFUNDED,
        "refunded",
        paid_minor=received if same_currency else 0,
        refunded_minor=received if same_currency else 0,
        resolution="refunded",
        resolved_by_id=admin.id,
        resolved_at=utcnow(),
    )
    if outcome != "refunded":
        return outcome
    left = received - payment.amount_refunded if payment else 0
    if left > 0:
        made = gateway.refund(
            payment.id,
            left,
            f"attention-refund-{order.id}-{payment.amount_refunded}",
            {"order_id": str(order.id), "league_id": str(order.league_id)},
        )
        _record(order, made.id, made.amount, made.status, admin, reason, session.currency)
        db.session.flush()
    if payment is not None:  # refunds made in the dashboard too, recorded once each
        fulfilment.sync_refunds(order, gateway.get_payment(payment.id))
    for line in order.lines:
        lifecycle.end_refunded(line.membership)
    db.session.flush()
    return outcome


def _record(order, refund_id, amount, status, admin, reason, currency) -> None:
    row = fulfilment.refund_row(order, refund_id, amount, status)
    note = reason.strip() or "Refunded: the payment did not match the order"
    if currency != order.currency:
        note += f" ({format_money(amount, currency)} in {currency.upper()})"
    row.reason, row.created_by_id = note, admin.id
