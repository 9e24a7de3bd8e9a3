"""Payment work for the background worker."""

from __future__ import annotations

import logging
from datetime import datetime

from huey import crontab
from huey.exceptions import RetryTask

from portal.core.tasks import app_periodic_task, app_task
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.payments import events, reconciliation
from portal.payments.gateway import get_gateway
from portal.payments.testmode import TestGateway

log = logging.getLogger(__name__)


@app_task()
def process_event(event_id: int, reclaim: datetime | None = None) -> None:
    """Process one stored webhook event; a temporary failure comes back after a backoff
    (one that could not even be recorded comes back to take its event again)."""
    try:
        delay = events.process(event_id, reclaim)
    except events.EventHeld as held:
        process_event.schedule((event_id,), {"reclaim": held.reclaim}, delay=held.delay)
        return
    if delay is not None:
        raise RetryTask(delay=delay)


@app_periodic_task(crontab(minute="*"))
def requeue_stale_events() -> int:
    """Every minute: events a dead worker left half-done, or that were never queued."""
    with unscoped():
        count = events.requeue_stale()
        db.session.commit()
    if count:
        log.warning("requeued %d webhook events", count)
    return count


@app_periodic_task(crontab(minute="7,37"))
def reconcile_payments() -> dict:
    """Every 30 minutes: fulfil paid checkouts whose webhook never came, and list the
    orders stuck waiting (off the hour, away from other jobs)."""
    run = reconciliation.run_job()
    return {"run": run.id, "checked": run.checked, "fixed": run.fixed, "error": run.error}


@app_periodic_task(crontab(minute="*"))
def expire_test_checkouts() -> int:
    """Every minute, with the built-in test gateway: end the checkouts past their expiry
    time, as Stripe does by itself. Each sends a signed `checkout.session.expired`
    event through our webhook, so the order is released exactly as with Stripe."""
    gateway = get_gateway()
    if not isinstance(gateway, TestGateway):
        return 0  # Stripe expires its own sessions and tells us
    with unscoped():
        expired = gateway.expire_due()
        db.session.commit()
    if expired:
        log.info("expired %d test checkouts", len(expired))
    return len(expired)
