"""The built-in test gateway expires abandoned checkouts as Stripe does: a job every
minute ends the sessions past their `expires_at` and sends a signed
`checkout.session.expired` through our webhook, which releases the order."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from portal.core.db import utcnow
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db, huey
from portal.memberships.models import MembershipStatus
from portal.payments import tasks
from portal.payments.gateway import get_gateway
from portal.payments.models import EventStatus, OrderStatus
from portal.payments.stripe_gateway import StripeGateway
from portal.payments.testmode import TestGateway, signature_header
from tests.payments.conftest import SECRET, place, reload, stored_events
from tests.payments.helpers import memberships_of, tamper


def _past_due(order, minutes: int = 1) -> None:
    moment = utcnow() - timedelta(minutes=minutes)
    tamper(order.session_id, expires_at=int(moment.timestamp()))


def test_an_abandoned_checkout_expires_through_the_webhook(league, parent, kids, plan, outbox):
    """Does the job expire a checkout past its time, releasing the order via a signed event?"""
    order = place(league, parent, kids, plan)
    with unscoped():
        expires = get_gateway().raw_session(order.session_id)["expires_at"]
    assert expires == int((reload(order).created_at + timedelta(hours=1)).timestamp())
    assert tasks.expire_test_checkouts.call_local() == 0  # not due yet
    assert reload(order).status == OrderStatus.OPEN
    _past_due(order)
    assert tasks.expire_test_checkouts.call_local() == 1
    (event,) = stored_events()  # received by POST /webhooks/stripe, signature checked
    assert (event.type, event.status, event.outcome) == (
        "checkout.session.expired",
        EventStatus.PROCESSED,
        "expired",
    )
    assert json.loads(event.payload)["data"]["object"]["id"] == order.session_id
    assert reload(order).status == OrderStatus.EXPIRED
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.CANCELLED] * 2
    assert tasks.expire_test_checkouts.call_local() == 0  # run twice: nothing more
    assert len(stored_events()) == 1


def test_only_open_checkouts_past_their_time_expire(league, parent, kids, plan, held_events):
    """Are paid and not-yet-due checkouts left alone?"""
    paid = place(league, parent, kids[:1], plan, nonce="paid")
    with league_scope(league.id):
        get_gateway().complete(paid.session_id, "paid")
        db.session.commit()
    _past_due(paid)
    waiting = place(league, parent, kids[1:], plan, nonce="waiting")
    due = place(league, parent, kids[1:], plan, nonce="due")  # replaces "waiting"
    _past_due(due, minutes=90)
    held_events.clear()
    with unscoped():
        assert TestGateway().expire_due() == [due.session_id]
        db.session.commit()
        assert get_gateway().raw_session(paid.session_id)["status"] == "complete"
    (event,) = held_events
    assert json.loads(event)["type"] == "checkout.session.expired"
    assert reload(waiting).status == OrderStatus.EXPIRED  # ended when "due" replaced it


def test_the_event_is_signed_like_stripes(app, league, parent, kids, plan, held_events):
    """Is the expiry event a Stripe-shaped event that our webhook's check accepts?"""
    order = place(league, parent, kids, plan)
    _past_due(order)
    held_events.clear()
    tasks.expire_test_checkouts.call_local()
    (payload,) = held_events
    response = app.test_client().post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": signature_header(payload.encode(), SECRET)},
    )
    assert response.status_code == 200
    assert reload(order).status == OrderStatus.EXPIRED


def test_the_job_runs_every_minute_and_leaves_stripe_alone(app, league, parent, kids, plan):
    """Is the job on the worker's schedule every minute, and idle when Stripe is in use?"""
    task = tasks.expire_test_checkouts.task_class
    due = [
        minute
        for minute in range(60)
        if any(isinstance(t, task) for t in huey.read_periodic(datetime(2026, 1, 1, 9, minute)))
    ]
    assert due == list(range(60))
    order = place(league, parent, kids, plan)
    _past_due(order)
    previous = app.extensions.get("payment_gateway")
    app.extensions["payment_gateway"] = StripeGateway("sk_test_unused", "http://127.0.0.1:9")
    try:
        assert tasks.expire_test_checkouts.call_local() == 0
    finally:
        app.extensions["payment_gateway"] = previous
    assert reload(order).status == OrderStatus.OPEN
