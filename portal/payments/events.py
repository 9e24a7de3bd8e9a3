"""Stripe events: take them in fast, process each exactly once, in the worker.

Intake (`receive`) verifies the signature with the official library, stores
the raw event under its id (a second delivery of the same id is acknowledged
and dropped) and queues it. Processing (`process`) claims the event with a
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
from datetime import timedelta
from functools import cache

import stripe
from flask import current_app
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
INTAKE_COLUMNS = ("event_id", "type", "payload", "received_at", "status")
STALE_AFTER = timedelta(minutes=5)


class BadEvent(ValueError):
    """The request is not a genuine, fresh Stripe event."""


def receive(payload: bytes, signature: str | None) -> bool:
    """Verify and store an event; True if it is new (False: a repeat). Raises BadEvent.

    The signature (and its age) is checked with Stripe's library; the body is then read
    as plain JSON, since intake needs only the event's id and type (building Stripe's
    objects cost more than the rest of the request). One INSERT that skips an id
    already stored: a repeat costs no failed statement and no rollback. The INSERT is
    the request's only write and commits on its own (AUTOCOMMIT), which spares the
    BEGIN and COMMIT round trips, a third of the request on PostgreSQL: the event is
    stored before we answer, and queued when the view commits (if the request fails
    before that, `requeue_stale` queues it a minute later).
    """
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            signature,
            current_app.config["STRIPE_WEBHOOK_SECRET"],
            stripe.Webhook.DEFAULT_TOLERANCE,
        )
        event = json.loads(payload)
        event_id, event_type = str(event["id"]), str(event["type"])
    except (ValueError, KeyError, TypeError, stripe.SignatureVerificationError) as error:
        raise BadEvent(str(error)) from None
    connection = db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    row_id = connection.scalar(
        _insert_new(),
        {
            "event_id": event_id[:255],
            "type": event_type[:100],
            "payload": payload.decode(),
            "received_at": utcnow(),
            "status": EventStatus.PENDING,
        },
    )
    if row_id is None:
        return False
    after_commit(lambda: _enqueue(row_id))
    return True


@cache
def _insert_for(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = WebhookEvent.__table__  # a Core INSERT: the ORM's bulk-insert path costs more
    return (
        insert(table)
        .values({name: bindparam(name) for name in INTAKE_COLUMNS})
        .on_conflict_do_nothing(index_elements=[table.c.event_id])
        .returning(table.c.id)
    )


def _insert_new():
    """INSERT ... ON CONFLICT (event_id) DO NOTHING RETURNING id, built once per dialect.

    `webhook_events` is not tenant-owned, so a Core statement is allowed here."""
    return _insert_for(db.engine.dialect.name)


def _enqueue(event_id: int) -> None:
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


def claim(event_id: int) -> Claimed | None:
    """Take the event for processing, unless another worker has it or it is done.

    The conditional UPDATE returns the event's type and payload (RETURNING), so no
    SELECT follows it; it commits at once, so other workers see the claim while this
    one asks the gateway."""
    claimed = db.session.execute(
        _claim_statement(), {"claimed_id": event_id, "now": utcnow()}
    ).first()
    db.session.commit()
    return Claimed(event_id, claimed.type, claimed.payload) if claimed is not None else None


@cache
def _claim_statement():
    """Built once: making and keying this statement cost the worker more CPU than
    running it."""
    return conditional_update(
        WebhookEvent,
        "claimed_id",
        states=(EventStatus.PENDING, EventStatus.FAILED),
        values={
            "status": EventStatus.PROCESSING,
            "locked_at": bindparam("now"),
            "attempts": WebhookEvent.attempts + 1,
        },
        returning=(WebhookEvent.type, WebhookEvent.payload),
    )


def process(event_id: int) -> int | None:
    """Process one stored event; returns seconds to wait before a retry, or None."""
    with unscoped():
        event = claim(event_id)
        if event is None:
            return None
        try:
            outcome, order = handle(event)
        except (GatewayUnavailable, OperationalError) as error:
            db.session.rollback()
            return _failed(event_id, error, temporary=True)
        except Exception as error:  # recorded for the platform admin, with a retry button
            db.session.rollback()
            log.exception("webhook event %s failed", event_id)
            _failed(event_id, error, temporary=False)
            return None
        _done(event_id, outcome, order)
        db.session.commit()
        return None


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
        _enqueue(event_id)
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
    after_commit(lambda: _enqueue(event_id))
    return True
