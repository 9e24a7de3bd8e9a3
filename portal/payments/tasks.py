"""Payment work for the background worker."""

from __future__ import annotations

import logging

from huey import crontab
from huey.exceptions import RetryTask

from portal.core.tasks import app_periodic_task, app_task
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.payments import events

log = logging.getLogger(__name__)


@app_task()
def process_event(event_id: int) -> None:
    """Process one stored webhook event; a temporary failure comes back after a backoff."""
    delay = events.process(event_id)
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
