"""Paying twice for one place: a payment still on its way (a bank debit clearing, a
payment flagged for the league) blocks a second checkout of the same player and plan,
and an older checkout is ended at the gateway before a new one can be paid."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.memberships.models import Membership, MembershipStatus
from portal.payments import checkout, fulfilment
from portal.payments.checkout import CheckoutError
from portal.payments.gateway import GatewayError, get_gateway
from portal.payments.models import Order, OrderStatus
from portal.payments.testmode import TestGateway
from portal.players.services import today_in
from tests.payments.conftest import place, reload
from tests.payments.helpers import flagged_order, memberships_of, tamper

CLEARING = "Mia&#39;s payment for this plan is still clearing at the bank"


def _orders() -> list[Order]:
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(Order).order_by(Order.id)).all()


def _memberships(status: MembershipStatus) -> list[Membership]:
    db.session.expire_all()
    with unscoped():
        return db.session.scalars(select(Membership).where(Membership.status == status)).all()


def _register(client, kid, plan, nonce: str):
    return client.post(
        "/l/riverside/register", data={f"plan-{kid.id}": str(plan.id), "nonce": nonce}
    )


def _pay_later(league, parent, kids, plan, nonce="n-1") -> Order:
    """A checkout paid by bank debit: the order waits (PROCESSING) for the money."""
    order = place(league, parent, kids, plan, nonce=nonce)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "later")
        db.session.commit()
    assert reload(order).status == OrderStatus.PROCESSING
    return reload(order)


def test_a_bank_debit_still_clearing_blocks_paying_again(client, login, league, parent, kids, plan):
    """The audit's double charge: Mia paid by bank debit, then her parent registers her
    again and pays by card, and both go through. Does the register page say why she
    cannot be chosen, the checkout refuse her, and the debit end as her one membership?"""
    first = _pay_later(league, parent, kids[:1], plan)
    login(parent)
    page = client.get("/l/riverside/register").text
    assert CLEARING in page
    (radio,) = re.findall(
        rf'<input type="radio" name="plan-{kids[0].id}" value="{plan.id}"[^>]*>', page
    )
    assert "disabled" in radio

    response = _register(client, kids[0], plan, "again")
    assert response.status_code == 422 and CLEARING in response.text
    assert [o.id for o in _orders()] == [first.id]

    with league_scope(league.id):
        get_gateway().settle(first.session_id, True)  # the debit arrives
        db.session.commit()
    assert reload(first).status == OrderStatus.PAID
    assert len(_memberships(MembershipStatus.ACTIVE)) == 1


def test_the_other_player_can_still_be_paid_for(client, login, league, parent, kids, plan):
    """Is only the player (and plan) whose payment clears blocked, not the family?"""
    _pay_later(league, parent, kids[:1], plan)
    login(parent)
    response = _register(client, kids[1], plan, "leo")
    assert response.status_code == 303
    assert len(_orders()) == 2


def test_a_flagged_payment_blocks_paying_again(client, login, league, parent, kids, plan):
    """A payment made but flagged for the league (it did not match the order): is the
    player refused a second checkout while the league looks at it?"""
    flagged_order(league, parent, kids[:1], plan)
    login(parent)
    response = _register(client, kids[0], plan, "again")
    assert response.status_code == 422
    assert "Mia&#39;s payment for this plan is being checked by the league" in response.text
    assert len(_orders()) == 1


def test_a_flagged_checkout_nobody_paid_is_ended_before_a_new_one(
    client, login, league, parent, kids, plan
):
    """A flagged order whose checkout is still open (nothing paid) could be paid after
    the new one: is its checkout ended at the gateway, the order left to the admin?"""
    old = place(league, parent, kids[:1], plan)
    tamper(old.session_id, metadata={"order_id": str(old.id), "league_id": "999"})
    with league_scope(league.id):
        fulfilment.sync_order(reload(old))
        db.session.commit()
    assert reload(old).status == OrderStatus.NEEDS_ATTENTION
    login(parent)
    assert _register(client, kids[0], plan, "again").status_code == 303
    with unscoped():
        assert get_gateway().get_session(old.session_id).status == "expired"
    assert reload(old).status == OrderStatus.NEEDS_ATTENTION  # the admin closes it


def test_a_debit_started_in_another_tab_is_found_at_the_gateway(
    client, login, league, parent, kids, plan, held_events
):
    """The debit was chosen a moment ago and its webhook has not arrived (the order still
    reads open): is the new checkout refused once the gateway shows the payment?"""
    old = place(league, parent, kids[:1], plan)
    with league_scope(league.id):
        get_gateway().complete(old.session_id, "later")
        db.session.commit()
    assert reload(old).status == OrderStatus.OPEN  # the event is held back
    login(parent)
    response = _register(client, kids[0], plan, "again")
    assert response.status_code == 422
    assert "A payment for these players has just gone through" in response.text
    assert len(_orders()) == 1


def test_a_refused_attempt_leaves_the_earlier_checkout_payable(
    stripe, client, login, make, league, parent, kids
):
    """The parent has a checkout open, then sends a form the checkout refuses (the
    agreement not ticked): is the open checkout still there to pay? (Through Stripe:
    what it ends is not undone when our transaction rolls back.)"""
    plan = make.plan(
        league, "Travel", agreement_title="Code", agreement_text="Be kind.", agreement_version=1
    )
    login(parent)
    form = {f"plan-{kids[0].id}": str(plan.id), "nonce": "a", "agree": str(plan.id)}
    assert client.post("/l/riverside/register", data=form).status_code == 303
    (old,) = _orders()
    refused = client.post("/l/riverside/register", data={**form, "nonce": "b", "agree": ""})
    assert refused.status_code == 422
    assert reload(old).status == OrderStatus.OPEN
    assert stripe.sessions[old.session_id]["status"] == "open"


def test_an_unreachable_gateway_starts_nothing_new(
    stripe, client, login, league, parent, kids, plan
):
    """Stripe is down, so the older checkout cannot be ended: is the new one refused with
    a message (not an error page), the older one left as it was?"""
    old = place(league, parent, kids[:1], plan)
    stripe.down = True
    login(parent)
    response = _register(client, kids[0], plan, "again")
    assert response.status_code == 422
    assert "The payment service did not answer" in response.text
    assert [(o.id, o.status) for o in _orders()] == [(old.id, OrderStatus.OPEN)]
    assert stripe.sessions[old.session_id]["status"] == "open"


class RefusingGateway(TestGateway):
    """The test gateway, except that it refuses to end a checkout that is still open (as
    Stripe may for reasons of its own): the one part the test gateway cannot show."""

    def expire_session(self, session_id):
        raise GatewayError("Refused for a reason of the gateway's own.")


@pytest.fixture
def refusing(app):
    previous = app.extensions.get("payment_gateway")
    app.extensions["payment_gateway"] = RefusingGateway()
    yield
    app.extensions["payment_gateway"] = previous


def test_a_checkout_the_gateway_will_not_end_is_not_replaced(
    client, login, league, parent, kids, plan, refusing
):
    """The gateway refuses to end the older checkout and still shows it open: is the new
    one refused (the old one could still be paid), and the old order kept open?"""
    old = place(league, parent, kids[:1], plan)
    login(parent)
    response = _register(client, kids[0], plan, "again")
    assert response.status_code == 422
    assert "Your earlier checkout for these players could not be ended" in response.text
    assert [(o.id, o.status) for o in _orders()] == [(old.id, OrderStatus.OPEN)]
    assert [m.status for m in memberships_of(old)] == [MembershipStatus.PENDING_PAYMENT]


def test_a_checkout_replaced_meanwhile_is_not_opened(league, parent, kids, plan):
    """Two tabs: the first saved its order but had not opened its checkout when the
    second replaced it. Does the first get no checkout (one that could be paid)?"""
    with league_scope(league.id):
        first = checkout.place_order(
            league,
            parent,
            [checkout.Selection(kids[0], plan)],
            nonce="tab-1",
            accepted=set(),
            today=today_in(league),
        )
        db.session.commit()
        assert first.status == OrderStatus.OPEN  # the first tab's copy, as it loaded it
        db.session.execute(  # the second tab ends it (its copy does not see that)
            update(Order)
            .where(Order.id == first.id)
            .values(status=OrderStatus.EXPIRED)
            .execution_options(synchronize_session=False)
        )
        assert first.status == OrderStatus.OPEN
        with pytest.raises(CheckoutError, match="replaced by a newer one"):
            checkout.open_session(first)
        db.session.rollback()
    assert reload(first).session_id is None
