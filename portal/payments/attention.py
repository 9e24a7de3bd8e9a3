"""Settling a flagged order (NEEDS_ATTENTION): the league admin accepts the payment as
it was made, refunds all of it, or, when nothing was paid, closes the order.

All three start from the gateway's current word, not from what was stored when the
order was flagged, and all are a conditional move out of NEEDS_ATTENTION: a
second click, or a second admin, finds the order settled and changes nothing.
The refund moves the order first and asks the gateway after, inside the same
transaction, so an "Accept" racing it waits for the row and then finds nothing to
accept; if the gateway fails the view rolls back and the order is flagged again. The
close ends the checkout at the gateway first: once that is done nobody can pay it, so
there is nothing left for the order's move to race.
"""

from __future__ import annotations

from portal.accounts.models import User
from portal.core.db import utcnow
from portal.core.money import format_money
from portal.extensions import db
from portal.memberships import lifecycle
from portal.payments import fulfilment
from portal.payments.gateway import GatewayError, SessionInfo, get_gateway
from portal.payments.models import Order, OrderStatus, Resolution


class AttentionError(ValueError):
    """The flagged order cannot be settled this way; the message is for the admin."""


CLOSED = "Closed by the league: nothing was paid"


def _current_session(order: Order) -> SessionInfo:
    """The order's checkout session as the gateway has it now, any payment in it kept."""
    session = get_gateway().get_session(order.session_id)
    fulfilment.record_reported(order, session)
    return session


def _paid_session(order: Order) -> SessionInfo:
    """The order's checkout session as the gateway has it now, its payment kept."""
    if not order.session_id:
        raise AttentionError("This order has no checkout, so no payment to settle.")
    session = _current_session(order)
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
        resolution=Resolution.ACCEPTED,
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
        resolution=Resolution.REFUNDED,
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


def close(order: Order, admin: User) -> str:
    """Close a flagged order nobody paid: its checkout is ended at the gateway (the payer
    can no longer pay it), the order reads as an abandoned checkout, and its memberships
    and places are released as for one; who closed it is kept.

    Refused once the gateway shows a payment, even one still on its way: the payment is
    kept with the order (returned as "payment seen"), to be accepted or refunded. The
    checkout is ended before the order moves, so a payer paying at that moment makes the
    gateway refuse the expiry and the order stays flagged with the payment in view."""
    if order.status != OrderStatus.NEEDS_ATTENTION:
        return f"already {order.status.value}"
    session = _current_session(order) if order.session_id else None
    if session is not None and session.status == "open":
        session = _end_checkout(order)
    if session is not None and session.status == "complete":
        return "payment seen" if session.paid else "payment on its way"
    outcome = fulfilment.move(
        order,
        (OrderStatus.NEEDS_ATTENTION,),
        OrderStatus.EXPIRED,
        "closed",
        resolution=Resolution.CLOSED,
        resolved_by_id=admin.id,
        resolved_at=utcnow(),
    )
    if outcome == "closed":
        for line in order.lines:  # what an expired checkout does (fulfilment._end_unpaid)
            lifecycle.cancel_unpaid(line.membership, CLOSED)
        db.session.flush()
    return outcome


def _end_checkout(order: Order) -> SessionInfo:
    """Expire the open checkout at the gateway; returns the session as it is then. A
    refusal means it is no longer open: expired on its own, or just paid (read again)."""
    gateway = get_gateway()
    try:
        return gateway.expire_session(order.session_id)
    except GatewayError:
        session = _current_session(order)
        if session.status == "open":
            raise  # refused for another reason: shown to the admin, nothing kept
        return session


def _record(order, refund_id, amount, status, admin, reason, currency) -> None:
    row = fulfilment.refund_row(order, refund_id, amount, status)
    note = reason.strip() or "Refunded: the payment did not match the order"
    if currency != order.currency:
        note += f" ({format_money(amount, currency)} in {currency.upper()})"
    row.reason, row.created_by_id = note, admin.id
