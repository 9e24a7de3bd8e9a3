"""The totals above the league's payments list: count, paid, refunded and net of the
filtered orders, one line per currency, and, under a plan filter, of that plan's
lines only.

Runs inside the league's request: the tenant filter limits every query to the
league, as in `admin_queries`, whose filtered set it adds up.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from portal.extensions import db
from portal.leagues.models import League
from portal.payments.admin_queries import OrderFilters, filtered
from portal.payments.models import Order, OrderLine


@dataclass(frozen=True)
class Total:
    """One currency's totals. Under a plan filter they count that plan's lines only;
    `shared` is how many of the orders also paid for other plans (their money was
    shared out between their lines, see `share`)."""

    currency: str
    count: int
    paid: int
    refunded: int
    shared: int = 0

    @property
    def net(self) -> int:
        return self.paid - self.refunded


def of_filtered(filters: OrderFilters, league: League) -> list[Total]:
    """Count, paid, refunded and net of the whole filtered set, one line per currency
    (a league may sell plans in more than one). Under a plan filter, only that plan's
    money counts (see `_plan_totals`)."""
    ids = filtered(filters, league).order_by(None).with_only_columns(Order.id)
    if filters.plan_id:
        return _plan_totals(ids, filters.plan_id)
    return [
        Total(currency, n, paid, refunded)
        for currency, (n, paid, refunded) in _order_sums(Order.id.in_(ids)).items()
    ]


def _order_sums(condition) -> dict[str, tuple[int, int, int]]:
    """Count, paid and refunded of the orders matching `condition`, by currency, the
    currency with most orders first."""
    rows = db.session.execute(
        select(
            Order.currency,
            func.count(Order.id),
            func.coalesce(func.sum(Order.paid_minor), 0),
            func.coalesce(func.sum(Order.refunded_minor), 0),
        )
        .where(condition)
        .group_by(Order.currency)
        .order_by(func.count(Order.id).desc())
    ).all()
    return {currency: (n, int(paid), int(refunded)) for currency, n, paid, refunded in rows}


def _plan_totals(ids: Select, plan_id: int) -> list[Total]:
    """Totals of one plan's lines. An order of that plan alone counts whole (summed by
    the database); an order that also paid for other plans (a family registering one
    child for camp and another for the season) counts only its lines of this plan: its
    payment and its refunds are shared out between its lines by line amount. A refund
    names no line, so sharing by amount is the one fair split; it is said under the
    totals. Only such mixed orders are read here, as plain rows."""
    mixed = (
        select(OrderLine.order_id)
        .where(OrderLine.order_id.in_(ids), OrderLine.plan_id != plan_id)
        .distinct()
    )
    sums = {
        currency: [n, paid, refunded, 0]
        for currency, (n, paid, refunded) in _order_sums(
            Order.id.in_(ids) & Order.id.not_in(mixed)
        ).items()
    }
    lines: dict[int, list[tuple[int, int]]] = {}
    for order_id, line_plan, amount in db.session.execute(
        select(OrderLine.order_id, OrderLine.plan_id, OrderLine.amount_minor)
        .where(OrderLine.order_id.in_(mixed))
        .order_by(OrderLine.order_id, OrderLine.id)
    ):
        lines.setdefault(order_id, []).append((line_plan, amount))
    orders = db.session.execute(
        select(Order.id, Order.currency, Order.paid_minor, Order.refunded_minor).where(
            Order.id.in_(mixed)
        )
    )
    for order_id, currency, paid, refunded in orders:
        order_lines = lines[order_id]
        amounts = [amount for _, amount in order_lines]
        ours = [n for n, (line_plan, _) in enumerate(order_lines) if line_plan == plan_id]
        paid_parts, refunded_parts = share(paid, amounts), share(refunded, amounts)
        total = sums.setdefault(currency, [0, 0, 0, 0])
        total[0] += 1
        total[1] += sum(paid_parts[n] for n in ours)
        total[2] += sum(refunded_parts[n] for n in ours)
        total[3] += 1
    ranked = sorted(sums.items(), key=lambda item: (-item[1][0], item[0]))
    return [Total(currency, *values) for currency, values in ranked]


def share(amount: int, weights: list[int]) -> list[int]:
    """`amount` split in proportion to `weights`, in whole minor units that add up to
    `amount` exactly: each part rounded down, then the units left over go one each to
    the parts that lost most by rounding (the earlier part on a tie). Weights that are
    all zero (free lines) share it evenly."""
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    parts, remainders = [], []
    for weight in weights:
        part, remainder = divmod(amount * weight, whole)
        parts.append(part)
        remainders.append(remainder)
    left = amount - sum(parts)
    for n in sorted(range(len(weights)), key=lambda n: (-remainders[n], n))[:left]:
        parts[n] += 1
    return parts
