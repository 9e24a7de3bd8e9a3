"""Stripe events: take them in fast, process each exactly once, in the worker.

Intake (`intake.receive`) verifies the signature with the official library,
stores the raw event under its id (a second delivery of the same id is
acknowledged and dropped) and queues it. Processing (`process`) claims the event with a
conditional update, finds our order through our own stored references, asks
the gateway for the current truth, and brings the order in line. A
temporary failure is retried with backoff; an event that keeps failing is
kept with its error for the platform admin, who can retry it. A worker that
dies mid-event leaves it claimed; `requeue_stale` hands it out again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import OperationalError

from portal.core.db import conditional_update, new_params, utcnow
from portal.core.paging import positive_id
from portal.core.tenancy import league_scope, unscoped
from portal.core.transactions import after_commit
from portal.extensions import db
from portal.payments import fulfilment
from portal.payments.gateway import GatewayError, GatewayUnavailable, get_gateway
from portal.payments.models import EventStatus, Order, WebhookEvent

log = logging.getLogger(__name__)

SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}
CHARGE_EVENTS = {"charge.refunded", "charge.dispute.created", "charge.dispute.closed"}
MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=5)


def enqueue(event_id: int) -> None:
    from portal.payments.tasks import process_event

    process_event(event_id)


def backoff(attempt: int) -> int:
    """Seconds before attempt `attempt + 1`: 10 s, 20 s, 40 s ... capped at 30 minutes."""
    return min(10 * 2 ** max(attempt - 1, 0), 1800)


@dataclass(frozen=True)
class Claimed:
    """A claimed event: what processing reads of it, as the claim's UPDATE returned it."""

    id: int
    type: str
    payload: str
    attempts: int
    locked_at: datetime  # this claim's own mark: see EventHeld


class EventHeld(Exception):
    """The event stays claimed by this worker: its failure could not even be recorded
    (the database still locked). The task comes back after `delay` and takes the event
    again by its claim's mark (`reclaim`), without waiting for `requeue_stale`."""

    def __init__(self, delay: int, reclaim: datetime):
        super().__init__(f"event held; back in {delay} s")
        self.delay, self.reclaim = delay, reclaim


def claim(event_id: int, reclaim: datetime | None = None) -> Claimed | None:
    """Take the event for processing, unless another worker has it or it is done.

    The conditional UPDATE returns the event's type and payload (RETURNING), so no
    SELECT follows it; it commits at once, so other workers see the claim while this
    one asks the gateway. `reclaim`: the mark of an earlier claim of this task's whose
    failure could not be recorded (see EventHeld); the event is taken again from it."""
    now = utcnow()
    statement = _claim_statement() if reclaim is None else _reclaim_statement()
    claimed = db.session.execute(
        statement, {"claimed_id": event_id, "now": now, "mark": reclaim}
    ).first()
    db.session.commit()
    if claimed is None:
        return None
    return Claimed(event_id, claimed.type, claimed.payload, claimed.attempts, now)


CLAIMED = {
    "status": EventStatus.PROCESSING,
    "locked_at": bindparam("now"),
    "attempts": WebhookEvent.attempts + 1,
}


@cache
def _claim_statement():
    """Built once: making and keying this statement cost the worker more CPU than
    running it."""
    return conditional_update(
        WebhookEvent,
        "claimed_id",
        states=(EventStatus.PENDING, EventStatus.FAILED),
        values=CLAIMED,
        returning=(WebhookEvent.type, WebhookEvent.payload, WebhookEvent.attempts),
    )


@cache
def _reclaim_statement():
    """The claim, also from this task's own earlier claim (still PROCESSING, its mark
    unchanged: nobody else has handed it out since)."""
    table = WebhookEvent
    return (
        update(table)
        .where(
            table.id == bindparam("claimed_id"),
            table.status.in_((EventStatus.PENDING, EventStatus.FAILED))
            | ((table.status == EventStatus.PROCESSING) & (table.locked_at == bindparam("mark"))),
        )
        .values(CLAIMED)
        .returning(table.type, table.payload, table.attempts)
        .execution_options(synchronize_session=False)
    )


