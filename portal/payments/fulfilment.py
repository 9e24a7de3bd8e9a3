"""Bringing an order in line with what the gateway says: the one fulfilment path.

The webhook worker and the success page both call `sync_order()`, whichever
comes first; every step is a conditional update, so the second caller (or a
tenth delivery of the same event, or an event that arrives late) changes
nothing. What the gateway says is re-read from the gateway, never taken from
a webhook payload, and checked against our own order before it counts.
"""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from portal.core.db import conditional_update, new_params, utcnow
from portal.core.mail import send_mail
from portal.core.permissions import Role
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.leagues.models import LeagueRole
from portal.memberships import lifecycle
from portal.memberships.models import Membership
from portal.payments import checks, refund_notice
from portal.payments.gateway import DisputeInfo, PaymentInfo, SessionInfo, get_gateway
from portal.payments.models import Order, OrderLine, OrderStatus, Refund, Resolution

log = logging.getLogger(__name__)

# Orders that a confirmed payment may still move to "paid": an event can
# arrive after we gave up waiting, and the gateway's word wins.
PAYABLE = (OrderStatus.OPEN, OrderStatus.PROCESSING, OrderStatus.EXPIRED, OrderStatus.FAILED)
# Orders whose payment counted: refunds and memberships follow their rules from then on.
SETTLED = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)


def sync_order(order: Order, session: SessionInfo | None = None, *, failed: bool = False) -> str:
    """Make the order agree with its checkout session; returns what happened, in a word."""
    session = session or get_gateway().get_session(order.session_id)
    problem = checks.mismatch(order, session)
    if problem:
        return flag(order, problem, session)
    if session.status == "expired":
        return _end_unpaid(order, OrderStatus.EXPIRED, "The checkout was not completed.")
    if session.status != "complete":
        return "open"
    if session.paid:
        payment = (
            get_gateway().get_payment(session.payment_intent) if session.payment_intent else None
        )
        if order.status in PAYABLE and (held := checks.season_held_elsewhere(order)):
            return flag(order, held, session)
        outcome = mark_paid(order, session)
        if payment is not None:
            sync_refunds(order, payment)
        return outcome
    # Completed but unpaid: a delayed method (bank debit). Ask the payment how it goes.
    payment = get_gateway().get_payment(session.payment_intent) if session.payment_intent else None
    if failed or (
        payment is not None and payment.status in ("requires_payment_method", "canceled")
    ):
        return _end_unpaid(order, OrderStatus.FAILED, "The payment did not go through.")
    return move(order, (OrderStatus.OPEN,), OrderStatus.PROCESSING, "processing")


def move(order: Order, from_states, to_state: OrderStatus, outcome: str, **values) -> str:
    """A conditional transition: applies once, however many callers race to it."""
    moved = db.session.execute(
        _move_statement(tuple(values)),
        {
            "order_id": order.id,
            "from_states": list(from_states),
            "to_state": to_state,
            **new_params(values),
        },
    )
    _reload(order)
    return outcome if moved.rowcount == 1 else f"already {order.status.value}"


@cache
def _move_statement(names: tuple[str, ...]):
    """`UPDATE orders SET status = :to_state, <names> WHERE id = :order_id AND status IN
    :from_states`, built once per set of columns: making and keying the statement cost
    the worker more CPU than running it."""
    return conditional_update(
        Order,
        "order_id",
        states="from_states",
        names=names,
        values={"status": bindparam("to_state")},
    )


def _reload(order: Order) -> Order:
    """Read the order again as it is now (as `Session.refresh` would), together with
    everything that follows a transition reads: each line's membership and plan (to
    start or end its term), the guardian (mailed) and the league (its day, its name in
    the mail). One SELECT instead of a refresh and five lazy loads one after the other;
    each plan's league is the order's, so `plan.league` is then found in the session."""
    return db.session.scalars(_reload_statement(), {"order_id": order.id}).unique().one()


@cache
def _reload_statement():
    """Built once, like `_move_statement`."""
    return (
        select(Order)
        .where(Order.id == bindparam("order_id"))
        .options(
            joinedload(Order.lines).joinedload(OrderLine.membership).joinedload(Membership.plan),
            joinedload(Order.guardian),
            joinedload(Order.league),
        )
        .execution_options(populate_existing=True)
    )


def mark_paid(order: Order, session: SessionInfo, from_states=PAYABLE, **values) -> str:
    """The payment counts: the order is paid and its memberships start (once)."""
    outcome = move(
        order,
        from_states,
        OrderStatus.PAID,
        "paid",
        paid_at=utcnow(),
        paid_minor=session.amount_total,
        payment_intent_id=session.payment_intent,
        **values,
    )
    if outcome == "paid":
        for line in order.lines:
            lifecycle.activate(line.membership)
        _mail_guardian(order, "order_paid", "Payment received: you're registered")
    return outcome


