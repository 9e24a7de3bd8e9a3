"""The worker's side of a paid checkout: what it writes, and that it writes it once."""

from __future__ import annotations

from sqlalchemy import update

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus
from portal.payments import fulfilment
from portal.payments.gateway import get_gateway
from portal.payments.models import EventStatus, OrderStatus, WebhookEvent
from portal.payments.tasks import process_event
from tests.payments.conftest import place, post_event, reload, stored_events


def _paid_event(order, held_events) -> str:
    """The payer pays at the test checkout; returns the `completed` event (held back)."""
    with league_scope(order.league_id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    return held_events[-1]


def _memberships(order) -> list[Membership]:
    db.session.expire_all()
    with unscoped():
        return [db.session.get(Membership, line.membership_id) for line in order.lines]


def _receipts(outbox) -> list:
    return [m for m in outbox() if "Payment received" in m["Subject"]]


def test_the_receipt_shows_each_membership_as_the_payment_left_it(
    client, league, parent, kids, plan, held_events, outbox
):
    """Does the one receipt list every player as active for the season, and is the
    event recorded as processed, linked to its order and league?"""
    order = place(league, parent, kids, plan)
    post_event(client, _paid_event(order, held_events))
    (receipt,) = _receipts(outbox)
    body = receipt.get_content()
    for kid in kids:
        assert kid.full_name in body
    assert body.count("Active, 01 Mar 2026 to 28 Feb 2027\n") == 2  # a line each
    assert "\nSee your memberships: " in body
    assert "Waiting for payment" not in body
    (event,) = stored_events()
    assert (event.status, event.outcome, event.last_error) == (EventStatus.PROCESSED, "paid", "")
    assert (event.order_id, event.league_id) == (order.id, league.id)
    assert event.processed_at is not None and event.attempts == 1


def test_an_event_processed_again_changes_nothing(
    client, league, parent, kids, plan, held_events, outbox
):
    """A processed event is not claimed again; handed out once more anyway (as after a
    lost acknowledgement), it finds the order paid: no second activation or receipt."""
    order = place(league, parent, kids, plan)
    post_event(client, _paid_event(order, held_events))
    (event,) = stored_events()
    activated = [m.activated_at for m in _memberships(order)]
    process_event.call_local(event.id)
    assert stored_events()[0].attempts == 1  # done: the claim refused it
    with unscoped():
        db.session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event.id)
            .values(status=EventStatus.PENDING)
        )
        db.session.commit()
    process_event.call_local(event.id)
    (event,) = stored_events()
    assert (event.status, event.outcome, event.attempts) == (
        EventStatus.PROCESSED,
        "already paid",
        2,
    )
    assert [m.activated_at for m in _memberships(order)] == activated
    assert len(_receipts(outbox)) == 1


def test_an_order_paid_meanwhile_is_read_as_it_is_now(
    client, league, parent, kids, plan, held_events, outbox
):
    """The success page holds the order while the webhook pays it: its own sync finds
    it paid, sees the memberships active, and activates and mails nothing again."""
    order = place(league, parent, kids, plan)
    with unscoped():
        held = reload(order)
        assert [line.membership.status for line in held.lines] == (
            [MembershipStatus.PENDING_PAYMENT] * 2
        )
    post_event(client, _paid_event(order, held_events))  # another worker, another session
    with league_scope(league.id):
        assert fulfilment.sync_order(held) == "already paid"
        assert held.status == OrderStatus.PAID
        assert [line.membership.status for line in held.lines] == [MembershipStatus.ACTIVE] * 2
        db.session.commit()
    assert len(_receipts(outbox)) == 1