def process(event_id: int, reclaim: datetime | None = None) -> int | None:
    """Process one stored event; returns seconds to wait before a retry, or None.
    Raises EventHeld when even its failure could not be written (see there)."""
    with unscoped():
        try:
            event = claim(event_id, reclaim)
        except OperationalError:  # the database is locked: come back, the event untouched
            db.session.rollback()
            attempts = db.session.scalar(
                select(WebhookEvent.attempts).where(WebhookEvent.id == event_id)
            )
            db.session.rollback()
            return backoff((attempts or 0) + 1)
        if event is None:
            return None
        try:
            outcome, order = handle(event)
        except (GatewayUnavailable, OperationalError) as error:
            db.session.rollback()
            return _record_failure(event, error, temporary=True)
        except Exception as error:  # recorded for the platform admin, with a retry button
            db.session.rollback()
            log.exception("webhook event %s failed", event_id)
            _record_failure(event, error, temporary=False)
            return None
        _done(event_id, outcome, order)
        db.session.commit()
        return None


def _record_failure(event: Claimed, error: Exception, *, temporary: bool) -> int | None:
    """`_failed`, or, when the database will not take even that, EventHeld."""
    try:
        return _failed(event.id, error, temporary=temporary)
    except OperationalError:
        db.session.rollback()
        log.warning("webhook event %s: its failure could not be recorded", event.id)
        raise EventHeld(backoff(event.attempts), event.locked_at) from error


def _done(event_id: int, outcome: str, order: Order | None) -> None:
    """Record the outcome, with the event's order and league, in one UPDATE once the
    work is done, committed with it. Written earlier, the change would be flushed by the
    first read of the work, taking SQLite's write lock (which webhook intake waits for)
    for the whole of it rather than from its first write."""
    status = EventStatus.IGNORED if outcome.startswith("ignored") else EventStatus.PROCESSED
    values = {"status": status, "outcome": outcome}
    if order is not None:
        values.update(order_id=order.id, league_id=order.league_id)
    db.session.execute(
        _done_statement(tuple(values)), {"done_id": event_id, "now": utcnow(), **new_params(values)}
    )


@cache
def _done_statement(names: tuple[str, ...]):
    """Built once per set of columns (with the order and league, or without): see
    `_claim_statement`. No condition on the status: this worker holds the claim."""
    return conditional_update(
        WebhookEvent,
        "done_id",
        names=names,
        values={"processed_at": bindparam("now"), "last_error": ""},
    )


def _failed(event_id: int, error: Exception, *, temporary: bool) -> int | None:
    """Keep the error and schedule a retry, or fail the event for good. The event is
    linked to its order here too, found by the session or payment id we stored (no
    gateway call: the gateway may be what failed), so the platform admin sees which
    league's order is stuck rather than "no order of ours"."""
    event = db.session.get(WebhookEvent, event_id)
    if event.order_id is None:
        try:
            data = json.loads(event.payload)["data"]["object"]
            if event.type in SESSION_EVENTS:
                order = _order_for_session(data.get("id"))
            elif event.type in CHARGE_EVENTS and data.get("payment_intent"):
                intent = str(data["payment_intent"])
                order = db.session.scalars(
                    select(Order).where(Order.payment_intent_id == intent)
                ).first()
            else:
                order = None
        except Exception:  # the link is a help; the failure must be kept whatever happens
            log.warning("webhook event %s: its order could not be found", event_id, exc_info=True)
            db.session.rollback()
            event, order = db.session.get(WebhookEvent, event_id), None
        if order is not None:
            event.order_id, event.league_id = order.id, order.league_id
    event.last_error = f"{type(error).__name__}: {error}"[:2000]
    retry = temporary and event.attempts < MAX_ATTEMPTS
    event.status = EventStatus.PENDING if retry else EventStatus.FAILED
    event.locked_at = None
    delay = backoff(event.attempts) if retry else None
    event.next_attempt_at = utcnow() + timedelta(seconds=delay) if delay else None
    db.session.commit()
    return delay


