"""Reconciliation: paid checkouts whose webhook never came are fulfilled (once), sessions
we do not know are reported, orders stuck waiting are listed; with the test gateway,
with Stripe's API (the loopback fake), from the worker's schedule and from the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.core.db import utcnow
from portal.core.permissions import Role
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db, huey
from portal.memberships.models import MembershipStatus
from portal.payments import fulfilment, reconciliation, tasks
from portal.payments.gateway import CheckoutRequest, GatewayUnavailable, LineItem, get_gateway
from portal.payments.models import OrderStatus, ReconciliationRun
from portal.payments.testmode import TestGateway
from tests.payments.conftest import place, post_event, reload
from tests.payments.helpers import memberships_of, set_created


def _pay_without_webhook(order) -> None:
    """The payer pays at the test checkout; the event is held back (see `held_events`)."""
    with league_scope(order.league_id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()


def _runs() -> list[ReconciliationRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReconciliationRun).order_by(ReconciliationRun.id)))


def test_a_missed_payment_is_fulfilled_once_even_run_twice(
    client, league, parent, kids, plan, held_events, outbox
):
    """Is a paid session whose webhook never came fulfilled exactly once, even run twice?"""
    order = place(league, parent, kids, plan)
    _pay_without_webhook(order)
    assert reload(order).status == OrderStatus.OPEN
    first = reconciliation.run_job()
    second = reconciliation.run_job()
    assert reload(order).status == OrderStatus.PAID
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.ACTIVE] * 2
    assert (first.checked, first.fixed, first.error) == (1, 1, "")
    (fixed,) = first.report["fixed"]
    assert fixed == {
        "order_id": order.id,
        "league_id": league.id,
        "league": "riverside",
        "status": "paid",
        "before": "open",
        "after": "paid",
        "outcome": "paid",
    }
    assert (second.checked, second.fixed, second.report["fixed"]) == (1, 0, [])
    assert sum("Payment received" in m["Subject"] for m in outbox()) == 1
    # The event arriving late afterwards changes nothing either.
    assert post_event(client, held_events[0]).status_code == 200
    assert reload(order).status == OrderStatus.PAID
    assert sum("Payment received" in m["Subject"] for m in outbox()) == 1


def test_a_paid_session_we_do_not_know_is_reported_not_acted_on(league, held_events):
    """Is a paid session no order of ours has reported with its claims, and not acted on?"""
    gateway = TestGateway()
    request = CheckoutRequest(
        order_id=424242,
        league_id=league.id,
        currency="usd",
        lines=[LineItem("Someone else", 5000)],
        success_url="https://x/done",
        cancel_url="https://x/cancel",
        idempotency_key="not-ours",
    )
    with league_scope(league.id):
        session = gateway.create_session(request)
        gateway.complete(session.id, "paid")
        db.session.commit()
    run = reconciliation.run_job()
    assert (run.checked, run.fixed) == (1, 0)
    (unknown,) = run.report["unknown"]
    assert unknown["session_id"] == session.id and unknown["amount"] == 5000
    assert unknown["claims"] == {"order_id": "424242", "league_id": str(league.id)}
    assert "unknown session" in reconciliation.summary(run)


def test_orders_waiting_over_an_hour_are_listed_with_the_gateways_word(
    league, parent, kids, plan, make, held_events
):
    """Are orders waiting over an hour listed with the gateway's word, expired ones synced?"""
    two_hours_ago = utcnow() - timedelta(hours=2)
    still_open = place(league, parent, kids[:1], plan, nonce="a")
    on_its_way = place(league, parent, kids[1:], plan, nonce="b")
    with league_scope(league.id):
        get_gateway().complete(on_its_way.session_id, "later")
        db.session.commit()
        fulfilment.sync_order(reload(on_its_way))
        db.session.commit()
    assert reload(on_its_way).status == OrderStatus.PROCESSING
    lapsed = place(league, parent, kids[:1], make.plan(league, "Camp"), nonce="c")
    with league_scope(league.id):
        get_gateway().expire_session(lapsed.session_id)
        db.session.commit()
    recent = place(league, parent, kids[1:], make.plan(league, "Clinic"), nonce="d")
    for order in (still_open, on_its_way, lapsed):
        set_created(order, two_hours_ago)

    run = reconciliation.run_job()
    stuck = {item["order_id"]: item for item in run.report["stuck"]}
    assert set(stuck) == {still_open.id, on_its_way.id}  # not the recent one, nor the lapsed
    assert stuck[still_open.id]["gateway_state"] == "checkout still open (not paid)"
    assert stuck[on_its_way.id]["gateway_state"] == "completed; the payment is on its way"
    assert stuck[on_its_way.id]["status"] == "processing"
    (fixed,) = run.report["fixed"]
    assert (fixed["order_id"], fixed["after"]) == (lapsed.id, "expired")
    assert reload(lapsed).status == OrderStatus.EXPIRED
    assert [m.status for m in memberships_of(lapsed)] == [MembershipStatus.CANCELLED]
    assert reload(recent).status == OrderStatus.OPEN
    assert run.checked == 3  # no paid sessions; three waiting orders asked about
    text = reconciliation.summary(run)
    assert f"stuck: order {still_open.id} (riverside) open since" in text


