"""The platform admin's payments pages: webhook events that failed (with a retry that
processes them), recent events with filters, and reconciliation runs with "Run now"."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.core.db import utcnow
from portal.core.tenancy import league_scope, unscoped
from portal.extensions import db
from portal.payments import events, fulfilment, testmode
from portal.payments.gateway import get_gateway
from portal.payments.models import EventStatus, OrderStatus, ReconciliationRun, WebhookEvent
from tests.payments.conftest import place, post_event, reload, stored_events
from tests.payments.helpers import memberships_of

PAGES = (
    "/admin/payments/",
    "/admin/payments/events",
    "/admin/payments/events?status=failed&type=checkout.session.completed&q=1&page=2",
    "/admin/payments/runs",
)


@pytest.fixture
def platform(make):
    return make.user("root@example.com", name="Root", platform_admin=True)


@pytest.fixture
def failed_event(client, league, parent, kids, plan, held_events, monkeypatch):
    """A paid checkout whose event failed for good while being processed (a bug, say):
    the event is kept FAILED with its error, and the order is still open."""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("the fulfilment code has a bug")

    with monkeypatch.context() as patch:
        patch.setattr(fulfilment, "sync_order", broken)
        assert post_event(client, held_events[0]).status_code == 200
    (event,) = stored_events()
    assert event.status == EventStatus.FAILED and reload(order).status == OrderStatus.OPEN
    return event, order


def test_a_failed_event_is_listed_with_its_error(client, login, platform, failed_event):
    """Is a failed event listed with its type, attempts, error and a retry button?"""
    event, _ = failed_event
    login(platform)
    page = client.get("/admin/payments/").get_data(as_text=True)
    listed = page.split('id="attention-title"', 1)[1].split("</section>", 1)[0]
    assert "checkout.session.completed" in listed and "1 attempt" in listed
    assert "RuntimeError: the fulfilment code has a bug" in listed
    assert f'action="/admin/payments/events/{event.id}/retry"' in listed
    failed = client.get("/admin/payments/events?status=failed").get_data(as_text=True)
    assert "pay-event-failed" in failed and "1 event." in failed
    detail = client.get(f"/admin/payments/events/{event.id}").get_data(as_text=True)
    assert event.event_id in detail and "&#34;checkout.session&#34;" in detail
    assert "Last error:" in detail


def test_a_failed_event_is_linked_to_its_order(client, login, platform, failed_event):
    """Does a failed event name its league's order (found by the checkout session we
    stored), on the overview, the list and the event's page, instead of "no order of
    ours"; and does the league's order page show it in words?"""
    event, order = failed_event
    assert (event.order_id, event.league_id) == (order.id, order.league_id)
    login(platform)
    link = f'href="/l/riverside/payments/{order.id}">riverside · order {order.id}</a>'
    for path in (
        "/admin/payments/",
        "/admin/payments/events",
        f"/admin/payments/events/{event.id}",
    ):
        page = client.get(path).get_data(as_text=True)
        assert link in page and "no order of ours" not in page, path


def test_a_failed_charge_event_is_linked_by_its_payment(
    client, league, parent, kids, plan, held_events, monkeypatch
):
    """Is a charge event that fails linked through the payment id we stored; and an event
    for a checkout we never made left without an order?"""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    post_event(client, held_events.pop(0))
    intent = reload(order).payment_intent_id
    refunded = testmode.event_object("charge.refunded", {"id": "ch_1", "payment_intent": intent})
    stranger = testmode.event_object("checkout.session.completed", {"id": "cs_test_unknown"})

    def broken(*args, **kwargs):
        raise RuntimeError("the fulfilment code has a bug")

    with monkeypatch.context() as patch:
        patch.setattr(fulfilment, "sync_refunds", broken)
        patch.setattr(fulfilment, "sync_order", broken)
        assert post_event(client, refunded).status_code == 200
    with monkeypatch.context() as patch:
        patch.setattr(events, "_order_for_session", broken)  # the lookup fails too
        patch.setattr(events, "handle", broken)
        assert post_event(client, stranger).status_code == 200
    by_type = {(row.type, row.status): row for row in stored_events()}
    failed = by_type["charge.refunded", EventStatus.FAILED]
    assert (failed.order_id, failed.league_id) == (order.id, league.id)
    unknown = by_type["checkout.session.completed", EventStatus.FAILED]
    assert (unknown.order_id, unknown.league_id) == (None, None)
    assert unknown.last_error == "RuntimeError: the fulfilment code has a bug"


