"""SQLite's "database is locked" is a temporary failure: the event is kept and retried
with backoff, then processed once.

Another connection holds the write lock (BEGIN IMMEDIATE), as a long transaction of
another process would, and the worker's connections wait 0.3 s for it instead of
15 s. Everything else is real: the signed webhook, the worker task (run inline, as
the tests run tasks), the StripeGateway against the loopback fake, huey's retry.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url

from portal.core.db import utcnow
from portal.core.tenancy import unscoped
from portal.extensions import db, huey
from portal.memberships.models import Membership, MembershipStatus
from portal.payments import events
from portal.payments.models import EventStatus, OrderStatus, WebhookEvent
from tests.payments.conftest import place, post_event, reload

pytestmark = pytest.mark.skipif(
    "os.environ.get('TEST_DATABASE_URL')",
    reason="SQLite's database-wide write lock; PostgreSQL locks rows and has no busy timeout",
)
BUSY_MS = 300
LOCKED = "database is locked"


class WriteLock:
    """BEGIN IMMEDIATE on a connection of our own: SQLite's one write lock, held until
    `release()`; the worker may read (WAL) but not write meanwhile."""

    def __init__(self, path: str):
        self.path = path
        self.connection: sqlite3.Connection | None = None
        self.taken = False  # ever taken
        self.errors: list[str] = []  # every database error the app's connections met
        self.guard = threading.Lock()

    def take(self) -> None:
        with self.guard:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            connection.execute("BEGIN IMMEDIATE")
            self.connection, self.taken = connection, True

    def release(self) -> None:
        with self.guard:
            if self.connection is not None:
                self.connection.rollback()
                self.connection.close()
                self.connection = None


@pytest.fixture
def write_lock(app):
    """The lock, and the app's connections waiting only BUSY_MS for it; afterwards the
    pool is emptied, so later tests get connections with the usual 15 s."""
    lock = WriteLock(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)

    def short_wait(dbapi_connection, record, proxy):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_MS}")

    def seen(context):
        lock.errors.append(str(context.original_exception))

    sa_event.listen(db.engine, "checkout", short_wait)
    sa_event.listen(db.engine, "handle_error", seen)
    try:
        yield lock
    finally:
        lock.release()
        sa_event.remove(db.engine, "checkout", short_wait)
        sa_event.remove(db.engine, "handle_error", seen)
        db.session.remove()
        db.engine.dispose()


def stored(event_id: int) -> WebhookEvent:
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


def scheduled_retries(event_id: int) -> list:
    return [
        task
        for task in huey.scheduled()
        if task.name.endswith("process_event") and tuple(task.args) == (event_id,)
    ]


def test_a_locked_database_mid_event_is_retried_with_backoff(
    stripe, write_lock, client, league, parent, kids, plan, outbox
):
    """The lock is taken once the worker holds the event (as it asks Stripe for the
    session) and let go as soon as the worker's first write fails on it: the work is
    rolled back, the failure is recorded as temporary with a 10 s backoff, huey
    schedules the retry, and the retry pays the order once."""
    order = place(league, parent, kids, plan)
    paid = stripe.complete(order.session_id)

    def lock_on_first_session_read(method, path):
        if method == "GET" and "/checkout/sessions/" in path and not write_lock.taken:
            write_lock.take()

    def release_on_locked(context):
        if LOCKED in str(context.original_exception):
            write_lock.release()

    stripe.before = lock_on_first_session_read
    sa_event.listen(db.engine, "handle_error", release_on_locked)
    huey.flush()
    try:
        started = utcnow()
        assert post_event(client, paid).status_code == 200
        finished = utcnow()
    finally:
        sa_event.remove(db.engine, "handle_error", release_on_locked)
        stripe.before = None
    assert write_lock.taken and any(LOCKED in error for error in write_lock.errors)

    (event_id,) = [e.id for e in db.session.query(WebhookEvent)]
    event = stored(event_id)
    assert (event.status, event.attempts) == (EventStatus.PENDING, 1)
    assert event.last_error.startswith("OperationalError") and LOCKED in event.last_error
    delay = timedelta(seconds=events.backoff(1))
    assert started + delay <= event.next_attempt_at <= finished + delay
    assert event.locked_at is None and event.order_id == order.id  # linked for the admin
    assert reload(order).status == OrderStatus.OPEN
    assert active_memberships() == 0 and receipts(outbox) == 0

    (retry,) = scheduled_retries(event_id)  # huey's own retry, due after the backoff
    assert (retry.eta - started.replace(tzinfo=None)) >= delay - timedelta(seconds=1)
    # The consumer's scheduler, once the backoff is over: off the schedule, and run.
    assert [task.id for task in huey.read_schedule(retry.eta)] == [retry.id]
    huey.execute(retry, timestamp=retry.eta)

    event = stored(event_id)
    assert (event.status, event.attempts, event.outcome) == (EventStatus.PROCESSED, 2, "paid")
    assert event.last_error == ""
    assert reload(order).status == OrderStatus.PAID
    db.session.rollback()
    assert active_memberships() == len(kids)
    assert receipts(outbox) == 1
    assert scheduled_retries(event_id) == []


def test_a_database_locked_at_the_claim_is_retried_with_backoff(
    write_lock, client, league, parent, kids, plan, held_events, outbox
):
    """The lock is already held when the worker takes the event: nothing can be written,
    so the task itself must come back after the backoff, the event untouched."""
    from portal.core.tenancy import league_scope
    from portal.payments.gateway import get_gateway

    order = place(league, parent, kids, plan)
    with league_scope(league.id):
        get_gateway().complete(order.session_id, "paid")
        db.session.commit()
    huey.immediate = False  # stored and queued, not run: the worker comes later
    try:
        huey.flush()
        assert post_event(client, held_events[-1]).status_code == 200
        huey.flush()
    finally:
        huey.immediate = True
    (event_id,) = [e.id for e in db.session.query(WebhookEvent)]
    db.session.rollback()

    write_lock.take()
    try:
        delay = events.process(event_id)
    finally:
        write_lock.release()
    assert delay == events.backoff(1)
    event = stored(event_id)
    assert (event.status, event.attempts) == (EventStatus.PENDING, 0)

    assert events.process(event_id) is None  # the retry, with the lock gone
    assert stored(event_id).status == EventStatus.PROCESSED
    assert reload(order).status == OrderStatus.PAID
    assert receipts(outbox) == 1


def test_a_lock_outlasting_the_failed_event_still_brings_a_retry(
    stripe, write_lock, client, league, parent, kids, plan, outbox
):
    """The lock is held through the worker's work and the recording of its failure, and
    let go only once the worker has given up: the retries huey has on its schedule (run
    when due, as the consumer would) must still pay the order, without waiting five
    minutes for `requeue_stale`."""
    order = place(league, parent, kids, plan)
    paid = stripe.complete(order.session_id)

    def lock_on_first_session_read(method, path):
        if method == "GET" and "/checkout/sessions/" in path and not write_lock.taken:
            write_lock.take()

    stripe.before = lock_on_first_session_read
    huey.flush()
    try:
        assert post_event(client, paid).status_code == 200
    finally:
        stripe.before = None
        write_lock.release()
    assert any(LOCKED in error for error in write_lock.errors)
    (event_id,) = [e.id for e in db.session.query(WebhookEvent)]
    db.session.rollback()

    for _ in range(events.MAX_ATTEMPTS):
        due = scheduled_retries(event_id)
        if not due:
            break
        for task in huey.read_schedule(max(task.eta for task in due)):
            huey.execute(task, timestamp=task.eta)
    event = stored(event_id)
    assert (event.status, event.outcome) == (EventStatus.PROCESSED, "paid"), (
        f"left {event.status.value}, attempts {event.attempts}, error {event.last_error!r}"
    )
    assert reload(order).status == OrderStatus.PAID
    assert receipts(outbox) == 1
