"""A flagged order nobody paid, closed by the league admin: its checkout is ended at the
gateway, the order reads as an abandoned checkout and its places are released, once;
a payment the gateway shows before or after is never lost."""

from __future__ import annotations

import json

from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships import eligibility
from portal.memberships.models import MembershipStatus
from portal.payments import fulfilment
from portal.payments.gateway import GatewayUnavailable, get_gateway
from portal.payments.models import Order, OrderStatus
from portal.payments.stripe_gateway import StripeGateway
from portal.payments.testmode import TestGateway
from portal.players.services import today_in
from tests.payments.conftest import place, post_event, reload
from tests.payments.helpers import discounted, flagged_order, memberships_of, tamper

CONFIRMED = {"flagged-confirm": "y", "flagged-note": "Paid after we closed it"}
PENDING, CANCELLED = MembershipStatus.PENDING_PAYMENT, MembershipStatus.CANCELLED
FLAG_MAIL = "A payment needs your attention"


def _unpaid_flagged(client, league, parent, kids, plan) -> Order:
    """An order whose open checkout names another league, flagged by "Check again"
    before anything was paid (the admin client must be signed in)."""
    order = place(league, parent, kids, plan)
    tamper(order.session_id, metadata={"order_id": str(order.id), "league_id": "999"})
    client.post(f"/l/riverside/payments/{order.id}/recheck")
    flagged = reload(order)
    assert flagged.status == OrderStatus.NEEDS_ATTENTION and flagged.reported_minor is None
    return flagged


def _page(client, order) -> str:
    return client.get(f"/l/riverside/payments/{order.id}").get_data(as_text=True)


def _close(client, order):
    return client.post(f"/l/riverside/payments/{order.id}/close")


def _session_status(order) -> str:
    with unscoped():
        return get_gateway().get_session(order.session_id).status


def _places_taken(league, plan) -> int:
    with league_scope(league.id):
        return eligibility.taken_places(plan, today_in(league))


def test_closing_ends_the_checkout_and_releases_the_places(
    signed_in, client, league, admin, parent, kids, plan, held_events
):
    """Does "Close" expire the checkout at the gateway, make the order an abandoned
    checkout, release its memberships and places, and keep who closed it?"""
    with unscoped():
        plan.capacity = 2
        db.session.commit()
    order = _unpaid_flagged(signed_in, league, parent, kids, plan)
    assert _places_taken(league, plan) == 2
    page = _page(signed_in, order)
    assert f'action="/l/riverside/payments/{order.id}/close"' in page
    assert "/accept" not in page and "/refund-flagged" not in page

    response = _close(signed_in, order)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/l/riverside/payments/{order.id}"
    closed = reload(order)
    assert (closed.status, closed.resolution, closed.resolved_by_id) == (
        OrderStatus.EXPIRED,
        "closed",
        admin.id,
    )
    assert closed.resolved_at is not None and closed.paid_minor == 0
    assert _session_status(order) == "expired"
    assert [json.loads(e)["type"] for e in held_events] == ["checkout.session.expired"]
    memberships = memberships_of(order)
    assert [m.status for m in memberships] == [CANCELLED] * 2
    assert {m.end_reason for m in memberships} == {"Closed by the league: nothing was paid"}
    assert _places_taken(league, plan) == 0
    page = _page(signed_in, order)
    assert "Order closed: nothing was paid" in page
    assert "Closed without payment after it was flagged" in page and "by Maria Admin" in page
    assert f"/payments/{order.id}/close" not in page
    index = signed_in.get("/l/riverside/payments/").get_data(as_text=True)
    assert "Needs attention (" not in index


def test_the_payer_can_no_longer_pay_a_closed_checkout(
    signed_in, client, league, parent, kids, plan, held_events
):
    """Once closed, does the test checkout page refuse the payment the payer tries?"""
    order = _unpaid_flagged(signed_in, league, parent, kids, plan)
    _close(signed_in, order)
    response = client.post(f"/checkout/test/{order.session_id}/pay")
    assert response.status_code == 303  # back to the success page, nothing paid
    assert _session_status(order) == "expired"
    assert reload(order).status == OrderStatus.EXPIRED and held_events[1:] == []


def test_a_second_close_changes_nothing(
    signed_in, client, login, make, league, admin, parent, kids, plan, held_events
):
    """Does a second click, or a second admin, find the order closed and change nothing?"""
    order = _unpaid_flagged(signed_in, league, parent, kids, plan)
    _close(signed_in, order)
    _close(signed_in, order)
    assert "Nothing to do: the order is already “Checkout abandoned”" in _page(signed_in, order)
    other = make.member(league, Role.ADMIN, name="Sam Second", email="sam@example.com")
    login(other)
    assert _close(client, order).status_code == 303
    closed = reload(order)
    assert (closed.status, closed.resolved_by_id) == (OrderStatus.EXPIRED, admin.id)
    assert len(held_events) == 1  # one expiry at the gateway