def _end_unpaid(order: Order, status: OrderStatus, reason: str) -> str:
    outcome = move(order, (OrderStatus.OPEN, OrderStatus.PROCESSING), status, status.value)
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
    known = (
        set(db.session.scalars(select(Refund.gateway_refund_id).where(Refund.order_id == order.id)))
        if payment.refunds  # nothing to compare (a payment just made): no query
        else set()
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
    if payment.currency and payment.currency != order.currency:
        # Paid in another currency (a flagged order): its amounts are not ours to add up.
        db.session.flush()
        refund_notice.queue_mail(order, payment)
        return "refund recorded" if payment.refunds else "no refund"
    if payment.amount_refunded > order.refunded_minor:  # unchanged: nothing for flush to do
        order.refunded_minor = payment.amount_refunded
    db.session.flush()
    outcome = settle_refunded(order, order.paid_minor or payment.amount_received)
    refund_notice.queue_mail(order, payment)  # the family, once per refund recorded now
    return outcome


def refund_row(order: Order, refund_id: str, amount: int, status: str) -> Refund:
    """The order's record of a gateway refund: the one stored under its id, or a new one
    (added to the session) for the caller to give its reason and author."""
    row = db.session.scalars(select(Refund).where(Refund.gateway_refund_id == refund_id)).first()
    if row is None:
        row = Refund(
            league_id=order.league_id,
            order_id=order.id,
            gateway_refund_id=refund_id,
            amount_minor=amount,
            status=status,
        )
        db.session.add(row)
    return row


def settle_refunded(order: Order, paid: int) -> str:
    """The order's status once `refunded_minor` is known: all of `paid` back refunds the
    order and ends its memberships; part of it keeps them."""
    refunded = order.refunded_minor
    if refunded == 0 or order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return "refund recorded" if refunded else "no refund"
    if refunded >= paid:
        outcome = move(
            order,
            (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED),
            OrderStatus.REFUNDED,
            "refunded",
        )
        if outcome == "refunded":
            for line in order.lines:
                lifecycle.end_refunded(line.membership)
        return outcome
    return move(order, (OrderStatus.PAID,), OrderStatus.PARTIALLY_REFUNDED, "partially refunded")


def flag(order: Order, reason: str, session: SessionInfo | None = None) -> str:
    """Stop: something does not match. Nothing activates; the league's admins are told.

    What the gateway reported (its payment, amount and currency) is kept with the
    order, so an admin can accept the payment or refund it (see `attention.py`).
    A payment that already counted was checked when it did; a difference seen later
    (the league switched promotion codes off since a discounted payment) must not take
    it out of the paid states, where refunds are made and end its memberships.
    """
    if order.status in SETTLED:
        log.warning("order %s is %s; not flagged now: %s", order.id, order.status, reason)
        return f"already {order.status.value}"
    if order.resolution == Resolution.CLOSED and (session is None or session.status != "complete"):
        # An admin closed it unpaid (attention.close): its checkout's expiry, or "Check
        # again", finds the same difference and still nothing paid. A payment reopens it.
        return f"already {order.status.value}"
    if session is not None:
        record_reported(order, session)
    if order.status == OrderStatus.NEEDS_ATTENTION and order.attention_reason == reason:
        return "flagged"
    log.warning("order %s needs attention: %s", order.id, reason)
    order.status = OrderStatus.NEEDS_ATTENTION
    order.attention_reason = reason
    _mail_admins(order, f"A payment needs your attention (order {order.id})", reason)
    return "flagged"


def record_reported(order: Order, session: SessionInfo) -> None:
    """Keep what the gateway says was paid for this order's own checkout session."""
    if session.id != order.session_id or session.status != "complete":
        return
    if session.payment_intent:
        order.payment_intent_id = session.payment_intent
    order.reported_minor = session.amount_total
    order.reported_currency = session.currency


def record_dispute(order: Order) -> str:
    if order.dispute_outcome:  # closed already (its events may come in any order)
        return f"dispute already {order.dispute_outcome}"
    if order.disputed_at is not None:
        return "dispute already recorded"
    order.disputed_at = utcnow()
    _mail_admins(
        order,
        f"A payment is disputed (order {order.id})",
        "The cardholder disputed the payment with their bank. Respond in Stripe.",
    )
    return "dispute recorded"


def refundable(order: Order) -> int:
    """How much of the order can still be given back, in minor units."""
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return 0
    return max(order.paid_minor - order.refunded_minor, 0)


def close_dispute(order: Order, dispute: DisputeInfo) -> str:
    """A dispute ended. Won (or an inquiry closed): the flag is cleared. Lost: the bank
    gave the disputed money back to the cardholder, which counts as a refund of it
    (recorded under the dispute's id), so losing all of it ends the memberships."""
    if not dispute.closed:
        return f"dispute {dispute.status or 'open'}"
    outcome = "lost" if dispute.lost else "won"
    closed = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.dispute_outcome == "")
        .values(
            dispute_outcome=outcome,
            disputed_at=(order.disputed_at or utcnow()) if dispute.lost else None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(order)
    if closed.rowcount != 1:
        return f"dispute already {order.dispute_outcome}"
    if not dispute.lost:
        return "dispute won"
    _mail_admins(
        order,
        f"A dispute was lost (order {order.id})",
        "The bank decided for the cardholder and returned the disputed money to them.",
    )
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return "dispute lost"
    amount = min(dispute.amount, refundable(order))
    db.session.add(
        Refund(
            league_id=order.league_id,
            order_id=order.id,
            gateway_refund_id=dispute.id,
            amount_minor=amount,
            status="dispute_lost",
            reason="Dispute lost: the bank returned the money to the cardholder",
        )
    )
    order.refunded_minor += amount
    db.session.flush()
    return f"dispute lost, {settle_refunded(order, order.paid_minor)}"


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
