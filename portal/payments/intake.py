"""Stripe events in: verify, store once, queue (`events.py` processes them).

The hot path of the webhook: one signature check, one INSERT that skips an id
already stored, one enqueue after the commit. It is benchmarked (bench/webhooks.py).
"""

from __future__ import annotations

import json
from functools import cache

import stripe
from flask import current_app
from sqlalchemy import bindparam

from portal.core.db import utcnow
from portal.core.transactions import after_commit
from portal.extensions import db
from portal.payments.events import enqueue
from portal.payments.models import EventStatus, WebhookEvent

INTAKE_COLUMNS = ("event_id", "type", "payload", "received_at", "status")


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
    after_commit(lambda: enqueue(row_id))
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
