"""League admins' page for one order: its story, refunds (full, partial, refused,
repeated) and "check again"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import MembershipStatus
from portal.payments import admin_queries
from portal.payments.gateway import GatewayUnavailable, get_gateway
from portal.payments.models import GatewayObject, Order, OrderStatus, Refund
from portal.payments.testmode import TestGateway
from tests.payments.conftest import place, reload
from tests.payments.helpers import memberships_of, paid_order, refund_form

# -- an order ------------------------------------------------------------------------


def test_an_orders_page_tells_its_whole_story(signed_in, league, parent, kids, plan):
    """Does an order's page show players, memberships, payer, references and its events?"""
    paid = paid_order(league, parent, kids, plan)
    page = signed_in.get(f"/l/riverside/payments/{paid.id}").get_data(as_text=True)
    assert "Mia Kim" in page and "Leo Kim" in page and "Spring season" in page
    assert page.count("pay-membership-active") == 2 and "01 Mar 2026 \u2013 28 Feb 2027" in page
    assert "Pat Parent" in page and "parent@example.com" in page
    assert paid.session_id in page and reload(paid).payment_intent_id in page
    assert "checkout.session.completed" in page and "pay-event-processed" in page
    assert "Payment received: the order is paid and its memberships are active." in page
    assert "Up to $240.00" in page and 'name="amount"' in page and 'value="240.00"' in page
    assert "dashboard.stripe.com" not in page  # a test-checkout order has no Stripe page


def test_a_stripe_order_links_to_the_stripe_dashboard(app, league, plan):
    """Does a Stripe order link to its payment in Stripe's dashboard (test half for test keys)?"""
    order = Order(gateway="stripe", payment_intent_id="pi_123", currency="usd", amount_minor=1)
    app.config["STRIPE_SECRET_KEY"] = "sk_live_x"
    try:
        assert (
            admin_queries.stripe_dashboard_url(order)
            == "https://dashboard.stripe.com/payments/pi_123"
        )
        app.config["STRIPE_SECRET_KEY"] = "sk_test_x"
        assert admin_queries.stripe_dashboard_url(order) == (
            "https://dashboard.stripe.com/test/payments/pi_123"
        )
    finally:
        app.config["STRIPE_SECRET_KEY"] = None
    order.gateway = "test"
    assert admin_queries.stripe_dashboard_url(order) is None


# -- refunds -------------------------------------------------------------------------


def test_a_full_refund_ends_the_memberships(signed_in, league, admin, parent, kids, plan, outbox):
    """Does a full refund refund the order, end its memberships and keep who did it and why?"""
    paid = paid_order(league, parent, kids, plan)
    response = signed_in.post(
        f"/l/riverside/payments/{paid.id}/refund", data=refund_form(paid, "240.00")
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/l/riverside/payments/{paid.id}"
    order = reload(paid)
    assert (order.status, order.refunded_minor) == (OrderStatus.REFUNDED, 24000)
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.REFUNDED] * 2
    with unscoped():
        (refund,) = db.session.scalars(select(Refund)).all()
        assert (refund.amount_minor, refund.reason, refund.created_by_id) == (
            24000,
            "Season cancelled",
            admin.id,
        )
        payment = TestGateway().get_payment(order.payment_intent_id)
    assert payment.amount_refunded == 24000  # the money really went back
    page = signed_in.get(f"/l/riverside/payments/{paid.id}").get_data(as_text=True)
    assert "Refunded $240.00." in page  # the flash
    assert page.count("pay-membership-refunded") == 2 and "Maria Admin" in page
    assert 'name="amount"' not in page  # nothing left to refund


