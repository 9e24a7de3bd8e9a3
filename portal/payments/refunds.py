"""Refunds a league admin makes from the portal (through the gateway).

Refunds made in Stripe's dashboard arrive as `charge.refunded` events and go
through `fulfilment.sync_refunds`; refunds made here go through it too, so
the order's totals and its memberships follow the same rule either way.
"""

from __future__ import annotations

from portal.accounts.models import User
from portal.core.money import format_money
from portal.extensions import db
from portal.payments.fulfilment import refund_row, refundable, sync_refunds
from portal.payments.gateway import get_gateway
from portal.payments.models import Order, Refund


class RefundError(ValueError):
    """A refund that cannot be made; the message is for the admin."""


def refund(order: Order, amount_minor: int, admin: User | None, reason: str) -> Refund:
    """Give back all or part of a payment. A full refund cancels the memberships."""
    available = refundable(order)
    if available == 0 or not order.payment_intent_id:
        raise RefundError("Only a paid order with money left to refund can be refunded.")
    if not 0 < amount_minor <= available:
        raise RefundError(
            f"Refund between {format_money(1, order.currency)} and "
            f"{format_money(available, order.currency)}."
        )
    # The key repeats for a repeated click (same order, same total so far, same amount).
    key = f"refund-{order.id}-{order.refunded_minor}-{amount_minor}"
    gateway = get_gateway()
    made = gateway.refund(
        order.payment_intent_id,
        amount_minor,
        key,
        {"order_id": str(order.id), "league_id": str(order.league_id)},
    )
    row = refund_row(order, made.id, made.amount, made.status)
    row.reason = reason.strip() or "Refunded by the league"
    row.created_by_id = admin.id if admin else None
    db.session.flush()
    sync_refunds(order, gateway.get_payment(order.payment_intent_id))
    return row
