"""The family's email when a payment is refunded: one per refund we record, whoever made
it (the league's admin in the portal, or Stripe's dashboard through the webhook) and
however often its event arrives."""

from __future__ import annotations

import json

from portal.core.tenancy import league_scope
from portal.extensions import db
from portal.payments import fulfilment
from portal.payments.gateway import get_gateway
from portal.payments.models import OrderStatus
from tests.payments.conftest import place, post_event, reload
from tests.payments.helpers import flagged_order, paid_order, refund_form


def _refund_mails(outbox) -> list:
    return [m for m in outbox() if "efund of" in m["Subject"]]


def _paid(league, parent, kids, plan, client, held_events):
    """Paid at the test checkout, its event delivered by hand (the refund's are held)."""
    order = place(league, parent, kids, plan)
    with league_scope(order.league_id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    post_event(client, held_events[-1])
    assert reload(order).status == OrderStatus.PAID
    return order


def _dashboard_refund(order, amount: int, key: str) -> None:
    """A refund made in Stripe's dashboard (the test gateway's), its event held back."""
    with league_scope(order.league_id):
        intent = get_gateway().get_session(order.session_id).payment_intent
        get_gateway().refund(intent, amount, key, {})
        db.session.commit()


def test_a_full_refund_from_the_portal_mails_the_family_once(
    signed_in, league, parent, kids, plan, outbox
):
    """Refunded in full by the admin (its charge.refunded event then comes back through
    the webhook): does the family get one email naming the amount, the order, the players
    and the memberships' end?"""
    paid = paid_order(league, parent, kids, plan)
    response = signed_in.post(
        f"/l/riverside/payments/{paid.id}/refund", data=refund_form(paid, "240.00")
    )
    assert response.status_code == 303 and reload(paid).status == OrderStatus.REFUNDED
    (mail,) = _refund_mails(outbox)
    assert mail["To"] == "parent@example.com"
    assert mail["Subject"] == f"Refund of $240.00 for order {paid.id}"
    body = mail.get_content()
    assert (
        f"Refund of $240.00 for order {paid.id}: Mia Kim and Leo Kim; "
        "their memberships are cancelled." in body
    )
    assert "Paid: $240.00. Refunded in all: $240.00." in body
    assert "/l/riverside/memberships/" in body


def test_a_partial_refund_says_partial(signed_in, league, parent, kids, plan, outbox):
    """A partial refund: "partial refund of $X", and the memberships carry on."""
    paid = paid_order(league, parent, kids, plan)
    signed_in.post(f"/l/riverside/payments/{paid.id}/refund", data=refund_form(paid, "25.50"))
    assert reload(paid).status == OrderStatus.PARTIALLY_REFUNDED
    (mail,) = _refund_mails(outbox)
    assert mail["Subject"] == f"Partial refund of $25.50 for order {paid.id}"
    body = mail.get_content()
    assert f"A partial refund of $25.50 for order {paid.id}: Mia Kim and Leo Kim." in body
    assert "Their memberships carry on as before." in body and "cancelled" not in body


def test_a_dashboard_refund_delivered_ten_times_mails_once(
    client, league, parent, kids, plan, held_events, outbox
):
    """Partial, then the rest, each made in Stripe's dashboard; each refund's event comes
    ten times under ten event ids (Stripe's retries, charge.refund.updated ...): is each
    refund told once, with the amount of its own refund row?"""
    order = _paid(league, parent, kids, plan, client, held_events)
    for amount, key, subject in (
        (5000, "dash-1", f"Partial refund of $50.00 for order {order.id}"),
        (19000, "dash-2", f"Refund of $190.00 for order {order.id}"),
    ):
        _dashboard_refund(order, amount, key)
        event = json.loads(held_events[-1])
        for n in range(10):
            assert post_event(client, {**event, "id": f"{event['id']}-{n}"}).status_code == 200
        assert _refund_mails(outbox)[-1]["Subject"] == subject
    assert reload(order).status == OrderStatus.REFUNDED
    assert [m["Subject"] for m in _refund_mails(outbox)] == [
        f"Partial refund of $50.00 for order {order.id}",
        f"Refund of $190.00 for order {order.id}",
    ]
    assert "Mia Kim and Leo Kim; their memberships are cancelled." in (
        _refund_mails(outbox)[-1].get_content()
    )


def test_a_refund_recorded_in_a_rolled_back_transaction_sends_nothing(
    client, league, parent, kids, plan, held_events, outbox
):
    """Two workers race to record the same refund: the one that rolls back must not
    mail; the one that commits mails once."""
    order = _paid(league, parent, kids, plan, client, held_events)
    _dashboard_refund(order, 24000, "dash-full")
    with league_scope(league.id):
        payment = get_gateway().get_payment(reload(order).payment_intent_id)
        assert fulfilment.sync_refunds(reload(order), payment) == "refunded"
        db.session.rollback()
    assert _refund_mails(outbox) == []
    with league_scope(league.id):
        assert fulfilment.sync_refunds(reload(order), payment) == "refunded"
        db.session.commit()
        assert fulfilment.sync_refunds(reload(order), payment) == "refund recorded"
        db.session.commit()
    (mail,) = _refund_mails(outbox)
    assert mail["Subject"] == f"Refund of $240.00 for order {order.id}"


def test_a_refund_that_overtakes_the_payment_is_told_once(
    client, league, parent, kids, plan, held_events, outbox
):
    """The refund's event before the payment's: the family hears of the full refund once
    (when it is recorded), not again when the payment's event ends the memberships."""
    order = place(league, parent, kids, plan)
    with league_scope(order.league_id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    completed = held_events[-1]
    _dashboard_refund(order, 24000, "dashboard-refund")
    post_event(client, held_events[-1])
    assert reload(order).status == OrderStatus.OPEN
    post_event(client, completed)
    assert reload(order).status == OrderStatus.REFUNDED
    (mail,) = _refund_mails(outbox)
    assert mail["Subject"] == f"Refund of $240.00 for order {order.id}"
    assert "their memberships are cancelled" in mail.get_content()


def test_a_flagged_payment_refunded_by_the_admin_is_told_once(
    signed_in, league, parent, kids, plan, outbox
):
    """A payment that did not match, given back by the admin ("Refund" on the flagged
    order, its event back through the webhook): one email, with what was charged."""
    order = flagged_order(league, parent, kids, plan)  # $140 charged for a $240 order
    response = signed_in.post(
        f"/l/riverside/payments/{order.id}/refund-flagged",
        data={"flagged-confirm": "y", "flagged-note": "Code was not valid"},
    )
    assert response.status_code == 303 and reload(order).status == OrderStatus.REFUNDED
    (mail,) = _refund_mails(outbox)
    assert mail["Subject"] == f"Refund of $140.00 for order {order.id}"
    assert "Mia Kim and Leo Kim; their memberships are cancelled." in mail.get_content()
