"""The real StripeGateway, through the official SDK, against a Stripe-compatible server
on loopback (tests/fakestripe.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.db import utcnow
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus
from portal.payments import events, refunds
from portal.payments.gateway import (
    CheckoutRequest,
    GatewayError,
    GatewayUnavailable,
    LineItem,
)
from portal.payments.models import EventStatus, OrderStatus
from portal.payments.stripe_gateway import StripeGateway
from tests.payments.conftest import place, post_event, reload, stored_events


def _request(**changes) -> CheckoutRequest:
    values = {
        "order_id": 7,
        "league_id": 3,
        "currency": "usd",
        "lines": [LineItem("Mia: Spring", 12000), LineItem("Leo: Spring", 9000)],
        "success_url": "https://portal.example/done",
        "cancel_url": "https://portal.example/cancel",
        "idempotency_key": "checkout-order-7",
        "customer_email": "parent@example.com",
    }
    values.update(changes)
    return CheckoutRequest(**values)


def test_session_carries_our_prices_and_references(stripe_server):
    """Does the SDK send one line per player at our price, with our ids as metadata?"""
    gateway = StripeGateway("sk_test_fake", stripe_server.url)
    session = gateway.create_session(_request())
    assert (session.amount_total, session.currency, session.status) == (21000, "usd", "open")
    assert session.client_reference_id == "7"
    assert session.metadata == {"order_id": "7", "league_id": "3"}
    _, _, params = stripe_server.fake.requests[-1]
    assert [item["price_data"]["unit_amount"] for item in params["line_items"]] == ["12000", "9000"]
    assert params["payment_intent_data"]["metadata"] == {"order_id": "7", "league_id": "3"}


def test_a_double_click_makes_one_session(stripe_server):
    """Does the idempotency key turn a repeated create into the same session?"""
    gateway = StripeGateway("sk_test_fake", stripe_server.url)
    first = gateway.create_session(_request(idempotency_key="same-key"))
    second = gateway.create_session(_request(idempotency_key="same-key"))
    assert first.id == second.id
    with pytest.raises(GatewayError, match="same parameters"):
        gateway.create_session(_request(idempotency_key="same-key", currency="eur"))


def test_retrieve_list_expire_refund(stripe_server):
    gateway = StripeGateway("sk_test_fake", stripe_server.url)
    session = gateway.create_session(_request(idempotency_key="k-list"))
    stripe_server.fake.complete(session.id)
    paid = gateway.get_session(session.id)
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    assert session.id in {s.id for s in gateway.list_paid_sessions(utcnow() - timedelta(hours=1))}
    refund = gateway.refund(paid.payment_intent, 5000, "refund-1", {"order_id": "7"})
    assert (refund.amount, refund.status) == (5000, "succeeded")
    payment = gateway.get_payment(paid.payment_intent)
    assert (payment.amount_received, payment.amount_refunded) == (21000, 5000)
    assert [r.id for r in payment.refunds] == [refund.id]
    with pytest.raises(GatewayError):
        gateway.expire_session(session.id)  # only open sessions can be expired
    other = gateway.create_session(_request(idempotency_key="k-expire"))
    assert gateway.expire_session(other.id).status == "expired"


def test_errors_are_sorted_into_temporary_and_permanent(stripe_server):
    gateway = StripeGateway("sk_test_fake", stripe_server.url)
    with pytest.raises(GatewayError):
        gateway.get_session("cs_test_does_not_exist")
    with pytest.raises(GatewayError):
        StripeGateway("sk_test_wrong", stripe_server.url).get_session("cs_x")
    stripe_server.fake.down = True
    try:
        with pytest.raises(GatewayUnavailable):
            gateway.get_session("cs_x")
    finally:
        stripe_server.fake.down = False


def test_full_payment_through_stripe(stripe, client, league, parent, kids, plan):
    """Checkout at Stripe, a signed `completed` event, memberships active."""
    order = place(league, parent, kids, plan)
    assert order.gateway == "stripe" and order.session_url.startswith("https://checkout.stripe")
    event = stripe.complete(order.session_id)
    assert post_event(client, event).status_code == 200
    assert reload(order).status == OrderStatus.PAID
    with unscoped():
        assert {m.status for m in db.session.query(Membership)} == {MembershipStatus.ACTIVE}


def test_stripe_unavailable_then_back(stripe, client, league, parent, kids, plan):
    """With Stripe down, is the event kept (answered 200) and retried later with success?"""
    order = place(league, parent, kids, plan)
    event = stripe.complete(order.session_id)
    stripe.down = True
    assert post_event(client, event).status_code == 200  # stored and acknowledged at once
    (stored,) = stored_events()
    assert stored.status == EventStatus.PENDING and "unavailable" in stored.last_error
    assert stored.next_attempt_at > utcnow()
    assert reload(order).status == OrderStatus.OPEN
    stripe.down = False
    assert events.process(stored.id) is None  # the scheduled retry
    (stored,) = stored_events()
    assert stored.status == EventStatus.PROCESSED and stored.attempts == 2
    assert reload(order).status == OrderStatus.PAID


def test_refund_from_the_portal_goes_through_stripe(stripe, client, league, parent, kids, plan):
    order = place(league, parent, kids, plan)
    post_event(client, stripe.complete(order.session_id))
    with league_scope(league.id):
        paid = reload(order)
        refunds.refund(paid, 24000, None, "Season cancelled")
        db.session.commit()
    assert reload(order).status == OrderStatus.REFUNDED
    refund_event = stripe.events[-1]
    assert refund_event["type"] == "charge.refunded"
    post_event(client, refund_event)  # Stripe's own notice of the same refund changes nothing
    assert reload(order).refunded_minor == 24000