def test_retry_processes_a_failed_event(client, login, platform, failed_event, outbox):
    """Does "Retry" process a failed event once, paying the order and clearing the list?"""
    event, order = failed_event
    login(platform)
    response = client.post(f"/admin/payments/events/{event.id}/retry", data={"back": "index"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/payments/"
    (retried,) = stored_events()
    assert (retried.status, retried.outcome, retried.last_error) == (
        EventStatus.PROCESSED,
        "paid",
        "",
    )
    assert reload(order).status == OrderStatus.PAID
    assert {m.status.value for m in memberships_of(order)} == {"active"}
    page = client.get("/admin/payments/").get_data(as_text=True)
    assert "was queued again" in page and "Nothing failed" in page
    # A second click finds nothing to retry.
    again = client.post(f"/admin/payments/events/{event.id}/retry")
    assert again.status_code == 303
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Only a failed event, or one waiting for over 5 minutes, can be retried" in page
    assert sum("Payment received" in m["Subject"] for m in outbox()) == 1


def test_an_event_waiting_too_long_is_listed(client, login, platform):
    """Is a pending event nobody processed for 20 minutes listed, and a fresh one not?"""
    with unscoped():
        for name, age in (("old", 20), ("new", 1)):
            db.session.add(
                WebhookEvent(
                    event_id=f"evt_{name}",
                    type="checkout.session.completed",
                    payload="{}",
                    received_at=utcnow() - timedelta(minutes=age),
                )
            )
        db.session.commit()
    login(platform)
    page = client.get("/admin/payments/").get_data(as_text=True)
    listed = page.split('id="attention-title"', 1)[1].split("</section>", 1)[0]
    assert listed.count("pay-event-pending") == 1 and listed.count(">Retry<") == 1
    waiting = client.get("/admin/payments/events?status=attention").get_data(as_text=True)
    assert "1 event." in waiting


def _stored_pending(payload: str, minutes_ago: int) -> WebhookEvent:
    """An event stored but never queued (its queue entry lost), received a while ago."""
    with unscoped():
        row = WebhookEvent(
            event_id=json.loads(payload)["id"],
            type=json.loads(payload)["type"],
            payload=payload,
            received_at=utcnow() - timedelta(minutes=minutes_ago),
        )
        db.session.add(row)
        db.session.commit()
        return row


def test_retry_processes_an_event_stuck_pending(
    client, login, platform, league, parent, kids, plan, held_events
):
    """Can an event pending for longer than STALE_AFTER be retried (and a fresh one not)?"""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    stale = events.STALE_AFTER.total_seconds() // 60
    fresh = _stored_pending(json.dumps(testmode.event_object("checkout.session.expired", {})), 1)
    stuck = _stored_pending(held_events[0], int(stale) + 1)
    login(platform)
    page = client.get(f"/admin/payments/events/{fresh.id}").get_data(as_text=True)
    assert ">Retry<" not in page
    refused = client.post(f"/admin/payments/events/{fresh.id}/retry")
    assert "can be retried; this one is neither" in client.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    page = client.get(f"/admin/payments/events/{stuck.id}").get_data(as_text=True)
    assert f'action="/admin/payments/events/{stuck.id}/retry"' in page
    client.post(f"/admin/payments/events/{stuck.id}/retry")
    by_id = {row.id: row for row in stored_events()}
    assert by_id[stuck.id].status == EventStatus.PROCESSED and by_id[stuck.id].outcome == "paid"
    assert by_id[fresh.id].status == EventStatus.PENDING and by_id[fresh.id].attempts == 0
    assert reload(order).status == OrderStatus.PAID
    assert [m.status.value for m in memberships_of(order)] == ["active", "active"]


def test_events_can_be_filtered(client, login, platform, failed_event):
    """Do status, type and an order or event id narrow the events, htmx getting the results?"""
    event, order = failed_event
    with unscoped():
        db.session.execute(
            update(WebhookEvent).where(WebhookEvent.id == event.id).values(order_id=order.id)
        )
        db.session.commit()
    login(platform)

    def count(query: str) -> str:
        body = client.get(f"/admin/payments/events?{query}").get_data(as_text=True)
        return body.split('id="events-results"', 1)[1].split("</p>", 1)[0]

    assert "1 event." in count("type=checkout.session.completed")
    assert "0 events." in count("type=charge.refunded")
    assert "1 event." in count(f"q={order.id}")
    assert "0 events." in count(f"q={order.id + 1000}")
    assert "0 events." in count("q=0") and "0 events." in count(f"q={'9' * 20}")  # no such id
    assert "1 event." in count(f"q={event.event_id}")
    fragment = client.get("/admin/payments/events?status=failed", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).startswith('<div id="events-results">')


def test_run_now_records_a_run_and_shows_it(
    client, login, platform, league, parent, kids, plan, held_events
):
    """Does "Run now" reconcile, record a run and open its report?"""
    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    login(platform)
    response = client.post("/admin/payments/runs")
    assert response.status_code == 303 and response.headers["Location"].startswith(
        "/admin/payments/runs/"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Checked 1, fixed 1." in page
    assert f"riverside · order {order.id}</a>: Not paid yet → Paid" in page
    assert "(Payment received: the order is paid and its memberships are active.)" in page
    assert reload(order).status == OrderStatus.PAID
    runs = client.get("/admin/payments/runs").get_data(as_text=True)
    assert "checked 1 · fixed 1" in runs


@pytest.mark.parametrize("who", ["anonymous", "league_admin", "player"])
def test_only_the_platform_admin(client, login, who, admin, parent, failed_event):
    """Are the pages not found for anyone but the platform admin, their posts changing nothing?"""
    event, _ = failed_event
    if who != "anonymous":
        login(admin if who == "league_admin" else parent)
    expected = 302 if who == "anonymous" else 404
    for path in (*PAGES, f"/admin/payments/events/{event.id}", "/admin/payments/runs/1"):
        assert client.get(path).status_code == expected, path
    assert client.post(f"/admin/payments/events/{event.id}/retry").status_code == expected
    assert client.post("/admin/payments/runs").status_code == expected
    (unchanged,) = stored_events()
    assert unchanged.status == EventStatus.FAILED
    assert db.session.scalar(select(func.count(ReconciliationRun.id))) == 0


def test_every_page_answers_the_platform_admin(client, login, platform):
    """Does every platform payments page answer the platform admin, and a missing id 404?"""
    login(platform)
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/payments/events/99999999999").status_code == 404
    assert client.get("/admin/payments/runs/5").status_code == 404


def test_the_platform_page_links_to_payments(client, login, platform):
    """Does the platform admin's home link to the payments page across leagues?"""
    login(platform)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/payments/"' in page


def test_runs_are_paged(client, login, platform, monkeypatch):
    """Are the runs shown a page at a time, newest first, a page past the end (or not a
    number) showing the last (or the first), with plain links between pages?"""
    from portal.payments import platform_views

    monkeypatch.setattr(platform_views, "PER_PAGE", 2)
    with unscoped():
        db.session.add_all(ReconciliationRun(checked=n, fixed=0) for n in range(5))
        db.session.commit()
        ids = db.session.scalars(select(ReconciliationRun.id).order_by(ReconciliationRun.id))
        ids = list(ids)
    login(platform)

    def shown(query: str) -> tuple[list[int], str]:
        body = client.get(f"/admin/payments/runs{query}").get_data(as_text=True)
        runs = [i for i in reversed(ids) if f'href="/admin/payments/runs/{i}"' in body]
        return runs, body

    first, body = shown("")
    assert first == ids[:2:-1] and "Page 1 of 3" in body
    assert 'href="/admin/payments/runs?page=2"' in body and "hx-get" not in body
    assert shown("?page=2")[0] == ids[2:0:-1]
    last, body = shown("?page=99")
    assert last == ids[:1] and "Page 3 of 3" in body and "No run yet" not in body
    assert shown("?page=x")[0] == first
