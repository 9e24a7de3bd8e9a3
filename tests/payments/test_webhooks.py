"""The webhook and the one fulfilment path: signed, stored, processed exactly once."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from sqlalchemy import func, select

from portal.core.db import utcnow
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus
from portal.payments import events, intake, testmode
from portal.payments.gateway import get_gateway
from portal.payments.models import EventStatus, GatewayObject, OrderStatus, WebhookEvent
from tests.payments.conftest import place, post_event, reload, stored_events


def _memberships(order) -> list[Membership]:
    db.session.expire_all()
    with unscoped():
        return [db.session.get(Membership, line.membership_id) for line in order.lines]


def _tamper(session_id: str, **changes) -> None:
    """Change what the test gateway says about a session (as if Stripe said it)."""
    with unscoped():
        row = db.session.get(GatewayObject, session_id)
        row.data = {**row.data, **changes}
        db.session.commit()


def _pay(order, held_events, outcome="paid") -> list[str]:
    """The payer pays at the test checkout; returns the events it sends (held back)."""
    with league_scope(order.league_id):
        get_gateway().complete(order.session_id, outcome)
        db.session.commit()
    return list(held_events)


def test_a_forged_signature_is_refused_and_nothing_is_stored(
    client, league, parent, kids, plan, held_events
):
    """Is an event signed with the wrong secret answered 400, stored nowhere, acting on nothing?"""
    order = place(league, parent, kids, plan)
    (payload,) = _pay(order, held_events)
    response = post_event(client, payload, secret="whsec_somebody_else")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_signature"
    assert stored_events() == []
    assert reload(order).status == OrderStatus.OPEN


def test_missing_or_garbled_signatures_are_refused(client, league, parent, kids, plan, held_events):
    order = place(league, parent, kids, plan)
    (payload,) = _pay(order, held_events)
    for header in ("", "t=1,v1=deadbeef", "nonsense"):
        assert post_event(client, payload, header=header or " ").status_code == 400
    assert stored_events() == []


def test_a_stale_replayed_event_is_refused(client, league, parent, kids, plan, held_events):
    """Is a correctly signed event from ten minutes ago (a replay) refused?"""
    order = place(league, parent, kids, plan)
    (payload,) = _pay(order, held_events)
    response = post_event(client, payload, timestamp=int(time.time()) - 600)
    assert response.status_code == 400
    assert stored_events() == []


def test_ten_deliveries_activate_once(client, league, parent, kids, plan, held_events, outbox):
    """Does the same event delivered ten times store one row, activate each membership
    once and send one receipt?"""
    order = place(league, parent, kids, plan)
    (payload,) = _pay(order, held_events)
    answers = [post_event(client, payload) for _ in range(10)]
    assert all(a.status_code == 200 for a in answers)
    assert [a.get_json()["duplicate"] for a in answers] == [False] + [True] * 9
    (event,) = stored_events()
    assert event.status == EventStatus.PROCESSED and event.outcome == "paid"
    assert reload(order).status == OrderStatus.PAID
    memberships = _memberships(order)
    assert [m.status for m in memberships] == [MembershipStatus.ACTIVE] * 2
    assert all(m.activated_at for m in memberships)
    receipts = [m for m in outbox() if "Payment received" in m["Subject"]]
    assert len(receipts) == 1


def test_the_same_truth_from_two_different_events_activates_once(
    client, league, parent, kids, plan, held_events
):
    """A `completed` and an `async_payment_succeeded` both saying "paid": one activation."""
    order = place(league, parent, kids, plan)
    _pay(order, held_events, "later")
    with league_scope(order.league_id):
        get_gateway().settle(order.session_id, succeeded=True)
        db.session.commit()
    for payload in held_events:
        assert post_event(client, payload).status_code == 200
    assert [e.outcome for e in stored_events()] == ["paid", "already paid"]
    with unscoped():
        activations = db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.status == MembershipStatus.ACTIVE)
        )
    assert activations == 2


def test_pay_later_is_processing_then_paid_or_failed(
    client, league, parent, kids, plan, held_events, outbox
):
    """A delayed payment holds the place (processing), then activates or fails cleanly."""
    order = place(league, parent, kids, plan)
    (completed,) = _pay(order, held_events, "later")
    post_event(client, completed)
    assert reload(order).status == OrderStatus.PROCESSING
    assert [m.status for m in _memberships(order)] == [MembershipStatus.PENDING_PAYMENT] * 2
    with league_scope(order.league_id):
        get_gateway().settle(order.session_id, succeeded=False)
        db.session.commit()
    post_event(client, held_events[-1])
    assert reload(order).status == OrderStatus.FAILED
    assert [m.status for m in _memberships(order)] == [MembershipStatus.CANCELLED] * 2
    assert any("did not go through" in m["Subject"] for m in outbox())


def test_completed_after_expired_trusts_the_gateway(
    client, make, league, parent, kids, plan, held_events
):
    """If a stale `expired` event comes after the payer paid, does the order stay paid?"""
    order = place(league, parent, kids, plan)
    (completed,) = _pay(order, held_events)
    expired = json.loads(completed)
    expired.update(id=testmode.new_id("evt"), type="checkout.session.expired")
    expired["data"]["object"]["status"] = "expired"  # what the (stale) payload claims
    post_event(client, completed)
    post_event(client, json.dumps(expired))
    assert reload(order).status == OrderStatus.PAID
    assert [e.outcome for e in stored_events()] == ["paid", "already paid"]
    # And the other way round: the expiry first, then the completion.
    order2 = place(league, parent, kids[:1], make.plan(league, "Summer camp"), nonce="n-2")
    (completed2,) = _pay(order2, held_events)[-1:]
    late = json.loads(completed2)
    early = {**late, "id": testmode.new_id("evt"), "type": "checkout.session.expired"}
    post_event(client, early)
    post_event(client, completed2)
    assert reload(order2).status == OrderStatus.PAID


def test_an_expired_checkout_releases_the_places(client, league, parent, kids, plan, held_events):
    order = place(league, parent, kids, plan)
    with league_scope(order.league_id):
        get_gateway().expire_session(order.session_id)
        db.session.commit()
    post_event(client, held_events[-1])
    assert reload(order).status == OrderStatus.EXPIRED
    assert [m.status for m in _memberships(order)] == [MembershipStatus.CANCELLED] * 2


def test_a_refund_that_overtakes_the_payment(client, league, parent, kids, plan, held_events):
    """Refund event first, completion second: the order ends refunded, nothing active."""
    order = place(league, parent, kids, plan)
    (completed,) = _pay(order, held_events)
    with league_scope(order.league_id):
        session = get_gateway().get_session(order.session_id)
        get_gateway().refund(session.payment_intent, 24000, "dashboard-refund", {})
        db.session.commit()
    refunded = held_events[-1]
    post_event(client, refunded)
    assert reload(order).status == OrderStatus.OPEN and reload(order).refunded_minor == 24000
    post_event(client, completed)
    assert reload(order).status == OrderStatus.REFUNDED
    assert [m.status for m in _memberships(order)] == [MembershipStatus.REFUNDED] * 2


def test_a_dashboard_refund_is_picked_up(client, league, parent, kids, plan, held_events):
    """Does a partial then a full refund made in Stripe's dashboard reach the order?"""
    order = place(league, parent, kids, plan)
    (completed,) = _pay(order, held_events)
    post_event(client, completed)
    with league_scope(order.league_id):
        intent = get_gateway().get_session(order.session_id).payment_intent
        get_gateway().refund(intent, 5000, "dash-1", {})
        db.session.commit()
    post_event(client, held_events[-1])
    assert reload(order).status == OrderStatus.PARTIALLY_REFUNDED
    assert all(m.status == MembershipStatus.ACTIVE for m in _memberships(order))
    with league_scope(order.league_id):
        get_gateway().refund(intent, 19000, "dash-2", {})
        db.session.commit()
    post_event(client, held_events[-1])
    assert reload(order).status == OrderStatus.REFUNDED
    assert reload(order).refunded_minor == 24000
    with unscoped():
        assert len(reload(order).refunds) == 2
    assert [m.status for m in _memberships(order)] == [MembershipStatus.REFUNDED] * 2


