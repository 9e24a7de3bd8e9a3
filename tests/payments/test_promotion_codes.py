"""Promotion codes: a discount counts when the checkout offered codes as it was opened
(whatever the league's toggle says later), and only if the amounts add up."""

from __future__ import annotations

import pytest

from portal.core.money import format_money
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import MembershipStatus
from portal.payments.gateway import get_gateway
from portal.payments.models import OrderStatus
from tests.payments.conftest import place, reload
from tests.payments.helpers import discounted, memberships_of, tamper


def _codes(league, allowed: bool) -> None:
    """The admin's "promotion codes" toggle."""
    with unscoped():
        db.session.get(type(league), league.id).allow_promotion_codes = allowed
        db.session.commit()


def _pay_with(order, **amounts):
    """The payer enters a code at the checkout and pays what is left."""
    tamper(order.session_id, **amounts)
    with league_scope(order.league_id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    return reload(order)


def test_the_order_keeps_what_its_checkout_offered(league, parent, kids, plan):
    """Is "codes allowed" stored on the order when its checkout opens, not read later?"""
    _codes(league, True)
    offered = place(league, parent, kids[:1], plan, nonce="a")
    _codes(league, False)
    not_offered = place(league, parent, kids[1:], plan, nonce="b")
    assert reload(offered).allow_promotion_codes is True
    assert reload(not_offered).allow_promotion_codes is False
    with unscoped():
        assert get_gateway().raw_session(offered.session_id)["allow_promotion_codes"] is True


def test_switching_codes_off_after_checkout_is_no_false_alarm(
    league, admin, parent, kids, plan, outbox
):
    """Is a discounted payment from a checkout that offered codes paid, not flagged, after
    the admin switched codes off?"""
    _codes(league, True)
    order = place(league, parent, kids, plan)
    _codes(league, False)
    paid = _pay_with(order, **discounted(20000, 4000))
    assert (paid.status, paid.paid_minor, paid.attention_reason) == (OrderStatus.PAID, 20000, "")
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.ACTIVE] * 2
    assert not any("needs your attention" in m["Subject"] for m in outbox())


def test_switching_codes_on_after_checkout_does_not_excuse_a_discount(
    league, admin, parent, kids, plan
):
    """Is a discount on a checkout that offered no codes flagged, even if codes are on now?"""
    order = place(league, parent, kids, plan)
    _codes(league, True)
    flagged = _pay_with(order, **discounted(20000, 4000))
    assert flagged.status == OrderStatus.NEEDS_ATTENTION
    assert flagged.attention_reason == (
        "a discount of $40.00 on a checkout that offered no promotion codes"
    )
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.PENDING_PAYMENT] * 2


@pytest.mark.parametrize(
    ("total", "discount"),
    [(20000, 3000), (24000, 4000), (0, 25000), (30000, 0), (23000, 0)],
)
def test_amounts_that_do_not_add_up_are_flagged(league, admin, parent, kids, plan, total, discount):
    """With codes offered, is a total other than the price less its discount flagged?"""
    _codes(league, True)
    order = place(league, parent, kids, plan)
    flagged = _pay_with(order, **discounted(total, discount))
    assert flagged.status == OrderStatus.NEEDS_ATTENTION
    assert flagged.attention_reason == (
        f"charged {format_money(total, 'usd')} for a price of $240.00 "
        f"less a discount of {format_money(discount, 'usd')}"
    )


def test_a_full_discount_registers_the_players(league, parent, kids, plan):
    """Does a 100% code (nothing to charge) still register the players?"""
    _codes(league, True)
    order = place(league, parent, kids, plan)
    paid = _pay_with(order, **discounted(0, 24000))
    assert (paid.status, paid.paid_minor) == (OrderStatus.PAID, 0)
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.ACTIVE] * 2