def test_a_partial_refund_keeps_the_memberships(signed_in, league, parent, kids, plan):
    """Does a partial refund keep the memberships and offer only the rest next time?"""
    paid = paid_order(league, parent, kids, plan)
    response = signed_in.post(
        f"/l/riverside/payments/{paid.id}/refund", data=refund_form(paid, "$25.50")
    )
    assert response.status_code == 303
    order = reload(paid)
    assert (order.status, order.refunded_minor) == (OrderStatus.PARTIALLY_REFUNDED, 2550)
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.ACTIVE] * 2
    page = signed_in.get(f"/l/riverside/payments/{paid.id}").get_data(as_text=True)
    assert "Up to $214.50" in page and 'value="214.50"' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "240.01"}, "Refund between $0.01 and $240.00."),
        ({"amount": "0"}, "Refund between $0.01 and $240.00."),
        ({"amount": "ten dollars"}, "Enter an amount like 25.00"),
        ({"amount": "1.005"}, "with at most 2 digits after the point"),
        ({"amount": "25,50"}, "Use a point before the cents, like 25.00: a comma only"),
        ({"amount": ""}, "Enter the amount to refund."),
        ({"confirm": ""}, "Tick the box to confirm the refund."),
        ({"reason": "  "}, "Say why: it is kept with the refund."),
    ],
)
def test_a_refused_refund_changes_nothing(signed_in, league, parent, kids, plan, changes, message):
    """Is a bad or unconfirmed refund answered 422 at its field, with nothing refunded?"""
    paid = paid_order(league, parent, kids, plan)
    form = {**refund_form(paid, "100"), **changes}
    if not form["confirm"]:
        del form["confirm"]
    response = signed_in.post(f"/l/riverside/payments/{paid.id}/refund", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "has-error" in page
    order = reload(paid)
    assert (order.status, order.refunded_minor) == (OrderStatus.PAID, 0)
    with unscoped():
        assert db.session.scalar(select(func.count(Refund.id))) == 0
        assert TestGateway().get_payment(order.payment_intent_id).amount_refunded == 0


def test_an_unpaid_order_cannot_be_refunded(signed_in, league, parent, kids, plan):
    """Is an unpaid order offered no refund form, and a forged refund post refused?"""
    waiting = place(league, parent, kids, plan)
    page = signed_in.get(f"/l/riverside/payments/{waiting.id}").get_data(as_text=True)
    assert 'name="amount"' not in page
    response = signed_in.post(
        f"/l/riverside/payments/{waiting.id}/refund", data=refund_form(waiting, "10")
    )
    assert response.status_code == 422
    assert "Only a paid order with money left to refund" in response.get_data(as_text=True)


def test_a_double_click_refunds_once(signed_in, league, parent, kids, plan):
    """Does the same refund form sent twice give the money back once, without an error?"""
    paid = paid_order(league, parent, kids, plan)
    form = refund_form(paid, "50.00")
    first = signed_in.post(f"/l/riverside/payments/{paid.id}/refund", data=form)
    second = signed_in.post(f"/l/riverside/payments/{paid.id}/refund", data=form)
    assert (first.status_code, second.status_code) == (303, 303)
    order = reload(paid)
    assert (order.status, order.refunded_minor) == (OrderStatus.PARTIALLY_REFUNDED, 5000)
    with unscoped():
        assert db.session.scalar(select(func.count(Refund.id))) == 1
        assert TestGateway().get_payment(order.payment_intent_id).amount_refunded == 5000
    page = signed_in.get(f"/l/riverside/payments/{paid.id}").get_data(as_text=True)
    assert "nothing more was refunded" in page


def test_a_refund_the_gateway_cannot_make_changes_nothing(
    signed_in, league, parent, kids, plan, monkeypatch
):
    """If Stripe does not answer a refund, is the admin told to resend, nothing recorded?"""
    paid = paid_order(league, parent, kids, plan)

    def down(*args, **kwargs):
        raise GatewayUnavailable("Stripe is unavailable: timeout")

    monkeypatch.setattr(TestGateway, "refund", down)
    response = signed_in.post(
        f"/l/riverside/payments/{paid.id}/refund", data=refund_form(paid, "10")
    )
    assert response.status_code == 422
    assert "Stripe did not answer. Send the same refund again" in response.get_data(as_text=True)
    assert reload(paid).refunded_minor == 0


# -- check again ---------------------------------------------------------------------


def test_check_again_fulfils_a_payment_whose_webhook_never_came(
    signed_in, league, parent, kids, plan, held_events
):
    """Does "Check again" fulfil, once, a payment whose webhook never came?"""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    assert reload(order).status == OrderStatus.OPEN  # the event is held back
    response = signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    assert response.status_code == 303
    assert reload(order).status == OrderStatus.PAID
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.ACTIVE] * 2
    page = signed_in.get(f"/l/riverside/payments/{order.id}").get_data(as_text=True)
    assert "the order is now “Paid”" in page
    signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    page = signed_in.get(f"/l/riverside/payments/{order.id}").get_data(as_text=True)
    assert "nothing has changed (Paid)" in page


def test_check_again_with_the_gateway_down_changes_nothing(
    signed_in, league, parent, kids, plan, monkeypatch
):
    """With the gateway down, does "Check again" say so and change nothing?"""
    order = place(league, parent, kids, plan)

    def down(self, session_id):
        raise GatewayUnavailable("Stripe is unavailable: timeout")

    monkeypatch.setattr(TestGateway, "get_session", down)
    response = signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    assert response.status_code == 303
    assert reload(order).status == OrderStatus.OPEN
    page = signed_in.get(f"/l/riverside/payments/{order.id}").get_data(as_text=True)
    assert "Could not check with the test checkout" in page


def test_check_again_without_a_checkout_says_so(signed_in, league, parent, kids, plan):
    """Does "Check again" on an order with no checkout session say there is nothing to check?"""
    order = place(league, parent, kids, plan)
    with unscoped():
        db.session.execute(update(Order).where(Order.id == order.id).values(session_id=None))
        db.session.commit()
    signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    page = signed_in.get(f"/l/riverside/payments/{order.id}").get_data(as_text=True)
    assert "There is nothing to check" in page


def test_check_again_keeps_a_discounted_paid_order_paid(
    signed_in, league, parent, kids, plan, held_events
):
    """Does a discounted paid order stay paid and refundable after codes are switched off?"""
    with unscoped():
        db.session.get(type(league), league.id).allow_promotion_codes = True
        db.session.commit()
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    with unscoped():
        row = db.session.get(GatewayObject, order.session_id)
        row.data = {  # a $40 code applied at Stripe
            **row.data,
            "amount_total": 20000,
            "total_details": {"amount_discount": 4000, "amount_shipping": 0, "amount_tax": 0},
        }
        db.session.commit()
    signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    assert (reload(order).status, reload(order).paid_minor) == (OrderStatus.PAID, 20000)
    with unscoped():
        db.session.get(type(league), league.id).allow_promotion_codes = False
        db.session.commit()
    signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    assert reload(order).status == OrderStatus.PAID
    assert reload(order).attention_reason == ""
    response = signed_in.post(
        f"/l/riverside/payments/{order.id}/refund", data=refund_form(reload(order), "200.00")
    )
    assert response.status_code == 303
    assert reload(order).status == OrderStatus.REFUNDED
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.REFUNDED] * 2