def test_a_gateway_failure_for_one_order_is_kept_and_the_rest_goes_on(
    league, parent, kids, plan, make, held_events, monkeypatch
):
    """Does a gateway failure on one order leave it as it was while the others are fixed?"""
    first = place(league, parent, kids[:1], plan, nonce="a")
    second = place(league, parent, kids[1:], make.plan(league, "Camp"), nonce="b")
    _pay_without_webhook(first)
    _pay_without_webhook(second)
    real = TestGateway.get_payment
    with league_scope(league.id):
        first_intent = get_gateway().get_session(first.session_id).payment_intent

    def flaky(self, intent_id):
        if intent_id == first_intent:
            raise GatewayUnavailable("Stripe is unavailable: timeout")
        return real(self, intent_id)

    monkeypatch.setattr(TestGateway, "get_payment", flaky)
    run = reconciliation.run_job()
    assert reload(first).status == OrderStatus.OPEN
    assert reload(second).status == OrderStatus.PAID
    assert run.fixed == 1 and run.error == ""
    (error,) = run.report["errors"]
    assert error["order_id"] == first.id and "unavailable" in error["error"]


def test_a_crash_rolls_back_and_is_still_recorded(
    league, parent, kids, plan, held_events, monkeypatch
):
    """Does a crash mid-run undo the half-done work and still record the run with its error?"""
    order = place(league, parent, kids, plan)
    _pay_without_webhook(order)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(fulfilment, "sync_order", broken)
    run = reconciliation.run_job()
    assert run.error == "RuntimeError: disk on fire" and run.finished_at is not None
    assert reload(order).status == OrderStatus.OPEN
    assert [r.error for r in _runs()] == ["RuntimeError: disk on fire"]


def test_the_worker_runs_it_every_half_hour(league, parent, kids, plan, held_events):
    """Is reconciliation on the worker's schedule twice an hour, and does the task run?"""
    task = tasks.reconcile_payments.task_class
    due = [
        minute
        for minute in range(60)
        if any(isinstance(t, task) for t in huey.read_periodic(datetime(2026, 1, 1, 9, minute)))
    ]
    assert len(due) == 2 and due[1] - due[0] == 30
    order = place(league, parent, kids, plan)
    _pay_without_webhook(order)
    result = tasks.reconcile_payments.call_local()
    assert result["fixed"] == 1 and reload(order).status == OrderStatus.PAID


def test_the_cli_prints_a_summary(app, league, parent, kids, plan, held_events):
    """Does `flask payments reconcile --hours 2` fix what was missed and print a summary?"""
    order = place(league, parent, kids, plan)
    _pay_without_webhook(order)
    result = app.test_cli_runner().invoke(args=["payments", "reconcile", "--hours", "2"])
    assert result.exit_code == 0, result.output
    assert "checked 1, fixed 1" in result.output
    assert f"fixed: order {order.id} (riverside): open -> paid" in result.output
    assert reload(order).status == OrderStatus.PAID
    again = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert again.exit_code == 0 and "checked 1, fixed 0" in again.output
    assert len(_runs()) == 2


