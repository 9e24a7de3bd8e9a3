"""A flagged order (its payment did not match) settled by the league admin: "Accept
payment" registers the players, "Refund" gives everything back; each once."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.memberships.models import MembershipStatus
from portal.payments import testmode
from portal.payments.gateway import GatewayUnavailable
from portal.payments.models import OrderStatus, Refund
from portal.payments.testmode import TestGateway
from tests.payments.conftest import place, post_event, reload
from tests.payments.helpers import flagged_order, memberships_of, tamper

CONFIRMED = {"flagged-confirm": "y", "flagged-note": "Code was not valid for this season"}


def _page(client, order) -> str:
    return client.get(f"/l/riverside/payments/{order.id}").get_data(as_text=True)


def _refunded_at_gateway(order) -> int:
    with unscoped():
        return TestGateway().get_payment(reload(order).payment_intent_id).amount_refunded


def test_a_flag_keeps_what_the_gateway_reported(signed_in, league, parent, kids, plan, outbox):
    """Does a flagged order keep the gateway's payment, amount and currency, and show them?"""
    order = flagged_order(league, parent, kids, plan)
    assert order.payment_intent_id.startswith("pi_test_")
    assert (order.reported_minor, order.reported_currency) == (14000, "usd")
    assert "offered no promotion codes" in order.attention_reason
    page = _page(signed_in, order)
    assert "reported a payment of <strong>$140.00</strong>" in page
    assert order.payment_intent_id in page and "for a price of $240.00" in page
    assert f'action="/l/riverside/payments/{order.id}/accept"' in page
    assert f'action="/l/riverside/payments/{order.id}/refund-flagged"' in page
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.PENDING_PAYMENT] * 2


def test_accepting_registers_the_players_once(signed_in, league, admin, parent, kids, plan, outbox):
    """Does "Accept payment" make the order paid, start the memberships and keep who did it?"""
    order = flagged_order(league, parent, kids, plan)
    response = signed_in.post(f"/l/riverside/payments/{order.id}/accept")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/l/riverside/payments/{order.id}"
    accepted = reload(order)
    assert (accepted.status, accepted.paid_minor) == (OrderStatus.PAID, 14000)
    assert (accepted.resolution, accepted.resolved_by_id) == ("accepted", admin.id)
    assert accepted.resolved_at is not None and accepted.paid_at is not None
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.ACTIVE] * 2
    page = _page(signed_in, order)
    assert "Payment accepted: the players" in page and "by Maria Admin" in page
    assert "Up to $140.00" in page  # refundable as any paid order
    again = signed_in.post(f"/l/riverside/payments/{order.id}/accept")
    assert again.status_code == 303
    assert "Nothing to do: the order is already “Paid”" in _page(signed_in, order)
    assert sum("Payment received" in m["Subject"] for m in outbox()) == 1
    signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    assert reload(order).status == OrderStatus.PAID and _refunded_at_gateway(order) == 0


def test_refunding_gives_everything_back_once(
    signed_in, client, league, admin, parent, kids, plan, monkeypatch
):
    """Does "Refund" give the whole payment back through the gateway, once, with nobody
    registered, and does the gateway's refund event then change nothing?"""
    order = flagged_order(league, parent, kids, plan)
    held_events: list[str] = []  # from now on the gateway's events wait (a slow webhook)
    monkeypatch.setattr(testmode, "deliver_test_event", held_events.append)
    response = signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    assert response.status_code == 303
    refunded = reload(order)
    assert refunded.status == OrderStatus.REFUNDED and refunded.resolution == "refunded"
    assert (refunded.paid_minor, refunded.refunded_minor) == (14000, 14000)
    assert refunded.resolved_by_id == admin.id and _refunded_at_gateway(order) == 14000
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.REFUNDED] * 2
    with unscoped():
        (row,) = db.session.scalars(select(Refund)).all()
        assert (row.amount_minor, row.created_by_id) == (14000, admin.id)
        assert row.reason == "Code was not valid for this season"
    again = signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    assert again.status_code == 303 and _refunded_at_gateway(order) == 14000
    signed_in.post(f"/l/riverside/payments/{order.id}/accept")

    (refund_event,) = held_events  # the gateway's charge.refunded, delivered late
    assert post_event(client, refund_event).status_code == 200
    after = reload(order)
    assert (after.status, after.refunded_minor) == (OrderStatus.REFUNDED, 14000)
    with unscoped():
        assert db.session.scalar(select(func.count(Refund.id))) == 1
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.REFUNDED] * 2
    page = _page(signed_in, order)
    assert "Payment refunded in full after it was flagged" in page
    assert "Nothing to do: the order is already “Refunded”" in page