def handle(event: Claimed) -> tuple[str, Order | None]:
    """What this event means for us, decided from the gateway's current records; returns
    the outcome and the order it concerned (None: none of ours)."""
    data = json.loads(event.payload)["data"]["object"]
    if event.type in SESSION_EVENTS:
        order = _order_for_session(data.get("id"))
        if order is None:
            return "ignored: no order of ours has this checkout session", None
        with league_scope(order.league_id):
            failed = event.type == "checkout.session.async_payment_failed"
            outcome = fulfilment.sync_order(order, failed=failed)
        return outcome, order
    if event.type in CHARGE_EVENTS:
        dispute = None
        if event.type == "charge.dispute.closed":  # its outcome, from the gateway itself
            try:
                dispute = get_gateway().get_dispute(str(data.get("id") or ""))
            except GatewayError:
                return "ignored: the gateway does not know this dispute", None
        intent_id = dispute.payment_intent if dispute else data.get("payment_intent")
        order = _order_for_payment(intent_id) if intent_id else None
        if order is None:
            return "ignored: no order of ours has this payment", None
        with league_scope(order.league_id):
            if event.type == "charge.dispute.created":
                outcome = fulfilment.record_dispute(order)
            elif dispute is not None:
                outcome = fulfilment.close_dispute(order, dispute)
            else:
                outcome = fulfilment.sync_refunds(order, get_gateway().get_payment(intent_id))
        return outcome, order
    return f"ignored: {event.type} is not used", None


def _order_for_session(session_id: str | None) -> Order | None:
    if not session_id:
        return None
    return db.session.scalars(select(Order).where(Order.session_id == session_id)).first()


def _order_for_payment(intent_id: str) -> Order | None:
    """The order a payment belongs to: by the intent we stored, or, before we know it
    (a refund event can come first), by the order id in the payment's metadata,
    confirmed by that order's own checkout session."""
    order = db.session.scalars(select(Order).where(Order.payment_intent_id == intent_id)).first()
    if order is not None:
        return order
    try:
        payment = get_gateway().get_payment(intent_id)
    except GatewayError:
        return None
    order_id = positive_id(payment.metadata.get("order_id"))
    order = db.session.get(Order, order_id) if order_id else None
    if order is None or not order.session_id:
        return None
    with league_scope(order.league_id):
        session = get_gateway().get_session(order.session_id)
    return order if session.payment_intent == intent_id else None


def requeue_stale(now=None) -> int:
    """Hand out again events a dead worker left claimed, and pending ones nobody took
    (a minute after they were due, so a retry waiting for its backoff is left alone)."""
    now = now or utcnow()
    grace = now - timedelta(minutes=1)
    stale = db.session.scalars(
        select(WebhookEvent.id).where(
            or_(
                (WebhookEvent.status == EventStatus.PROCESSING)
                & (WebhookEvent.locked_at < now - STALE_AFTER),
                (WebhookEvent.status == EventStatus.PENDING)
                & or_(
                    WebhookEvent.next_attempt_at.is_(None) & (WebhookEvent.received_at < grace),
                    WebhookEvent.next_attempt_at < grace,
                ),
            )
        )
    ).all()
    if stale:
        db.session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id.in_(stale), WebhookEvent.status == EventStatus.PROCESSING)
            .values(status=EventStatus.PENDING, locked_at=None)
        )
        db.session.commit()
    for event_id in stale:
        enqueue(event_id)
    return len(stale)


def retryable(event: WebhookEvent, now=None) -> bool:
    """Failed for good, or still pending longer than `STALE_AFTER` after it arrived (its
    queue entry lost, or a retry waiting out a long backoff): the platform admin may
    queue it now. Claiming is conditional, so a copy still queued runs it only once."""
    if event.status == EventStatus.FAILED:
        return True
    return event.status == EventStatus.PENDING and event.received_at < (
        (now or utcnow()) - STALE_AFTER
    )


def retry(event_id: int) -> bool:
    """The platform admin's retry button: queue a failed or stuck event once more."""
    event = db.session.get(WebhookEvent, event_id)
    if event is None or not retryable(event):
        return False
    event.attempts = 0
    event.next_attempt_at = None
    db.session.flush()
    after_commit(lambda: enqueue(event_id))
    return True