def test_a_payment_older_than_the_window_is_not_asked_about(
    league, parent, kids, plan, held_events
):
    """Is a payment older than the look-back window left alone?"""
    order = place(league, parent, kids, plan)
    _pay_without_webhook(order)
    with unscoped():
        run = reconciliation.run(utcnow() + timedelta(minutes=1))
        db.session.commit()
    assert (run.checked, run.fixed) == (0, 0)
    assert reload(order).status == OrderStatus.OPEN


def test_the_league_page_shows_its_own_part_of_the_last_run(
    client, login, make, league, admin, parent, kids, plan, held_events
):
    """Do league admins see only their own league's waiting orders and fixes from the last run?"""
    fixed = place(league, parent, kids[:1], plan, nonce="a")
    _pay_without_webhook(fixed)
    waiting = place(league, parent, kids[1:], plan, nonce="b")
    set_created(waiting, utcnow() - timedelta(hours=3))
    other = make.league("bravo", name="Bravo")
    b_parent = make.user("b@example.com")
    b_order = place(
        other, b_parent, [make.ready_profile(other, b_parent, "Bea")], make.plan(other, "B")
    )
    set_created(b_order, utcnow() - timedelta(hours=3))
    reconciliation.run_job()
    login(admin)
    page = client.get("/l/riverside/payments/").get_data(as_text=True)
    callout = page.split('id="checks-title"', 1)[1].split("</section>", 1)[0]
    assert f"Order {waiting.id}</a>" in callout
    assert "The test checkout: checkout still open (not paid)" in callout
    assert f"order {fixed.id}</a> (now Paid)." in callout and "1 order up to date" in callout
    assert f"Order {b_order.id}<" not in callout and "Bea" not in page
    login(make.member(other, Role.ADMIN))
    bravo = client.get("/l/bravo/payments/").get_data(as_text=True)
    assert f"order {fixed.id}</a>" not in bravo and f"Order {b_order.id}</a>" in bravo


# -- with Stripe's API (the loopback fake) -------------------------------------------


def test_with_stripe_a_missed_payment_is_fulfilled_once(
    stripe, client, login, admin, league, parent, kids, plan
):
    """With Stripe's API, is a paid session whose event never came fulfilled exactly once?"""
    order = place(league, parent, kids, plan)
    stripe.complete(order.session_id)  # Stripe made the event; nobody delivered it
    first = reconciliation.run_job()
    second = reconciliation.run_job()
    assert reload(order).status == OrderStatus.PAID
    assert (first.fixed, second.fixed, first.report["gateway"]) == (1, 0, "stripe")
    assert [m.status for m in memberships_of(order)] == [MembershipStatus.ACTIVE] * 2
    listed = [
        params
        for method, path, params in stripe.requests
        if (method, path) == ("GET", "/v1/checkout/sessions")
    ]
    assert len(listed) == 2 and all(params["status"] == "complete" for params in listed)
    # The order's page links to the payment in Stripe's dashboard.
    login(admin)
    page = client.get(f"/l/riverside/payments/{order.id}").get_data(as_text=True)
    intent = reload(order).payment_intent_id
    assert f"https://dashboard.stripe.com/payments/{intent}" in page


def test_with_stripe_down_the_run_records_the_error(stripe, league, parent, kids, plan):
    """With Stripe down, is the run kept with its error and nothing changed?"""
    order = place(league, parent, kids, plan)
    set_created(order, utcnow() - timedelta(hours=2))
    stripe.down = True
    run = reconciliation.run_job()
    assert run.error.startswith("Could not list paid sessions: Stripe is unavailable")
    (stuck,) = run.report["stuck"]
    assert stuck["gateway_state"] == "not checked: the gateway did not answer"
    assert reload(order).status == OrderStatus.OPEN
    with unscoped():
        assert db.session.scalar(select(func.count(ReconciliationRun.id))) == 1
