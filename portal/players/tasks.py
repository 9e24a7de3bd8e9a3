"""Scheduled jobs for player profiles. Each is idempotent: running it twice is harmless."""

from __future__ import annotations

import logging

from huey import crontab

from portal.core.tasks import app_periodic_task
from portal.core.tenancy import unscoped
from portal.extensions import db
from portal.players import reviews, uploads

log = logging.getLogger(__name__)


@app_periodic_task(crontab(minute="17"))
def purge_private_files() -> dict:
    """Hourly: delete proof-of-age documents past retention and unused uploads."""
    with unscoped():
        documents = reviews.purge_due_documents()
        staged = uploads.purge_expired()
        db.session.commit()
    log.info("purged %d documents and %d unused uploads", documents, staged)
    return {"documents": documents, "uploads": staged}