def test_a_dispute_is_flagged_to_the_admins(
    client, league, parent, kids, plan, held_events, admin, outbox
):
    order = place(league, parent, kids, plan)
    (completed,) = _pay(order, held_events)
    post_event(client, completed)
    with league_scope(order.league_id):
        get_gateway().dispute(get_gateway().get_session(order.session_id).payment_intent)
        db.session.commit()
    post_event(client, held_events[-1])
    assert reload(order).disputed_at is not None
    assert any(m["To"] == "maria@example.com" and "disputed" in m["Subject"] for m in outbox())


def test_amount_currency_and_league_mismatches_are_flagged(
    client, make, league, parent, kids, held_events, admin, outbox
):
    """Is a payment that does not match our price, currency or league refused and flagged?"""
    cases = [
        ({"amount_subtotal": 100, "amount_total": 100}, "amount $1.00 instead of our price $"),
        ({"currency": "eur"}, "paid in EUR instead of USD"),
        ({"metadata": {"order_id": "?", "league_id": "999"}}, "names another"),
    ]
    for number, (changes, reason) in enumerate(cases):
        plan = make.plan(league, f"Plan {number}")
        order = place(league, parent, kids[:1], plan, nonce=f"mismatch-{number}")
        (completed,) = _pay(order, held_events)[-1:]
        if "metadata" in changes:
            changes["metadata"]["order_id"] = str(order.id)
        _tamper(order.session_id, **changes)
        post_event(client, completed)
        flagged = reload(order)
        assert flagged.status == OrderStatus.NEEDS_ATTENTION, reason
        assert reason in flagged.attention_reason
        assert [m.status for m in _memberships(order)] == [MembershipStatus.PENDING_PAYMENT]
    assert sum("needs your attention" in m["Subject"] for m in outbox()) == 3


