"""The family's email when money goes back: one per refund we record.

The mail is keyed on a `Refund` row being inserted, not on the webhook event that led
to it: Stripe may deliver `charge.refunded` ten times, and a refund made from the portal
comes back as the same refund's event, but a gateway refund id is stored once (it is
unique), so its row is inserted once. Rows inserted in the current transaction are
noted here (a mapper event); `queue_mail` turns an order's noted rows into one message,
which `send_mail` hands to the worker only when the transaction commits. A transaction
that loses the race to record the same refund rolls back, and its message never leaves.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from portal.core.mail import send_mail
from portal.core.money import format_money
from portal.core.urls import absolute_url
from portal.payments.gateway import PaymentInfo
from portal.payments.models import Order, OrderStatus, Refund

NOTED = "refund_notice.inserted"  # session.info: the Refund rows inserted in this transaction
NOT_MONEY_BACK = ("failed", "canceled")  # refund statuses that gave nothing back


@event.listens_for(Refund, "after_insert")
def _note_inserted(mapper, connection, row: Refund) -> None:
    session = object_session(row)
    if session is not None:
        session.info.setdefault(NOTED, []).append(row)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    """The transaction is over (committed or rolled back): its rows were told or never
    will be. A savepoint's end is not the transaction's."""
    if transaction.parent is None:
        session.info.pop(NOTED, None)


def queue_mail(order: Order, payment: PaymentInfo) -> bool:
    """Tell the family about the refunds of `order` inserted in this transaction (once:
    they are taken off the list), in the payment's currency (a flagged payment may have
    been made in another). All the money back (the order is refunded, or the gateway's
    totals say so: a refund can be recorded before the payment it undoes) ends the
    memberships, and the message says so. Returns whether a message was queued."""
    session = object_session(order)
    noted = session.info.get(NOTED, []) if session is not None else []
    rows = [row for row in noted if row.order_id == order.id]
    if not rows:
        return False
    session.info[NOTED] = [row for row in noted if row.order_id != order.id]
    amount = sum(row.amount_minor for row in rows if row.status not in NOT_MONEY_BACK)
    if amount <= 0 or order.guardian is None:
        return False
    full = order.status == OrderStatus.REFUNDED or (
        payment.amount_received > 0 and payment.amount_refunded >= payment.amount_received
    )
    money = format_money(amount, payment.currency or order.currency)
    names = [line.profile.full_name for line in order.lines]
    send_mail(
        order.guardian.email,
        f"{'Refund' if full else 'Partial refund'} of {money} for order {order.id}",
        "order_refunded",
        order=order,
        league=order.league,
        amount=money,
        full=full,
        players=_and(names),
        several=len(names) > 1,
        link=absolute_url("l.memberships.mine", league_slug=order.league.slug),
    )
    return True


def _and(names: list[str]) -> str:
    """Names as a sentence says them: Mia; Mia and Leo; Mia, Leo and Ava."""
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
