"""The worker's side of a paid checkout: what it writes, and that it writes it once."""

from __future__ import annotations

import re

from sqlalchemy import update

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus
from portal.payments import checkout, fulfilment
from portal.payments.gateway import get_gateway
from portal.payments.models import EventStatus, OrderStatus, WebhookEvent
from portal.payments.tasks import process_event
from tests.dbutil import sql_statements
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


def _worker_part(sent: list[str]) -> list[str]:
    """The worker's statements for one event: from its claim to its outcome, without
    the test gateway's own table (Stripe is asked over HTTP, not in our database)."""
    marks = [i for i, sql in enumerate(sent) if sql.startswith("UPDATE webhook_events")]
    first, last = marks[0], marks[-1]
    return [sql for sql in sent[first : last + 1] if "test_gateway_objects" not in sql]


def _shape(sql: str) -> str:
    """`UPDATE orders`, `SELECT cards` ...: the verb and the first table."""
    verb = sql.split()[0]
    table = re.search(r"^UPDATE (\w+)|\bFROM (\w+)", sql)
    return f"{verb} {table.group(1) or table.group(2)}"


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


def test_a_paid_event_costs_the_worker_ten_statements(
    client, league, parent, kids, plan, held_events
):
    """Does the worker pay a two-player order in 10 SQL statements (was 18), each
    transition one conditional UPDATE guarded by the states it may come from, and one
    read making sure no season is paid for twice?"""
    order = place(league, parent, kids, plan)
    paid = _paid_event(order, held_events)
    with sql_statements() as sent:
        post_event(client, paid)
    worker = _worker_part(sent)
    assert [_shape(sql) for sql in worker] == [
        "UPDATE webhook_events",  # the claim, returning the event's type and payload
        "SELECT orders",  # the order, by its checkout session
        "SELECT order_lines",  # a season already held through another payment?
        "UPDATE orders",  # paid
        "SELECT orders",  # read again with its lines, memberships, plans, guardian, league
        "UPDATE memberships",  # activated, returning the row
        "SELECT cards",  # the player's card, remade after the commit
        "UPDATE memberships",
        "SELECT cards",
        "UPDATE webhook_events",  # the outcome, linked to the order and league
    ]
    claim, _, held, pay, _, activate, _, _, _, done = worker
    assert "order_lines.order_id" in held and "memberships.league_id" in held
    assert "webhook_events.status IN" in claim and "payload" in claim.split("RETURNING")[1]
    assert "orders.status IN" in pay and "orders.league_id" in pay and "RETURNING" not in pay
    assert "memberships.status IN" in activate and "memberships.league_id" in activate
    assert "profile_id" in activate.split("RETURNING")[1]
    assert "status IN" not in done and "RETURNING" not in done


def test_a_second_payment_for_a_season_already_held_is_flagged_not_activated(
    client, league, parent, kids, plan, held_events, outbox, monkeypatch
):
    """If a payment completes for a season the player already holds (the register's
    checks passed in another process, or an old checkout could not be ended), is it
    flagged for the admin to refund instead of starting a second term?"""
    first = place(league, parent, kids[:1], plan)
    monkeypatch.setattr(checkout, "check", lambda *args: None)  # passed earlier, elsewhere
    monkeypatch.setattr(checkout, "_release_open_orders", lambda *args: None)
    second = place(league, parent, kids[:1], plan, nonce="n-2")
    post_event(client, _paid_event(first, held_events))
    post_event(client, _paid_event(second, held_events))
    assert reload(first).status == OrderStatus.PAID
    flagged = reload(second)
    assert flagged.status == OrderStatus.NEEDS_ATTENTION
    assert flagged.attention_reason == (
        f"{kids[0].first_name} already holds {plan.name} through another payment: "
        "this one would pay twice"
    )
    assert flagged.reported_minor == plan.price_minor  # kept, for the admin's refund
    assert [m.status for m in _memberships(second)] == [MembershipStatus.PENDING_PAYMENT]
    assert len(_receipts(outbox)) == 1  # the first payment's only