def test_a_refund_must_be_confirmed(signed_in, league, parent, kids, plan):
    """Is an unconfirmed refund of a flagged payment answered 422, nothing refunded?"""
    order = flagged_order(league, parent, kids, plan)
    response = signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data={})
    assert response.status_code == 422
    assert "Tick the box to confirm the refund." in response.get_data(as_text=True)
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION
    assert _refunded_at_gateway(order) == 0


def test_a_refund_made_in_the_dashboard_is_not_made_twice(signed_in, league, parent, kids, plan):
    """If part was refunded in the gateway's dashboard, does "Refund" give back only the rest?"""
    order = flagged_order(league, parent, kids, plan)
    with unscoped():
        TestGateway().refund(order.payment_intent_id, 4000, "dashboard-1", {})
        db.session.commit()
    signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    refunded = reload(order)
    assert (refunded.status, refunded.refunded_minor) == (OrderStatus.REFUNDED, 14000)
    assert _refunded_at_gateway(order) == 14000
    with unscoped():
        amounts = sorted(db.session.scalars(select(Refund.amount_minor)))
    assert amounts == [4000, 10000]


def test_a_payment_in_another_currency_can_only_be_refunded(signed_in, league, parent, kids, plan):
    """Is a payment in EUR for a USD order refused on "Accept", and refunded without
    being added to the league's USD totals?"""
    order = flagged_order(league, parent, kids, plan, currency="eur")
    assert order.reported_currency == "eur"
    signed_in.post(f"/l/riverside/payments/{order.id}/accept")
    assert "made in EUR, not USD" in _page(signed_in, order)
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.PENDING_PAYMENT] * 2
    signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    refunded = reload(order)
    assert refunded.status == OrderStatus.REFUNDED and _refunded_at_gateway(order) == 24000
    assert (refunded.paid_minor, refunded.refunded_minor) == (0, 0)
    with unscoped():
        (row,) = db.session.scalars(select(Refund)).all()
    assert "(€240.00 in EUR)" in row.reason


def test_nothing_to_settle_before_a_payment(signed_in, league, parent, kids, plan):
    """Is an order flagged before anything was paid offered neither action, and refused both?"""
    order = place(league, parent, kids, plan)
    tamper(order.session_id, metadata={"order_id": str(order.id), "league_id": "999"})
    signed_in.post(f"/l/riverside/payments/{order.id}/recheck")
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION
    page = _page(signed_in, order)
    assert "no payment has been received yet" in page and "/accept" not in page
    signed_in.post(f"/l/riverside/payments/{order.id}/accept")
    assert "No payment has been received for this order" in _page(signed_in, order)
    signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION


def test_accept_and_refund_need_the_csrf_token(signed_in, csrf_on, league, parent, kids, plan):
    """Are both actions refused without the form's CSRF token?"""
    order = flagged_order(league, parent, kids, plan)
    assert signed_in.post(f"/l/riverside/payments/{order.id}/accept").status_code == 400
    refused = signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    assert refused.status_code == 400
    assert reload(order).status == OrderStatus.NEEDS_ATTENTION
    page = _page(signed_in, order)
    assert page.count('name="csrf_token"') >= 3  # accept, refund-flagged, check again


def test_with_the_gateway_down_the_order_stays_flagged(
    signed_in, league, parent, kids, plan, monkeypatch
):
    """If the gateway does not answer the refund, is the order left flagged, to try again?"""
    order = flagged_order(league, parent, kids, plan)

    def down(*args, **kwargs):
        raise GatewayUnavailable("Stripe is unavailable: timeout")

    monkeypatch.setattr(TestGateway, "refund", down)
    response = signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    assert response.status_code == 303
    assert "did not answer; nothing changed" in _page(signed_in, order)
    after = reload(order)
    assert (after.status, after.resolution, after.refunded_minor) == (
        OrderStatus.NEEDS_ATTENTION,
        "",
        0,
    )
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.PENDING_PAYMENT] * 2
    monkeypatch.undo()
    signed_in.post(f"/l/riverside/payments/{order.id}/refund-flagged", data=CONFIRMED)
    assert reload(order).status == OrderStatus.REFUNDED and _refunded_at_gateway(order) == 14000