def test_the_expired_event_and_check_again_after_a_close_change_nothing(
    signed_in, client, league, parent, kids, plan, held_events, outbox
):
    """Does the gateway's `checkout.session.expired`, delivered late, or a "Check again",
    leave the closed order closed, with no new flag and no mail to the admins?"""
    order = _unpaid_flagged(signed_in, league, parent, kids, plan)
    flag_mails = sum(FLAG_MAIL in m["Subject"] for m in outbox())
    _close(signed_in, order)
    (expired,) = held_events
    assert post_event(client, expired).status_code == 200
    assert post_event(client, expired).status_code == 200  # a repeat delivery
    signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    closed = reload(order)
    assert (closed.status, closed.resolution) == (OrderStatus.EXPIRED, "closed")
    assert [m.status for m in memberships_of(order)] == [CANCELLED] * 2
    assert sum(FLAG_MAIL in m["Subject"] for m in outbox()) == flag_mails


def test_a_payment_made_while_closing_is_kept(
    signed_in, league, parent, kids, plan, monkeypatch, held_events
):
    """If the payer pays just as the admin closes, is the close refused with the payment
    in view, to be refunded or accepted, nothing released?"""
    order = _unpaid_flagged(signed_in, league, parent, kids, plan)
    expire = TestGateway.expire_session

    def paid_first(gateway, session_id):  # the payer's payment reaches the gateway first
        gateway.complete(session_id, "paid")
        return expire(gateway, session_id)

    monkeypatch.setattr(TestGateway, "expire_session", paid_first)
    assert _close(signed_in, order).status_code == 303
    kept = reload(order)
    assert (kept.status, kept.resolution) == (OrderStatus.NEEDS_ATTENTION, "")
    assert (kept.reported_minor, kept.payment_intent_id[:8]) == (24000, "pi_test_")
    assert _session_status(order) == "complete"
    assert [m.status for m in memberships_of(order)] == [PENDING] * 2
    page = _page(signed_in, order)
    assert "A payment has arrived for this order, so it was not closed" in page
    assert f"/payments/{order.id}/refund-flagged" in page
    assert f"/payments/{order.id}/close" not in page
    signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    assert reload(order).status == OrderStatus.REFUNDED


def test_a_payment_reported_after_a_close_flags_the_order_again(
    signed_in, client, league, parent, kids, plan, held_events, outbox
):
    """If the gateway reports a completed payment after the order was closed (a race),
    is the order flagged again with the payment kept, nobody registered, so the admin
    can refund it?"""
    order = _unpaid_flagged(signed_in, league, parent, kids, plan)
    _close(signed_in, order)
    flag_mails = sum(FLAG_MAIL in m["Subject"] for m in outbox())
    tamper(order.session_id, status="open")  # the gateway took the payment after all
    with unscoped():
        TestGateway().complete(order.session_id, "paid")
        db.session.commit()
    completed = held_events[-1]
    assert json.loads(completed)["type"] == "checkout.session.completed"
    assert post_event(client, completed).status_code == 200
    again = reload(order)
    assert again.status == OrderStatus.NEEDS_ATTENTION
    assert (again.reported_minor, again.paid_minor) == (24000, 0)
    assert [m.status for m in memberships_of(order)] == [CANCELLED] * 2  # nobody registered
    assert sum(FLAG_MAIL in m["Subject"] for m in outbox()) == flag_mails + 1
    assert post_event(client, completed).status_code == 200  # a repeat changes nothing
    assert _close(signed_in, order).status_code == 303
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION  # paid: not closed
    signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    refunded = reload(order)
    assert (refunded.status, refunded.resolution) == (OrderStatus.REFUNDED, "refunded")
    with unscoped():
        assert TestGateway().get_payment(refunded.payment_intent_id).amount_refunded == 24000


