"""Before a payment counts: is it this order's, at our price, and not a second
payment for a season the player already holds? Each answer is a reason in words
(for the admin who is told) or None."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.core.money import format_money
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus, Plan, TermKind
from portal.payments.gateway import SessionInfo
from portal.payments.models import Order, OrderLine
from portal.players.models import PlayerProfile

# A season term that counts as held: paid for, whether running, suspended or over.
HELD = (MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED, MembershipStatus.EXPIRED)


def mismatch(order: Order, session: SessionInfo) -> str | None:
    """Why this session cannot be this order's payment (None if it is).

    A promotion code shows as Stripe's `total_details.amount_discount`: the total
    must be the subtotal less that discount, and a discount counts only if the
    checkout offered codes when it was opened (`order.allow_promotion_codes`, not
    the league's setting now, which an admin may have switched since).
    """
    if session.id != order.session_id:
        return "the checkout session is not this order's"
    if session.client_reference_id != str(order.id) or session.metadata.get("order_id") != str(
        order.id
    ):
        return "the checkout session names another order"
    if session.metadata.get("league_id") != str(order.league_id):
        return "the checkout session names another league"
    if session.currency != order.currency:
        return f"paid in {session.currency.upper()} instead of {order.currency.upper()}"

    def money(minor: int) -> str:  # the admin reads this: "$1.00", not "100"
        return format_money(minor, order.currency)

    if session.amount_subtotal != order.amount_minor:
        return (
            f"amount {money(session.amount_subtotal)} instead of our price "
            f"{money(order.amount_minor)}"
        )
    discount = session.amount_discount
    if discount and not order.allow_promotion_codes:
        return f"a discount of {money(discount)} on a checkout that offered no promotion codes"
    if not 0 <= discount <= session.amount_subtotal or (
        session.amount_total != session.amount_subtotal - discount
    ):
        return (
            f"charged {money(session.amount_total)} for a price of "
            f"{money(session.amount_subtotal)} less a discount of {money(discount)}"
        )
    return None


def season_held_elsewhere(order: Order) -> str | None:
    """Why this payment would pay twice for a season (None if it would not).

    A season plan's term can be held once: a second payment for a player who already
    holds it (through another order: a checkout kept open in another tab, or paid
    late after a newer one was) must not start a second term but reach the admin,
    who refunds it. Registering refuses such an order; this is the last guard, for
    payments that complete anyway. One query, whatever the order holds.
    """
    other = aliased(Membership)
    name = db.session.execute(
        select(PlayerProfile.first_name, Plan.name)
        .select_from(OrderLine)
        .join(Membership, Membership.id == OrderLine.membership_id)
        .join(Plan, Plan.id == Membership.plan_id)
        .join(PlayerProfile, PlayerProfile.id == Membership.profile_id)
        .where(
            OrderLine.order_id == order.id,
            Plan.term == TermKind.FIXED,
            select(other.id)
            .where(
                other.profile_id == Membership.profile_id,
                other.plan_id == Membership.plan_id,
                other.id != Membership.id,
                other.activated_at.is_not(None),
                other.status.in_(HELD),
            )
            .exists(),
        )
        .limit(1)
    ).first()
    if name is None:
        return None
    return f"{name[0]} already holds {name[1]} through another payment: this one would pay twice"
