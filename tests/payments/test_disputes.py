"""Disputes: `charge.dispute.created` flags the order; `charge.dispute.closed` records the
outcome read back from the gateway. Won clears the flag; lost gives the disputed money
back to the cardholder, which ends the memberships when it was all of it."""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import MembershipStatus
from portal.payments import refunds
from portal.payments.gateway import get_gateway
from portal.payments.models import EventStatus, OrderStatus, Refund
from portal.payments.stripe_gateway import StripeGateway
from tests.fakestripe import Server
from tests.payments.conftest import place, post_event, reload, stored_events
from tests.payments.helpers import memberships_of


def paid_order(client, league, parent, kids, plan, held_events):
    """A paid order, its event delivered by hand (the gateway's events are held)."""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    post_event(client, held_events[-1])
    assert reload(order).status == OrderStatus.PAID
    return reload(order)


def _dispute(order, held_events) -> tuple[dict, str]:
    """The cardholder disputes the payment; returns the dispute and its held event."""
    with league_scope(order.league_id):
        dispute = get_gateway().dispute(order.payment_intent_id)
        db.session.commit()
    return dispute, held_events[-1]


def _close(order, dispute, held_events, won: bool) -> str:
    with league_scope(order.league_id):
        get_gateway().close_dispute(dispute["id"], won)
        db.session.commit()
    return held_events[-1]


def test_a_won_dispute_clears_the_flag(client, league, admin, parent, kids, plan, held_events):
    """Does winning a dispute clear the order's flag and keep it paid and its players on?"""
    order = paid_order(client, league, parent, kids, plan, held_events)
    dispute, created = _dispute(order, held_events)
    post_event(client, created)
    assert reload(order).disputed_at is not None
    post_event(client, _close(order, dispute, held_events, won=True))
    won = reload(order)
    assert (won.status, won.disputed_at, won.dispute_outcome) == (OrderStatus.PAID, None, "won")
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.ACTIVE] * 2
    assert stored_events()[-1].outcome == "dispute won"


def test_a_lost_dispute_refunds_and_ends_the_memberships(
    client, login, league, admin, parent, kids, plan, held_events, outbox
):
    """Does losing a dispute keep the order marked disputed, count the money as given
    back, end the memberships, and tell the admins, once however often it arrives?"""
    order = paid_order(client, league, parent, kids, plan, held_events)
    dispute, created = _dispute(order, held_events)
    post_event(client, created)
    closed = _close(order, dispute, held_events, won=False)
    for _ in range(3):  # redelivered; and "created" once more, late
        post_event(client, closed)
    post_event(client, created.replace(json.loads(created)["id"], "evt_again"))
    lost = reload(order)
    assert (lost.status, lost.dispute_outcome) == (OrderStatus.REFUNDED, "lost")
    assert lost.disputed_at is not None and lost.refunded_minor == 24000
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.REFUNDED] * 2
    with unscoped():
        (row,) = db.session.scalars(select(Refund)).all()
    assert (row.gateway_refund_id, row.amount_minor, row.status) == (
        dispute["id"],
        24000,
        "dispute_lost",
    )
    assert sum("A dispute was lost" in m["Subject"] for m in outbox()) == 1
    assert [e.outcome for e in stored_events()] == [  # the repeats were dropped at intake
        "paid",
        "dispute recorded",
        "dispute lost, refunded",
        "dispute already lost",
    ]
    login(admin)
    page = client.get("/l/riverside/payments/").get_data(as_text=True)
    assert 'id="attention-title"' not in page  # a closed dispute needs nobody
    detail = client.get(f"/l/riverside/payments/{order.id}").get_data(as_text=True)
    assert "The dispute was lost" in detail and "Dispute lost: the bank returned" in detail


def test_losing_the_rest_of_a_partly_refunded_payment(
    client, league, parent, kids, plan, held_events
):
    """After a partial refund, is a lost dispute counted for what was left, refunding it all?"""
    order = paid_order(client, league, parent, kids, plan, held_events)
    with league_scope(league.id):
        refunds.refund(reload(order), 4000, None, "Sibling discount")
        db.session.commit()
    dispute, _ = _dispute(order, held_events)
    assert dispute["amount"] == 20000
    post_event(client, _close(order, dispute, held_events, won=False))
    lost = reload(order)
    assert (lost.status, lost.refunded_minor) == (OrderStatus.REFUNDED, 24000)


def test_a_closed_dispute_before_its_creation(client, league, parent, kids, plan, held_events):
    """If "closed" (won) overtakes "created", does the late "created" leave the order alone?"""
    order = paid_order(client, league, parent, kids, plan, held_events)
    dispute, created = _dispute(order, held_events)
    post_event(client, _close(order, dispute, held_events, won=True))
    post_event(client, created)
    after = reload(order)
    assert (after.disputed_at, after.dispute_outcome) == (None, "won")
    assert stored_events()[-1].outcome == "dispute already won"


def test_the_outcome_comes_from_the_gateway_not_the_payload(
    client, league, parent, kids, plan, held_events
):
    """Is a "closed" event whose payload says lost, for a dispute still open, not acted on?"""
    order = paid_order(client, league, parent, kids, plan, held_events)
    _, created = _dispute(order, held_events)
    post_event(client, created)
    forged = json.loads(created)
    forged.update(id="evt_forged", type="charge.dispute.closed")
    forged["data"]["object"]["status"] = "lost"
    post_event(client, forged)
    assert reload(order).status == OrderStatus.PAID and reload(order).dispute_outcome == ""
    assert stored_events()[-1].outcome == "dispute needs_response"
    unknown = {**forged, "id": "evt_unknown"}
    unknown["data"] = {"object": {"id": "dp_nope", "payment_intent": order.payment_intent_id}}
    post_event(client, unknown)
    last = stored_events()[-1]
    assert last.status == EventStatus.IGNORED and "does not know this dispute" in last.outcome


def test_stripe_gateway_reads_a_dispute():
    """Does the real StripeGateway read a dispute through the official SDK?"""
    with Server() as server:
        fake = server.fake
        route = fake.route

        def with_disputes(method, path, params):
            match = re.fullmatch(r"/v1/disputes/(?P<did>[^/]+)", path)
            if method == "GET" and match:
                body = {"id": match["did"], "object": "dispute", "status": "lost"}
                body.update(amount=1500, payment_intent="pi_1", charge="ch_1")
                return Response(json.dumps(body), mimetype="application/json")
            return route(method, path, params)

        fake.route = with_disputes
        dispute = StripeGateway("sk_test_fake", server.url).get_dispute("dp_1")
    assert (dispute.id, dispute.status, dispute.amount) == ("dp_1", "lost", 1500)
    assert dispute.payment_intent == "pi_1" and dispute.closed and dispute.lost
