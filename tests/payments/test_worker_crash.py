"""A worker killed in the middle of an event: the event is kept, claimed, and a new
worker pays the order once after `requeue_stale` hands it out again.

Everything here is real: the webhook stores a signed event and queues it on the
app's own queue (a SQLite file the processes share), a huey consumer process
claims it and asks Stripe (the loopback fake, tests/fakestripe.py) for the
session, the fake holds that request open, and the consumer is SIGKILLed while it
waits. The database is the test's own (SQLite file, or PostgreSQL with
TEST_DATABASE_URL), shared with the consumers through DATABASE_URL.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from portal.config import ROOT
from portal.core.db import utcnow
from portal.core.tenancy import unscoped
from portal.extensions import db, huey
from portal.memberships.models import Membership, MembershipStatus
from portal.payments import events
from portal.payments.models import EventStatus, OrderStatus, WebhookEvent
from tests.payments.conftest import place, post_event, reload
from tests.servers import kill, running

CONSUMER = [
    str(Path(sys.executable).parent / "huey_consumer"),
    "portal.worker.huey",
    "--workers",
    "1",
    "--worker-type",
    "thread",
    "--delay",
    "0.05",
    "--max-delay",
    "0.2",
    "--no-periodic",  # no reconciliation or requeue job of its own in the middle of the test
]
SESSION_PATH = r"/v1/checkout/sessions/cs_[^/]+"


@contextmanager
def queued_for_real():
    """The app's queue as in production for a block: tasks go to the queue file under
    INSTANCE_PATH (which the consumers read) instead of running inline."""
    huey.immediate = False
    try:
        huey.flush()
        yield
    finally:
        huey.immediate = True


def consumer_env(app, stripe_server) -> dict:
    """The worker's environment: the test's database, mail folder, queue and Stripe."""
    return {
        "APP_ENV": "test",
        "INSTANCE_PATH": os.environ["INSTANCE_PATH"],
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_URL": app.config["MAIL_URL"],
        "STORAGE_URL": app.config["STORAGE_URL"],
        "REDIS_URL": "",
        "BASE_URL": "",
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_API_BASE": stripe_server.url,
    }


def wait_until(check, what: str, process, timeout: float = 20) -> None:
    """Poll `check()` until true; fail with what the consumer printed otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if process.poll() is not None:
            raise AssertionError(f"the consumer died before {what}:\n{kill(process)}")
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {timeout}s; the consumer said:\n{kill(process)}")


def event_row(event_id: int) -> WebhookEvent:
    """The event as stored now; the read transaction is ended, so the test holds
    nothing the workers could wait for."""
    db.session.expire_all()
    with unscoped():
        event = db.session.get(WebhookEvent, event_id)
    db.session.rollback()
    return event


def active_memberships() -> int:
    with unscoped():
        count = db.session.query(Membership).filter_by(status=MembershipStatus.ACTIVE).count()
    db.session.rollback()
    return count


def receipts(outbox) -> int:
    return sum("Payment received" in m["Subject"] for m in outbox())


def test_a_worker_killed_mid_event_leaves_it_claimed_and_a_new_one_pays_once(
    app, stripe, stripe_server, client, league, parent, kids, plan, outbox
):
    order = place(league, parent, kids, plan)
    paid = stripe.complete(order.session_id)
    env = consumer_env(app, stripe_server)
    stripe.stall(SESSION_PATH)  # the worker's question about the session goes unanswered
    try:
        with queued_for_real():
            assert post_event(client, paid).status_code == 200
            (event_id,) = [e.id for e in db.session.query(WebhookEvent)]
            db.session.rollback()
            with running(CONSUMER, env=env, cwd=str(ROOT)) as first:
                if not stripe.stalled.wait(20):
                    raise AssertionError(
                        f"the consumer never asked Stripe for the session:\n{kill(first)}"
                    )
                kill(first)  # SIGKILL while it holds the claimed event
            stripe.unstall()

            event = event_row(event_id)
            assert (event.status, event.attempts) == (EventStatus.PROCESSING, 1)
            assert event.locked_at is not None and event.processed_at is None
            assert reload(order).status == OrderStatus.OPEN
            assert active_memberships() == 0 and receipts(outbox) == 0

            # A minute later the periodic job would find it; here, five minutes on at once.
            with unscoped():
                later = utcnow() + events.STALE_AFTER + timedelta(seconds=1)
                assert events.requeue_stale(now=later) == 1
            assert event_row(event_id).status == EventStatus.PENDING

            with running(CONSUMER, env=env, cwd=str(ROOT)) as second:
                wait_until(
                    lambda: event_row(event_id).status == EventStatus.PROCESSED,
                    "processed event",
                    second,
                )
                wait_until(lambda: receipts(outbox) >= 1, "receipt mailed", second)
                time.sleep(0.3)  # room for a second receipt, were one queued
    finally:
        stripe.unstall()

    event = event_row(event_id)
    assert (event.status, event.attempts, event.outcome) == (EventStatus.PROCESSED, 2, "paid")
    assert (event.order_id, event.last_error) == (order.id, "")
    assert reload(order).status == OrderStatus.PAID
    db.session.rollback()
    assert active_memberships() == len(kids)
    assert receipts(outbox) == 1
    gets = [path for method, path, _ in stripe.requests if method == "GET" and "sessions/" in path]
    assert len(gets) == 2  # one asked by the killed worker, one by the new one