def test_an_event_for_a_session_we_do_not_know_is_ignored(client, held_events):
    event = testmode.event_object("checkout.session.completed", {"id": "cs_test_unknown"})
    assert post_event(client, event).status_code == 200
    (stored,) = stored_events()
    assert stored.status == EventStatus.IGNORED


def test_unused_event_types_are_acknowledged_and_ignored(client):
    event = testmode.event_object("customer.created", {"id": "cus_1"})
    assert post_event(client, event).status_code == 200
    assert stored_events()[0].status == EventStatus.IGNORED


def test_success_page_before_the_webhook(client, login, league, parent, kids, plan, held_events):
    """Does a payer who comes back before the webhook see active memberships, and does the
    late webhook then change nothing?"""
    order = place(league, parent, kids, plan)
    (completed,) = _pay(order, held_events)
    login(parent)
    page = client.get(f"/l/riverside/register/done/{order.id}")
    assert page.status_code == 200 and "You're registered" in page.text
    assert reload(order).status == OrderStatus.PAID
    post_event(client, completed)
    assert stored_events()[0].outcome == "already paid"
    assert [m.status for m in _memberships(order)] == [MembershipStatus.ACTIVE] * 2


def test_a_worker_killed_mid_event_is_reprocessed(
    client, league, parent, kids, plan, held_events, monkeypatch
):
    """An event left claimed by a dead worker is handed out again and processed once
    (the row as a dead worker leaves it; test_worker_crash.py kills a real consumer)."""
    order = place(league, parent, kids, plan)
    (completed,) = _pay(order, held_events)
    monkeypatch.setattr(intake, "enqueue", lambda event_id: None)  # the queue lost it
    post_event(client, completed)
    (event,) = stored_events()
    with unscoped():
        row = db.session.get(WebhookEvent, event.id)
        row.status, row.locked_at, row.attempts = EventStatus.PROCESSING, utcnow(), 1
        db.session.commit()
        assert events.requeue_stale() == 0  # a live worker may still be on it
        monkeypatch.undo()
        assert events.requeue_stale(now=utcnow() + timedelta(minutes=6)) == 1
    (event,) = stored_events()
    assert event.status == EventStatus.PROCESSED and event.attempts == 2
    assert reload(order).status == OrderStatus.PAID


def test_a_failing_event_is_kept_for_the_platform_admin_and_can_be_retried(
    client, league, parent, kids, plan, held_events
):
    """An event that fails for good shows its error; the retry processes it."""
    order = place(league, parent, kids, plan)
    (completed,) = _pay(order, held_events)
    with unscoped():
        session = db.session.get(GatewayObject, order.session_id)
        saved = dict(session.data)
        db.session.delete(session)  # the gateway "forgot" the session: a permanent error
        db.session.commit()
    post_event(client, completed)
    (event,) = stored_events()
    assert event.status == EventStatus.FAILED and "No such checkout.session" in event.last_error
    with unscoped():
        db.session.add(GatewayObject(id=saved["id"], kind="checkout.session", data=saved))
        db.session.commit()
        assert events.retry(event.id)
        db.session.commit()
    (event,) = stored_events()
    assert event.status == EventStatus.PROCESSED and reload(order).status == OrderStatus.PAID