def test_a_paid_or_paying_flagged_order_is_not_closed(signed_in, make, league, parent, kids, plan):
    """Is "Close" not offered for a flagged payment, and refused if sent anyway, as for a
    bank payment still on its way?"""
    order = flagged_order(league, parent, kids, plan)
    assert f"/payments/{order.id}/close" not in _page(signed_in, order)
    _close(signed_in, order)
    assert "A payment has arrived for this order" in _page(signed_in, order)
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION
    assert [m.status for m in memberships_of(order)] == [PENDING] * 2

    # Other players: Mia and Leo cannot start another checkout while theirs is checked.
    others = [make.ready_profile(league, parent, name) for name in ("Ava", "Noah")]
    paying = place(league, parent, others, plan, nonce="n-2")
    tamper(paying.session_id, **discounted(paying.amount_minor - 10000, 10000))
    with league_scope(league.id):
        get_gateway().complete(paying.session_id, "later")  # a bank debit: days to arrive
        db.session.commit()
    assert reload(paying).status == OrderStatus.NEEDS_ATTENTION
    _close(signed_in, paying)
    assert "a payment that has not arrived yet" in _page(signed_in, paying)
    assert reload(paying).status == OrderStatus.NEEDS_ATTENTION


def test_close_needs_the_csrf_token(signed_in, csrf_on, league, parent, kids, plan):
    """Is "Close" refused without the form's CSRF token, and is the token in its form?"""
    order = place(league, parent, kids, plan)
    tamper(order.session_id, metadata={"order_id": str(order.id), "league_id": "999"})
    page = _page(signed_in, order)  # open: nothing to close yet
    assert f"/payments/{order.id}/close" not in page
    with league_scope(league.id):
        fulfilment.sync_order(reload(order))
        db.session.commit()
    assert _close(signed_in, order).status_code == 400
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION
    form = _page(signed_in, order).split(f'action="/l/riverside/payments/{order.id}/close"')[1]
    assert 'name="csrf_token"' in form.split("</form>")[0]


def test_with_the_gateway_down_the_order_stays_flagged(
    signed_in, league, parent, kids, plan, monkeypatch, held_events
):
    """If the gateway does not answer, is nothing closed, to try again?"""
    order = _unpaid_flagged(signed_in, league, parent, kids, plan)

    def down(*args, **kwargs):
        raise GatewayUnavailable("Stripe is unavailable: timeout")

    with monkeypatch.context() as patch:
        patch.setattr(TestGateway, "expire_session", down)
        _close(signed_in, order)
    assert "did not answer; nothing changed" in _page(signed_in, order)
    kept = reload(order)
    assert (kept.status, kept.resolution) == (OrderStatus.NEEDS_ATTENTION, "")
    assert [m.status for m in memberships_of(order)] == [PENDING] * 2
    _close(signed_in, order)
    assert reload(order).status == OrderStatus.EXPIRED


def test_an_order_whose_checkout_expired_on_its_own_is_closed(
    signed_in, league, parent, kids, plan, held_events
):
    """Is a flagged order whose checkout already expired closed without asking the
    gateway to expire it again?"""
    order = _unpaid_flagged(signed_in, league, parent, kids, plan)
    tamper(order.session_id, status="expired")
    _close(signed_in, order)
    assert reload(order).status == OrderStatus.EXPIRED and held_events == []


# -- the real StripeGateway, through the SDK, against tests/fakestripe.py ---------------


def test_closing_expires_the_stripe_checkout(stripe, signed_in, league, parent, kids, plan):
    """Through Stripe, does "Close" call the session's expire endpoint once, and a second
    admin's close find the order closed?"""
    order = place(league, parent, kids, plan)
    stripe.sessions[order.session_id]["metadata"]["league_id"] = "999"
    signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION
    _close(signed_in, order)
    _close(signed_in, order)
    assert reload(order).status == OrderStatus.EXPIRED
    assert stripe.sessions[order.session_id]["status"] == "expired"
    expiries = [r for r in stripe.requests if r[0] == "POST" and r[1].endswith("/expire")]
    assert [path for _, path, _ in expiries] == [f"/v1/checkout/sessions/{order.session_id}/expire"]
    assert stripe.events[-1]["type"] == "checkout.session.expired"


def test_a_stripe_payment_made_while_closing_is_kept(
    stripe, signed_in, league, parent, kids, plan, monkeypatch
):
    """If Stripe refuses the expiry because the payer has just paid, is the close refused
    with the payment kept?"""
    order = place(league, parent, kids, plan)
    stripe.sessions[order.session_id]["metadata"]["league_id"] = "999"
    signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    real = StripeGateway.get_session
    calls = []

    def pays_after_the_first_read(gateway, session_id):
        calls.append(session_id)
        if len(calls) == 1:  # the close's first read: open; then the payer pays
            session = real(gateway, session_id)
            stripe.complete(session_id)
            return session
        return real(gateway, session_id)

    monkeypatch.setattr(StripeGateway, "get_session", pays_after_the_first_read)
    _close(signed_in, order)
    kept = reload(order)
    assert (kept.status, kept.reported_minor) == (OrderStatus.NEEDS_ATTENTION, 24000)
    assert "A payment has arrived for this order" in _page(signed_in, order)
