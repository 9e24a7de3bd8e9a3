"""Helpers shared by the payments tests: paid orders through the test checkout, orders
inserted in bulk, and readers for the admin pages and the export."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import insert, update

from portal.core.db import utcnow
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus
from portal.payments.gateway import get_gateway
from portal.payments.models import Order, OrderLine, OrderStatus
from tests.payments.conftest import place, reload


def paid_order(league, parent, kids, plan, nonce="n-1") -> Order:
    """An order paid at the test checkout, its event delivered to our webhook."""
    order = place(league, parent, kids, plan, nonce=nonce)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    paid = reload(order)
    assert paid.status == OrderStatus.PAID
    return paid


def set_created(order: Order, moment: datetime) -> None:
    with unscoped():
        db.session.execute(update(Order).where(Order.id == order.id).values(created_at=moment))
        db.session.commit()


def bulk_orders(
    league,
    plan,
    profile,
    guardian,
    count: int,
    *,
    status: OrderStatus = OrderStatus.PAID,
    amount: int = 12000,
    refunded: int = 0,
    created: datetime | None = None,
    prefix: str = "bulk",
) -> None:
    """`count` one-player orders inserted directly (no gateway): fast enough for tens
    of thousands of rows, and shaped exactly like the real ones."""
    created = created or utcnow()
    paid = status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
    with unscoped():
        memberships = db.session.scalars(
            insert(Membership).returning(Membership.id, sort_by_parameter_order=True),
            [
                {
                    "league_id": league.id,
                    "profile_id": profile.id,
                    "plan_id": plan.id,
                    "status": MembershipStatus.ACTIVE if paid else MembershipStatus.PENDING_PAYMENT,
                }
                for _ in range(count)
            ],
        ).all()
        orders = db.session.scalars(
            insert(Order).returning(Order.id, sort_by_parameter_order=True),
            [
                {
                    "league_id": league.id,
                    "guardian_id": guardian.id,
                    "status": status,
                    "gateway": "test",
                    "currency": plan.currency,
                    "amount_minor": amount,
                    "paid_minor": amount if paid else 0,
                    "refunded_minor": refunded,
                    "idempotency_key": f"{prefix}-{league.id}-{n}",
                    "session_id": f"cs_test_{prefix}_{league.id}_{n}",
                    "payment_intent_id": f"pi_test_{prefix}_{league.id}_{n}" if paid else None,
                    "paid_at": created if paid else None,
                    "created_at": created,
                }
                for n in range(count)
            ],
        ).all()
        db.session.execute(
            insert(OrderLine),
            [
                {
                    "league_id": league.id,
                    "order_id": order_id,
                    "membership_id": membership_id,
                    "profile_id": profile.id,
                    "plan_id": plan.id,
                    "amount_minor": amount,
                    "description": f"{profile.full_name}: {plan.name}",
                }
                for order_id, membership_id in zip(orders, memberships, strict=True)
            ],
        )
        db.session.commit()


def memberships_of(order) -> list[Membership]:
    db.session.expire_all()
    with unscoped():
        return [db.session.get(Membership, line.membership_id) for line in order.lines]


def refund_form(order, amount: str, **extra) -> dict:
    return {
        "amount": amount,
        "reason": "Season cancelled",
        "confirm": "y",
        "refunded_before": str(order.refunded_minor),
        **extra,
    }


def results(response) -> str:
    """The results part of the payments page (the callouts above list orders too)."""
    return response.get_data(as_text=True).split('id="payments-results"', 1)[1]


def csv_rows(response) -> list[dict]:
    """The export's rows, read as Excel would: UTF-8 after its byte order mark."""
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def tamper(session_id: str, **changes) -> None:
    """Change what the test gateway says about a session (as if Stripe said it)."""
    from portal.payments.models import GatewayObject

    with unscoped():
        row = db.session.get(GatewayObject, session_id)
        row.data = {**row.data, **changes}
        db.session.commit()


def discounted(total: int, discount: int) -> dict:
    """A session's amounts after a promotion code, in Stripe's shape."""
    return {
        "amount_total": total,
        "total_details": {"amount_discount": discount, "amount_shipping": 0, "amount_tax": 0},
    }


def flagged_order(league, parent, kids, plan, nonce="n-1", **changes) -> Order:
    """An order paid at the test checkout in a way that does not match it (by default a
    $100 discount on a checkout that offered no codes), flagged by its webhook."""
    order = place(league, parent, kids, plan, nonce=nonce)
    tamper(order.session_id, **(changes or discounted(order.amount_minor - 10000, 10000)))
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")  # the payment: what was charged
        db.session.commit()
    flagged = reload(order)
    assert flagged.status == OrderStatus.NEEDS_ATTENTION, flagged.status
    return flagged
